"""The counterfactual library: each file validates, extends historical, cites the
article verbatim and differs from historical where it says it does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from seed_article import article_path, read_article
from sixparty.loader import diff_from_parent, load_scenario, scenario_parent_chain

ROOT = Path(__file__).parents[1]
FOLDER = ROOT / "scenarios" / "counterfactuals"
#: The article: ``shared/`` beside the repository, or the file named by the
#: environment variable SIXPARTY_ARTICLE (a git worktree elsewhere), as in
#: tests/test_historical_data.py.
SEED = article_path()
EXPECTED = [
    "hfo_on_schedule",
    "libya_model_throughout",
    "lwr_at_round4",
    "no_bda_sanctions",
    "no_seoul_hardline_2008",
    "no_unsc_statement_2009",
    "ukraine_model",
    "us_direct_talks_2003",
    "verification_in_10_3",
]
_CJK_QUOTE = re.compile(r'"([^"]*[\u4e00-\u9fff][^"]*)"')
_SECTION = re.compile(r"§([^:：)]+)[:：]")


@pytest.fixture(scope="module")
def historical():
    return load_scenario(ROOT / "scenarios" / "historical.yaml")


@pytest.fixture(scope="module")
def cf():
    return {name: load_scenario(FOLDER / f"{name}.yaml") for name in EXPECTED}


def test_library_is_complete():
    assert sorted(p.stem for p in FOLDER.glob("*.yaml")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_validates_extends_historical_and_differs(name, cf):
    path = FOLDER / f"{name}.yaml"
    chain = scenario_parent_chain(path)
    assert chain[1].resolve() == (ROOT / "scenarios" / "historical.yaml").resolve()
    assert cf[name].name == name
    real = [k for k, _, _ in diff_from_parent(path) if k not in ("name", "title", "description")]
    assert real, f"{name} does not change anything but its name"


@pytest.mark.parametrize("name", EXPECTED)
def test_description_cites_the_article_verbatim(name, cf):
    seed = read_article(SEED)
    desc = " ".join(cf[name].description.split())
    quotes = _CJK_QUOTE.findall(desc)
    assert quotes, f"{name}: no Chinese quote in the description"
    for q in quotes:
        assert q in seed, f"{name}: quote not found verbatim in the article: {q}"
    sections = _SECTION.findall(desc)
    assert sections, f"{name}: the description names no article section (§...)"
    headings = {
        line.lstrip("#").strip().split("（")[0]
        for line in seed.splitlines()
        if line.startswith("#")
    }
    for s in sections:
        assert all(part in headings for part in s.split()), f"{name}: unknown section {s}"
    assert len(desc) > 300  # a paragraph a teacher can read aloud


def _event_ids(sc):
    return {e.id for e in sc.events}


def _stated(sc, party, date_from="0000", issue=None):
    return [
        st
        for st in getattr(sc.parties, party).stated_positions
        if st.date >= date_from and (issue is None or issue in st.positions)
    ]


def test_no_bda_sanctions(cf, historical):
    assert {i for i in _event_ids(historical) if i.startswith("bda_")}
    assert not {i for i in _event_ids(cf["no_bda_sanctions"]) if i.startswith("bda_")}
    assert _event_ids(historical) - _event_ids(cf["no_bda_sanctions"]) == {
        i for i in _event_ids(historical) if i.startswith("bda_")
    }


def test_us_direct_talks(cf, historical):
    sc = cf["us_direct_talks_2003"]
    assert historical.parties.US.strategy.direct_talks == "refuse"
    assert sc.parties.US.strategy.direct_talks == "accept"
    mid = next(e for e in sc.events if e.id == "us_midterms_2006")
    assert all(
        getattr(f, "value", "accept") == "accept" for f in mid.effects if f.kind == "strategy"
    )
    assert all(
        st.positions["format"] >= 0.7
        for st in _stated(sc, "US", issue="format")
        if st.date < "2006"
    )


def test_libya_model_throughout(cf, historical):
    sc = cf["libya_model_throughout"]
    # CVID first: the sequence pinned at "dismantlement before any reward" and
    # the scope at CVID wherever a later US statement states them.
    for issue in ("sequence", "denuclearization"):
        vals = [st.positions[issue] for st in _stated(sc, "US", "2004-02", issue)]
        assert vals and all(v == 1.0 for v in vals), issue
    assert (
        min(st.positions["sequence"] for st in _stated(historical, "US", "2004-02", "sequence"))
        < 1.0
    )
    assert sc.parties.US.resolve.value > historical.parties.US.resolve.value


def test_ukraine_model(cf, historical):
    sc = cf["ukraine_model"]
    r2 = [
        st
        for st in _stated(sc, "US", "2004-02")
        if st.date == "2004-02" and "security_assurance" in st.positions
    ]
    assert r2 and r2[0].positions["security_assurance"] >= 0.8
    assert r2[0].positions["sequence"] <= 0.5
    bush = [
        st.positions["security_assurance"]
        for st in _stated(sc, "US", "2004-02", "security_assurance")
        if st.date < "2009"
    ]
    assert all(v >= 0.8 for v in bush)


def test_lwr_at_round4(cf, historical):
    lwr = [st.positions["lwr"] for st in _stated(cf["lwr_at_round4"], "US", "2005-09", "lwr")]
    assert lwr and all(v >= 0.7 for v in lwr)
    assert all(st.positions["lwr"] == 0.0 for st in _stated(historical, "US", "2005-09", "lwr"))


def test_verification_in_10_3(cf, historical):
    ver = [
        st.positions["verification"]
        for st in _stated(cf["verification_in_10_3"], "DPRK", "2007-09", "verification")
        if st.date <= "2008-10"
    ]
    assert len(ver) == 3 and all(v >= 0.8 for v in ver)
    assert (
        min(
            st.positions["verification"]
            for st in _stated(historical, "DPRK", "2007-09", "verification")
        )
        < 0.5
    )


def test_hfo_on_schedule(cf, historical):
    sc = cf["hfo_on_schedule"]
    assert historical.parties.Japan.strategy.abductee_linkage is True
    assert sc.parties.Japan.strategy.abductee_linkage is False
    lee = next(e for e in sc.events if e.id == "rok_hardline_2008")
    assert [f.value for f in lee.effects if f.kind == "policy"] == ["engagement"]


def test_no_seoul_hardline(cf, historical):
    sc = cf["no_seoul_hardline_2008"]
    assert "rok_hardline_2008" in _event_ids(historical)
    assert "rok_hardline_2008" not in _event_ids(sc)
    lee = _stated(sc, "ROK", "2008-02")
    assert lee and lee[0].positions["sequence"] == sc.parties.ROK.initial["sequence"].position


def test_no_unsc_statement(cf, historical):
    assert _event_ids(historical) - _event_ids(cf["no_unsc_statement_2009"]) == {
        "unsc_presidential_statement_2009"
    }
    assert "dprk_satellite_launch_2009" in _event_ids(cf["no_unsc_statement_2009"])
