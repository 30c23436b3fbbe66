"""Run folders written before the ninth issue (``sequence``) still read: the readers,
``sixparty plot`` and ``run --from`` accept tests/data/eight_issue_run (docs/outputs.md)."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest
from sixparty.analysis.runfiles import ISSUES_ADDED_LATER, read_run, recorded_issues
from sixparty.cli import main
from sixparty.loader import EightIssueScenario
from sixparty.scenario import ISSUES, PARTIES

FIXTURE = Path(__file__).parent / "data" / "eight_issue_run"


@pytest.fixture
def old_run(tmp_path: Path) -> Path:
    """A copy of the eight-issue run folder (commands may write beside it)."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "eight_issue_run"))


def test_the_fixture_is_an_eight_issue_folder() -> None:
    header = (FIXTURE / "sessions.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "text_format" in header and "text_sequence" not in header
    assert "sequence" not in (FIXTURE / "drafts.csv").read_text(encoding="utf-8").split("\n")[0]
    assert ISSUES_ADDED_LATER == ("sequence",) and ISSUES[-1] == "sequence"


def test_read_run_reads_it_with_the_new_columns_absent(old_run: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", EightIssueScenario)  # a run folder gets no note
        tables = read_run(old_run)  # checksums verified against its manifest
    assert tables.sessions["text_sequence"].isna().all()
    assert tables.sessions["text_denuclearization"].notna().any()
    assert tables.drafts["sequence"].isna().all() and len(tables.drafts) > 0
    assert set(tables.positions["issue"]) == set(ISSUES) - {"sequence"}
    assert len(tables.positions) == len(tables.timeline) * len(PARTIES) * (len(ISSUES) - 1)
    assert recorded_issues(tables) == ISSUES[:-1]
    assert not tables.events.empty  # from its (eight-issue) scenario.resolved.yaml


def test_a_nine_issue_folder_records_every_issue(tmp_path: Path) -> None:
    out = tmp_path / "new"
    assert (
        main(
            [
                "run",
                str(FIXTURE / "scenario.resolved.yaml"),
                "--out",
                str(out),
                "--quiet",
                "--no-plots",
            ]
        )
        == 0
    )
    assert recorded_issues(read_run(out)) == ISSUES


def test_a_cut_positions_table_is_still_damaged(old_run: Path) -> None:
    lines = (old_run / "positions.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (old_run / "positions.csv").write_text("".join(lines[:-6]), encoding="utf-8")
    from sixparty.analysis.runfiles import DamagedRunFolder

    with pytest.raises(DamagedRunFolder, match="positions.csv"):
        read_run(old_run, verify=False)


def test_sixparty_plot_draws_it(old_run: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "figures"
    assert main(["plot", str(old_run), "--out", str(out)]) == 0
    assert (out / "positions.png").is_file() and (out / "utilities.png").is_file()
    err = capsys.readouterr().err
    assert "Traceback" not in err and "eight-issue" not in err


def test_the_positions_figure_says_sequence_was_not_recorded(old_run: Path) -> None:
    from sixparty.analysis import plots

    fig = plots.plot_positions(read_run(old_run))
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert sum(plots.LABELS["en"]["not_recorded"] == t for t in texts) == 1


def test_run_from_it_reruns_on_both_scales_and_says_not_reproduced(old_run: Path, capsys) -> None:
    code = main(["run", "--from", str(old_run), "--quiet", "--no-plots"])
    printed = capsys.readouterr()
    err = printed.err
    # the model has nine issues now: the data files cannot match the eight-issue run's
    assert code == 1 and "NOT reproduced" in printed.out + err
    assert "Traceback" not in err
    assert sum("is read as an eight-issue scenario" in line for line in err.splitlines()) == 1
