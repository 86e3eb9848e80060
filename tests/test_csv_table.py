"""CSV files as people save them: header, delimiter and encoding found; categories; one message per bad file."""

import io

import numpy as np
import pytest

from nnstudio.core import csv_table, datasets
from nnstudio.core.csv_table import MAX_COLUMNS, read_table, sniff_delimiter
from nnstudio.core.datasets import DatasetError

IRIS_LIKE = "sepal length,sepal width,species\n5.1,3.5,setosa\n7.0,3.2,versicolor\n6.3,3.3,virginica\n4.9,3.0,setosa\n"


def test_text_target_becomes_one_hot_with_its_class_names() -> None:
    ds = datasets.read_csv(IRIS_LIKE.encode(), targets=["species"])
    assert ds.class_names == ["setosa", "versicolor", "virginica"]
    assert ds.output_names == ds.class_names
    assert ds.Y.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]]
    assert ds.input_names == ["sepal length", "sepal width"] and ds.X[1].tolist() == [7.0, 3.2]
    assert ds.kind == "classification" and ds.label([0.1, 0.2, 0.7]) == "virginica"


def test_text_input_column_becomes_one_hot_inputs() -> None:
    ds = datasets.read_csv(b"colour,size,y\nred,1,0\nblue,2,1\nred,3,1\n", targets=["y"])
    assert ds.input_names == ["colour=blue", "colour=red", "size"]
    assert ds.X.tolist() == [[0, 1, 1], [1, 0, 2], [0, 1, 3]]
    assert ds.class_names == [] and ds.kind == "classification"


def test_several_targets_and_numeric_regression() -> None:
    ds = datasets.read_csv(b"a,b,s,d\n1,2,3,-1\n2,5,7,-3\n0,1,1,-1\n", targets=["s", "d"])
    assert ds.output_names == ["s", "d"] and ds.Y.tolist() == [[3, -1], [7, -3], [1, -1]]
    assert ds.kind == "regression"


def test_two_text_targets_are_both_one_hot_and_prefixed() -> None:
    ds = datasets.read_csv(b"x,c,d\n1,a,p\n2,b,q\n", targets=["c", "d"])
    assert ds.output_names == ["c=a", "c=b", "d=p", "d=q"] and ds.class_names == []


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter) -> None:
    text = IRIS_LIKE.replace(",", delimiter)
    assert sniff_delimiter(text) == delimiter
    assert datasets.read_csv(text.encode(), targets=["species"]).X.shape == (4, 2)


