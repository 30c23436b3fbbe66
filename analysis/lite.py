"""Small column tables for one run, without pandas.

``sixparty run`` draws its figures and scores its run from the run's own
tables (a few hundred to a few thousand rows).  Importing pandas for them cost
more CPU (about 0.35 s, with pyarrow) than scoring and laying out all six
figures' data, so the command builds these tables instead
(:func:`sixparty.analysis.runfiles.tables_from_result` with ``lite=True``).
``sixparty plot`` and the Python API still read run folders into pandas
DataFrames; every function drawing or scoring a run accepts either.

:class:`Frame` and :class:`Column` implement only the part of the DataFrame and
Series interface that :mod:`sixparty.analysis.plots`,
:mod:`sixparty.analysis.quality`, :mod:`sixparty.analysis.scorecard` and
:class:`~sixparty.analysis.runfiles.RunTables` use, with pandas' meaning:
column by name, row selection by a boolean mask, ``iterrows``,
``itertuples(index=False)``, ``groupby`` by one or more columns, a stable
``sort_values``, ``to_numpy``, ``to_dict("records")``.  Cells are Python
values: ``str``, ``int``, ``float`` (NaN for a missing number) and ``bool``,
as :func:`parse` reads them from a table's CSV text with the typing rules of
:func:`sixparty.analysis.runfiles._parse` (``tests/test_lite.py`` checks the
same values, bit for bit, and the same figures).
"""

from __future__ import annotations

import csv
import io
import math
from collections import namedtuple
from collections.abc import Iterable, Sequence

import numpy as np

_NAN = float("nan")


def _is_nan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


class Column:
    """One column: a list of Python values (``values``), read-only by convention."""

    __slots__ = ("values",)

    def __init__(self, values: Sequence) -> None:
        self.values = list(values)

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self):
        return iter(self.values)

    def __getitem__(self, i):
        return self.values[i]

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.values, dtype=dtype)

    def tolist(self) -> list:
        return list(self.values)

    def to_numpy(self, dtype=None) -> np.ndarray:
        return np.asarray(self.values, dtype=dtype)

    def max(self):
        """The largest value, NaN skipped (NaN when there is none), as ``Series.max``."""
        vals = [v for v in self.values if not _is_nan(v)]
        return max(vals) if vals else _NAN

    def astype(self, kind) -> Column:
        """``str`` or ``bool`` of every value (``str(nan)`` is ``"nan"``, as pandas)."""
        if kind is str:
            return Column([str(v) for v in self.values])
        if kind is bool:
            return Column([bool(v) for v in self.values])
        raise TypeError(f"Column.astype: unsupported type {kind!r}")

    def fillna(self, value) -> Column:
        return Column([value if _is_nan(v) else v for v in self.values])

    def __eq__(self, other) -> Column:  # type: ignore[override]
        return Column([v == other for v in self.values])

    def __ne__(self, other) -> Column:  # type: ignore[override]
        return Column([v != other for v in self.values])

    __hash__ = None  # type: ignore[assignment]


class _Row:
    """One row of a :class:`Frame` (``row[name]``, ``row.get(name, default)``)."""

    __slots__ = ("_frame", "_i")

    def __init__(self, frame: Frame, i: int) -> None:
        self._frame, self._i = frame, i

    def __getitem__(self, name: str):
        return self._frame._cols[name][self._i]

    def get(self, name: str, default=None):
        col = self._frame._cols.get(name)
        return default if col is None else col[self._i]


