"""Training rows then test rows, read in place: the table and the frames never stack a dataset to show it."""

import numpy as np
import pytest

from nnstudio.core import datasets
from nnstudio.core.table_rows import TableRows


def test_rows_read_across_the_boundary_as_the_stacked_array():
    train, test = np.arange(12.0).reshape(4, 3), -np.arange(6.0).reshape(2, 3)
    rows, stacked = TableRows(train, test), np.vstack([train, test])
    assert len(rows) == 6
    for r in range(6):
        assert np.array_equal(rows[r], stacked[r]) and rows[r, 2] == stacked[r, 2]
    index = np.array([0, 3, 4, 5])
    assert np.array_equal(rows.take(index), stacked[index])
    assert np.array_equal(rows.stacked(), stacked) and rows.stacked() is not train
    with pytest.raises(IndexError):
        rows[6]
    alone = TableRows(train, np.empty((0, 3)))
    assert len(alone) == 4 and alone.test is None
    copy = alone.stacked()
    copy[0, 0] = 99.0
    assert train[0, 0] == 0.0  # an edit works on a copy


def test_the_data_table_shows_a_split_dataset_without_copying_it(window):
    data = datasets.generate("circle", n=400, noise=0.1, seed=2, test_fraction=0.25)
    window.document.set_dataset(data)
    model = window.training.data_table.model
    assert model.X.train is data.X and model.X.test is data.X_test and model.Y.test is data.Y_test
    assert model.rowCount() == len(data) + len(data.X_test)
    last = model.rowCount() - 1
    assert float(model.data(model.index(last, 0), role=2)) == data.X_test[-1, 0]  # EditRole: the exact value
    assert model.setData(model.index(last, 1), "0.125")  # a test row's x2, edited in place
    edited = window.document.dataset
    assert edited.X_test[-1, 1] == 0.125 and np.array_equal(edited.X, data.X) and len(edited.X_test) == 100
    assert model.setData(model.index(last, 1), "0.125")  # the same value again: no new undo step
    window.document.undo_stack.undo()
    assert window.document.dataset.X_test[-1, 1] == data.X_test[-1, 1]


def test_scaled_inputs_show_and_are_typed_raw(window):
    """A scaled dataset stores its inputs scaled; the table shows what the column names mean, the raw values."""
    from nnstudio.core.data_prep import prepare

    raw = datasets.generate("circle", n=60, noise=0.1, seed=4, test_fraction=0.0)
    raw = type(raw)(raw.X * 10 + 3, raw.Y, name="circle", input_names=["x1", "x2"])
    data = prepare(raw, test_fraction=0.0, scale="minmax")
    assert data.scaling is not None and data.X.max() <= 1.0 < raw.X.max()
    assert np.array_equal(data.Y, raw.Y)  # no split: the rows keep their order
    window.document.set_dataset(data)
    model = window.training.data_table.model
    for row in (0, 17, 59):
        for col in (0, 1):
            assert model.data(model.index(row, col), role=2) == pytest.approx(raw.X[row, col], rel=1e-11)
    assert model.setData(model.index(5, 0), "12.5")  # typed raw, stored scaled
    edited = window.document.dataset
    assert edited.raw_inputs()[5, 0] == pytest.approx(12.5, rel=1e-12)
    assert edited.X[5, 0] == pytest.approx((12.5 - data.scaling.offset[0]) * data.scaling.factor[0])
    steps = window.document.undo_stack.count()
    model = window.training.data_table.model
    assert model.setData(model.index(5, 0), model.data(model.index(5, 0), role=2))  # the same value again
    assert window.document.undo_stack.count() == steps