def test_semicolon_file_with_decimal_commas() -> None:
    ds = datasets.read_csv(b"a;b;y\n1,5;2;0\n2,25;3;1\n")
    assert ds.X.tolist() == [[1.5, 2.0], [2.25, 3.0]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_encodings(encoding) -> None:
    ds = datasets.read_csv("größe,café\n1,0\n2,1\n".encode(encoding))
    assert ds.input_names == ["größe"] and ds.output_names == ["café"]


def test_file_without_header_gets_numbered_columns() -> None:
    table = read_table(b"1,2,3\n4,5,6\n")
    assert not table.has_header and table.names == ["column 1", "column 2", "column 3"]
    ds = datasets.read_csv(b"5.1,3.5,setosa\n7.0,3.2,versicolor\n", targets=["3"])
    assert ds.class_names == ["setosa", "versicolor"] and ds.X.shape == (2, 2)


def test_numbered_categories_sort_by_value() -> None:
    ds = datasets.read_csv(b"x,grade\n1,g10\n2,g2\n3,g10\n", targets=["grade"])
    assert ds.class_names == ["g10", "g2"]
    table = read_table(b"x,k\n1,a\n2,b\n3,10\n4,9\n5,a\n")
    assert table.columns[1].categories == ["9", "10", "a", "b"]


def test_write_then_read_round_trip(tmp_path) -> None:
    path = tmp_path / "gates.csv"
    datasets.write_csv(datasets.logic_gates(), path)
    back = datasets.read_csv(path, targets=3)
    assert np.array_equal(back.Y, datasets.logic_gates().Y) and back.name == "gates"


@pytest.mark.parametrize(
    "raw, match",
    [
        (b"a,b,y\n1,2,3\n4,5\n", "line 3 has 2 cells, line 1 has 3"),
        (b"a,b,y\n1,2,3\n4,,6\n7,8,9\n", "line 3, column 'b': the cell is empty"),
        (b"a,b,y\n1,2,3\n4,?,6\n7,8,9\n", "line 3, column 'b': '\\?' is not a number"),
        (b"a,b,y\n1,inf,3\n", "line 2, column 'b': 'inf' is not a finite number"),
        (b"a,b,a\n1,2,3\n", "the header names column 'a' twice \\(columns 1 and 3\\)"),
        ("a,b\n1,2\n".encode("utf-16"), "UTF-16"),
        ("a,b\n1,2\n".encode("utf-16-le"), "UTF-16"),
        (bytes(range(256)) * 40, "not text"),
        (bytes(range(1, 256)) * 40, "not text"),
        (b"", "no rows"),
        (b"a,b\n", "header row and at least one data row"),
    ],
)
def test_bad_files_get_one_clear_message(raw, match) -> None:
    with pytest.raises(DatasetError, match=match):
        datasets.read_csv(raw)


def test_huge_field_is_refused_without_reading_it_all() -> None:
    raw = b"a,b\n1,2\n3," + b"7" * (50 * 2**20) + b"\n"
    with pytest.raises(DatasetError, match="line 3: a cell is longer than"):
        datasets.read_csv(raw)


def test_hundred_thousand_columns_are_refused_at_the_first_row() -> None:
    row = ",".join("1" for _ in range(100_000))
    raw = ("\n".join([row] * 50) + "\n").encode()
    with pytest.raises(DatasetError, match=f"100000 columns; at most {MAX_COLUMNS}"):
        datasets.read_csv(raw)


def test_column_of_ids_is_refused_as_a_category() -> None:
    raw = ("name,y\n" + "".join(f"id{i},{i % 2}\n" for i in range(1500))).encode()
    with pytest.raises(DatasetError, match="column 'name' has 1500 different texts"):
        datasets.read_csv(raw)


def test_bad_cell_in_a_later_chunk_is_named_by_line() -> None:
    rows = "".join(f"{i},{i % 2}\n" for i in range(10_000))
    with pytest.raises(DatasetError, match="line 9002, column 'x': 'oops' is not a number"):
        datasets.read_csv(io.StringIO("x,y\n" + rows[: rows.index("9000,")] + "oops,1\n"))


def test_unknown_target_names_the_columns() -> None:
    with pytest.raises(DatasetError, match="no column named 'z'; the columns are a, b"):
        datasets.read_csv(b"a,b\n1,2\n", targets=["z"])


def test_a_big_numeric_csv_reads(tmp_path) -> None:
    rng = np.random.default_rng(0)
    values = rng.integers(0, 256, (2000, 785))
    path = tmp_path / "wide.csv"
    np.savetxt(path, values, fmt="%d", delimiter=",", header=",".join(f"c{i}" for i in range(785)), comments="")
    ds = datasets.read_csv(path, targets=["c784"])
    assert ds.X.shape == (2000, 784) and np.array_equal(ds.X, values[:, :784])
    assert ds.kind == "regression" and ds.output_names == ["c784"]


def test_numeric_target_read_as_classes_on_request() -> None:
    raw = b"a,digit\n1,3\n2,10\n3,3\n4,0\n"
    assert datasets.read_csv(raw, targets=["digit"]).kind == "regression"
    ds = datasets.read_csv(raw, targets=["digit"], classes=True)
    assert ds.class_names == ["0", "3", "10"] and ds.Y.argmax(axis=1).tolist() == [1, 2, 1, 0]


def test_blank_lines_and_quoted_numbers_read_the_same_on_both_paths() -> None:
    fast = datasets.read_csv(b'\na,b\n1,"2"\n\n3,4\n\n')  # all numbers: NumPy's parser
    slow = datasets.read_csv(b'\na,b,c\n1,"2",x\n\n3,4,x\n\n', targets=["b"])  # a text column: the csv module
    assert fast.X.tolist() == [[1.0], [3.0]] and fast.Y.tolist() == [[2.0], [4.0]]
    assert slow.X[:, 0].tolist() == [1.0, 3.0] and slow.Y.tolist() == [[2.0], [4.0]]


@pytest.mark.parametrize("header", [b"", b'"a","b b","label"\r\n', "\ufeffné,b,label\n".encode()])
@pytest.mark.parametrize("target", [0, 1, 2])
def test_a_file_of_plain_numbers_is_read_at_once_into_inputs_and_targets(header, target) -> None:
    rng = np.random.default_rng(1)
    values = rng.integers(-50, 50, (300, 3)) / 4
    body = "".join(",".join(f"{v:g}" for v in row) + "\n" for row in values).encode()
    table = read_table(header + body)
    assert table.numbers is not None and table.has_header == bool(header)
    names = table.names
    assert names == (["column 1", "column 2", "column 3"] if not header else
                     ["a", "b b", "label"] if header.startswith(b'"') else ["né", "b", "label"])
    ds = datasets.read_csv(header + body, targets=[names[target]])
    assert np.array_equal(ds.Y[:, 0], values[:, target]) and np.array_equal(ds.X, np.delete(values, target, 1))
    assert ds.X.flags.c_contiguous and ds.input_names == [n for n in names if n != names[target]]


def test_quoted_or_text_cells_take_the_cell_by_cell_reader() -> None:
    assert read_table(b'a,b\n1,"2"\n').numbers is None
    assert read_table(b"a,b\n1,x\n2,y\n").numbers is None


def test_inputs_are_built_over_the_number_array_without_a_second_copy() -> None:
    values = np.arange(40_000.0).reshape(2000, 20)
    raw = (",".join(f"c{i}" for i in range(20)) + "\n").encode() + "".join(
        ",".join(f"{v:g}" for v in row) + "\n" for row in values).encode()
    table = read_table(raw)
    block = table.numbers
    encoded = csv_table.encode(table, ["c3", "c19"], consume=True)
    assert np.shares_memory(encoded.X, block)
    assert np.array_equal(encoded.X, np.delete(values, [3, 19], axis=1))
    assert np.array_equal(encoded.Y, values[:, [3, 19]])
    kept = csv_table.encode(read_table(raw), ["c3"])  # without consume the table's array is left alone
    assert not np.shares_memory(kept.X, block)


def test_a_bad_cell_far_down_a_number_file_is_still_named() -> None:
    rows = ["a,b"] + [f"{i},{i * 2}" for i in range(5000)]
    rows[4321] = "7,inf"
    with pytest.raises(DatasetError, match=r"line 4322, column 'b': 'inf' is not a finite number"):
        datasets.read_csv("\n".join(rows).encode())


BIG_ROWS = ["a,b,c"] + [f"{i},{i % 7},{i * 0.5}" for i in range(9000)]


@pytest.mark.parametrize("line, text", [
    (8500, "1,2"), (8500, "1,x,3"), (8500, "1,,3"), (8500, "1,2,nan"), (5000, "1,inf,x"), (8999, "1," + "9" * 200_001),
    (9001, "7,8"),
])
def test_a_fault_far_down_a_number_file_gets_the_careful_readers_message(line, text) -> None:
    rows = list(BIG_ROWS)
    rows[line - 1] = text
    raw = "\n".join(rows).encode()
    with pytest.raises(DatasetError) as fast:
        read_table(raw)
    with pytest.raises(DatasetError) as careful:
        read_table(io.StringIO(raw.decode()))  # a text stream always takes the cell-by-cell reader
    assert str(fast.value) == str(careful.value) and f"line {line}" in str(fast.value)