class Frame:
    """Columns of equal length by name, in order; ``index``: the row labels (row
    numbers of the table the frame was selected from, as a DataFrame's index)."""

    __slots__ = ("_cols", "_n", "index")

    def __init__(self, columns: dict[str, list] | None = None, index: list[int] | None = None):
        self._cols = {k: list(v) for k, v in (columns or {}).items()}
        lengths = {len(v) for v in self._cols.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        self._n = lengths.pop() if lengths else 0
        self.index = list(index) if index is not None else list(range(self._n))

    @classmethod
    def from_rows(cls, rows: Iterable[dict], columns: Sequence[str]) -> Frame:
        """A frame of ``columns`` from row dicts (NaN where a row lacks one)."""
        rows = list(rows)
        return cls({c: [r.get(c, _NAN) for r in rows] for c in columns})

    @property
    def empty(self) -> bool:
        return self._n == 0 or not self._cols

    @property
    def columns(self) -> list[str]:
        return list(self._cols)

    def __len__(self) -> int:
        return self._n

    def __contains__(self, name: str) -> bool:
        return name in self._cols

    def get(self, name: str, default=None):
        return Column(self._cols[name]) if name in self._cols else default

    def __getitem__(self, key):
        if isinstance(key, str):
            return Column(self._cols[key])
        if isinstance(key, list) and all(isinstance(k, str) for k in key) and key:
            return Frame({k: self._cols[k] for k in key}, self.index)
        mask = list(key)
        if len(mask) != self._n or not all(isinstance(m, bool | np.bool_) for m in mask):
            raise KeyError("a frame takes a column name, a list of names or a boolean mask")
        return self._take([i for i, m in enumerate(mask) if m])

    def __setitem__(self, name: str, values) -> None:
        values = list(values)
        if self._cols and len(values) != self._n:
            raise ValueError(f"column {name!r}: {len(values)} values for {self._n} rows")
        if not self._cols:
            self._n = len(values)
            self.index = list(range(self._n))
        self._cols[name] = values

    def _take(self, rows: list[int]) -> Frame:
        return Frame(
            {k: [v[i] for i in rows] for k, v in self._cols.items()},
            [self.index[i] for i in rows],
        )

    def iterrows(self):
        for i in range(self._n):
            yield self.index[i], _Row(self, i)

    def itertuples(self, index: bool = False, name: str = "Row"):
        if index:
            raise TypeError("Frame.itertuples: only index=False")
        cls = namedtuple(name, self.columns)
        for i in range(self._n):
            yield cls(*(v[i] for v in self._cols.values()))

    def groupby(self, by, sort: bool = True):
        """``(key, frame)`` per distinct value of ``by`` (a name: the value; a list of
        names: a tuple), in order of first appearance (``sort=False``) or of the keys."""
        names = [by] if isinstance(by, str) else list(by)
        groups: dict = {}
        cols = [self._cols[n] for n in names]
        for i in range(self._n):
            key = cols[0][i] if isinstance(by, str) else tuple(c[i] for c in cols)
            groups.setdefault(key, []).append(i)
        keys = sorted(groups) if sort else list(groups)
        for key in keys:
            yield key, self._take(groups[key])

    def sort_values(self, by: str) -> Frame:
        """Rows ordered by column ``by`` (stable)."""
        col = self._cols[by]
        return self._take(sorted(range(self._n), key=col.__getitem__))

    def to_numpy(self, dtype=None) -> np.ndarray:
        if not self._cols:
            return np.empty((self._n, 0), dtype=dtype)
        return np.array([list(r) for r in zip(*self._cols.values(), strict=True)], dtype=dtype)

    def to_dict(self, orient: str = "records") -> list[dict]:
        if orient != "records":
            raise ValueError("Frame.to_dict: only orient='records'")
        names = self.columns
        return [dict(zip(names, r, strict=True)) for r in zip(*self._cols.values(), strict=True)]


def _number_column(cells: list[str]) -> list:
    """A numeric column as ``pd.to_numeric(col.replace("", None), errors="coerce")``
    reads it: ints when every cell is an integer, else floats with NaN for the empty
    or unreadable ones."""
    try:
        return [int(c) for c in cells]
    except ValueError:
        pass
    out = []
    for c in cells:
        try:
            out.append(float(c) if c != "" else _NAN)
        except ValueError:
            out.append(_NAN)
    return out


def parse(text: str, strs: Iterable[str] = (), bools: Iterable[str] = (), is_str=None) -> Frame:
    """A table's CSV text (``sixparty.outputs.csv_text``) as a :class:`Frame`.

    ``bools``: columns read as ``cell.lower() == "true"``; ``strs`` (or
    ``is_str(column)`` true): text columns, kept as written (an empty cell is
    ``""``); every other column is numeric (:func:`_number_column`).
    """
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return Frame()
    header, body = rows[0], rows[1:]
    strs, bools = set(strs), set(bools)
    cols: dict[str, list] = {}
    for j, name in enumerate(header):
        cells = [r[j] if j < len(r) else "" for r in body]
        if name in bools:
            cols[name] = [c.lower() == "true" for c in cells]
        elif name in strs or (is_str is not None and is_str(name)):
            cols[name] = cells
        else:
            cols[name] = _number_column(cells)
    return Frame(cols)
