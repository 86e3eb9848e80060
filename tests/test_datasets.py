"""Datasets: truth tables, generators, CSV with clear errors."""

import io

import numpy as np
import pytest

from nnstudio.core import datasets
from nnstudio.core.datasets import DatasetError


def test_truth_tables() -> None:
    assert datasets.xor().Y.ravel().tolist() == [0, 1, 1, 0]
    assert datasets.and_().Y.ravel().tolist() == [0, 0, 0, 1]
    assert datasets.or_().Y.ravel().tolist() == [0, 1, 1, 1]
    assert datasets.nand().Y.ravel().tolist() == [1, 1, 1, 0]
    assert datasets.nor().Y.ravel().tolist() == [1, 0, 0, 0]
    assert datasets.xnor().Y.ravel().tolist() == [1, 0, 0, 1]
    one = datasets.one_to_zero()
    assert one.X.tolist() == [[1.0]] and one.Y.tolist() == [[0.0]]


@pytest.mark.parametrize("name", datasets.GENERATORS)
def test_generators_are_seeded_and_split(name) -> None:
    a = datasets.generate(name, n=100, noise=0.1, seed=3, test_fraction=0.3)
    b = datasets.generate(name, n=100, noise=0.1, seed=3, test_fraction=0.3)
    c = datasets.generate(name, n=100, noise=0.1, seed=4, test_fraction=0.3)
    assert len(a) == 70 and len(a.X_test) == 30
    assert np.array_equal(a.X, b.X) and not np.array_equal(a.X, c.X)
    assert np.abs(a.X).max() < 3


def test_csv_round_trip(tmp_path) -> None:
    path = tmp_path / "d.csv"
    datasets.write_csv(datasets.logic_gates(), path)
    back = datasets.read_csv(path, targets=["and", "or", "xor"])
    assert np.array_equal(back.X, datasets.logic_gates().X) and np.array_equal(back.Y, datasets.logic_gates().Y)
    assert back.output_names == ["and", "or", "xor"]


@pytest.mark.parametrize(
    "text, match",
    [
        ("a,b,y\n0,0,0\n0,1\n", "line 3 has 2 cells, line 1 has 3"),
        ("a,b,y\n0,x,0\n1,2,1\n1,3,0\n", "line 2, column 'b': 'x' is not a number"),
        ("a,b,y\n", "header row and at least one data row"),
        ("a,b,y\n0,nan,1\n", "not a finite number"),
    ],
)
def test_csv_errors_name_line_and_column(text, match) -> None:
    with pytest.raises(DatasetError, match=match):
        datasets.read_csv(io.StringIO(text))


def test_csv_unknown_target_column() -> None:
    with pytest.raises(DatasetError, match="no column named 'z'"):
        datasets.read_csv(io.StringIO("a,b\n1,2\n"), targets=["z"])


def test_ragged_records_are_refused() -> None:
    with pytest.raises(DatasetError, match="same length"):
        datasets.Dataset([[0, 1], [1]], [[0], [1]])
