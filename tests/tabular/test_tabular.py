"""The column-spec CSV reader: declared columns, located errors, matrices aligned by label."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from coopgov.errors import InputError
from coopgov.tabular import (
    Column,
    integer_key,
    label_key,
    parse_cell,
    read_matrix,
    read_rows,
    read_table,
)

COLUMNS = [
    Column("adcode", "int"),
    Column("name", "str"),
    Column("share", unit="-", lower=0, upper=1),
    Column("flow", unit="m3/s", lower=0, lower_open=True, required=False, aliases=("q",)),
    Column("note", "str", required=False, allow_empty=True),
]


def _err(fn, *args, **kw) -> InputError:
    with pytest.raises(InputError) as exc:
        fn(*args, **kw)
    return exc.value


def test_rows_are_lines_of_the_file_comments_and_blanks_count(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("# comment\n\nadcode,name,share\n1,A,0.5\n\n# mid\n2,B,0.25\n")
    t = read_table(p, COLUMNS)
    assert t.rows.tolist() == [4, 7]
    assert t["adcode"].tolist() == [1, 2] and t["name"] == ["A", "B"]
    np.testing.assert_array_equal(t["share"], [0.5, 0.25])
    assert "flow" not in t and t.raw.header_row == 3
    # the same file numbered by data rows (header = row 0)
    d = read_table(p, COLUMNS, numbering="data")
    assert d.rows.tolist() == [1, 2] and d.raw.header_row == 0


@pytest.mark.parametrize(
    ("body", "row", "field", "value", "reason"),
    [
        ("1,A,1.5", 3, "share", "1.5", "must lie in [0, 1]"),
        ("1,A,x", 3, "share", "x", "not a number"),
        ("1,A,nan", 3, "share", "nan", "finite"),
        ("1,A,", 3, "share", "", "missing value"),
        ("1.5,A,0.1", 3, "adcode", "1.5", "not an integer"),
        ("1,,0.1", 3, "name", "", "must not be empty"),
    ],
)
def test_bad_cells_are_located(tmp_path, body, row, field, value, reason):
    p = tmp_path / "t.csv"
    p.write_text("# c\nadcode,name,share\n" + body + "\n", encoding="utf-8")
    e = _err(read_table, p, COLUMNS)
    assert (e.file, e.row, e.field, e.value) == (str(p), row, field, value)
    assert reason in e.reason
    assert f"row {row}" in str(e) and str(p) in str(e)


def test_alias_case_bounds_and_empty_cells(tmp_path):
    text = "ADCODE,Name,Share,Q,note\n1,A,0,2.5,\n2,B,1,3,x\n"
    t = read_table(None, COLUMNS, text=text, file="up.csv", case_insensitive=True)
    np.testing.assert_array_equal(t["flow"], [2.5, 3.0])
    assert t["note"] == ["", "x"]
    e = _err(read_table, None, COLUMNS, text="adcode,name,share,q\n1,A,0,0\n", file="up.csv")
    assert (e.file, e.row, e.field, e.reason) == ("up.csv", 2, "flow", "must be > 0 m3/s")


def test_header_problems_name_the_header_line(tmp_path):
    e = _err(read_table, None, COLUMNS, text="#x\nadcode,name\n1,A\n", file="f")
    assert (e.row, e.field) == (2, "share") and "missing column" in e.reason
    e = _err(read_rows, None, text="a,b,a\n1,2,3\n", file="f")
    assert (e.row, e.field) == (1, "a") and "twice" in e.reason
    e = _err(read_table, None, COLUMNS, text="adcode,name,share,flow,q\n", file="f")
    assert e.field == "q" and "twice" in e.reason
    e = _err(read_rows, None, text="a,b\n1,2\n1,2,3\n", file="f")
    assert e.row == 3 and "3 fields" in e.reason
    e = _err(read_rows, None, text="# only a comment\n\n", file="f")
    assert "no header" in e.reason


def test_quoted_field_over_two_lines_is_named_by_its_first_line():
    raw = read_rows(None, text='a,b\n1,"two\nlines"\n2,x\n', file="f")
    assert raw.row_numbers.tolist() == [2, 4]
    assert raw.rows[0][1] == "two\nlines"


def test_gb18030_file_is_read(tmp_path):
    p = tmp_path / "gb.csv"
    p.write_bytes("adcode,name,share\n310100,上海,0.5\n".encode("gb18030"))
    assert read_table(p, COLUMNS)["name"] == ["上海"]
    p.write_bytes(b"\x00\x01binary")
    assert "binary" in _err(read_table, p, COLUMNS).reason


def test_parse_cell_bounds_text():
    c = Column("x", lower=0, upper=1, upper_open=True)
    assert parse_cell("0", c) == 0.0
    assert _err(parse_cell, "1", c).reason == "must lie in [0, 1)"
    assert integer_key("310100.0") == 310100 and label_key(" 310100.0 ") == "310100"
    with pytest.raises(ValueError):
        integer_key("Shanghai")


# --------------------------------------------------------------------------- matrices
def _matrix_text(t, labels, rows, cols, corner="source"):
    lines = [corner + "," + ",".join(labels[j] for j in cols)]
    lines += [labels[i] + "," + ",".join(repr(float(t[i, j])) for j in cols) for i in rows]
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None)
@given(
    t=arrays(np.float64, (5, 5), elements=st.floats(0, 0.2, allow_subnormal=False)),
    perm_rows=st.permutations(range(5)),
    perm_cols=st.permutations(range(5)),
)
def test_matrix_in_any_order_gives_identical_values(t, perm_rows, perm_cols):
    labels = ["310100", "320100", "320500", "341300", "331000"]
    text = _matrix_text(t, labels, perm_rows, perm_cols)
    m = read_matrix(None, text=text, file="m.csv", row_keys=labels, key=label_key, row_sum_max=1)
    np.testing.assert_array_equal(m.values, t)
    assert list(m.row_labels) == labels
    # numeric keys: the same with adcodes as integers
    codes = [int(x) for x in labels]
    m2 = read_matrix(None, text=text, file="m.csv", row_keys=codes, key=integer_key)
    np.testing.assert_array_equal(m2.values, t)
    # each returned row names the line it came from
    assert [m.row_numbers[labels.index(labels[i])] for i in perm_rows] == list(range(2, 7))


def test_matrix_labels_that_do_not_match_are_refused():
    t = np.full((3, 3), 0.1)
    labels = ["a", "b", "c"]
    good = _matrix_text(t, labels, range(3), range(3))
    e = _err(read_matrix, None, text=good, file="m", row_keys=["a", "b", "d"])
    assert (e.row, e.field, e.value) == (4, "source", "c") and "unknown row label" in e.reason
    e = _err(read_matrix, None, text=good, file="m", row_keys=["a", "b", "c", "d"])
    assert "no row for 1 expected label" in e.reason and e.value == "d"
    bad_cols = good.replace("source,a,b,c", "source,a,b,x")
    e = _err(read_matrix, None, text=bad_cols, file="m", square=True)
    assert "labels differ" in e.reason and e.value == "c" and e.row == 4
    e = _err(read_matrix, None, text=good.replace("source,a,b,c", "source,a,a,c"), file="m")
    assert (e.row, e.field) == (1, "a") and "twice" in e.reason
    e = _err(read_matrix, None, text="id,1,2\n1,0.5,0.5\nx,0,0\n", file="m", key=integer_key)
    assert (e.row, e.field, e.value) == (3, "id", "x") and "not a valid row label" in e.reason


def test_matrix_entries_and_row_sums_are_checked():
    e = _err(
        read_matrix, None, text="s,a,b\na,0.6,0.5\nb,0,0\n", file="m", square=True, row_sum_max=1
    )
    assert (e.row, e.field, e.value) == (2, "row sum", 1.1)
    e = _err(read_matrix, None, text="s,a,b\na,0.1,\nb,0,0\n", file="m", lower=0)
    assert (e.row, e.field, e.value) == (2, "b", "") and "missing" in e.reason
    e = _err(read_matrix, None, text="s,a,b\na,0.1,0\nb,-1,0\n", file="m", lower=0)
    assert (e.row, e.field, e.value) == (3, "a", "-1") and ">= 0" in e.reason
    e = _err(read_matrix, None, text="0.1,0.2\n0.3,0.4\n", file="m")
    assert e.row == 1 and "aligned by label" in e.reason
    # a rectangular matrix with its own column keys
    m = read_matrix(None, text="s,x,y,z\na,1,2,3\n", file="m", col_keys=["z", "x", "y"])
    assert m.values.tolist() == [[3.0, 1.0, 2.0]]
