"""Datasets from .npz archives and MNIST IDX files; declared sizes checked before anything large is read."""

import gzip
import struct

import numpy as np
import pytest

from nnstudio.core.data_files import load_data, read_idx_array
from nnstudio.core.datasets import DatasetError


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    return b"\0\0" + bytes([code, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes() + array.tobytes()


@pytest.fixture
def mnist_like(tmp_path):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (30, 28, 28), dtype=np.uint8)
    labels = np.arange(30, dtype=np.uint8) % 10
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(images)))
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    return tmp_path, images, labels


def test_idx_images_find_their_labels(mnist_like) -> None:
    folder, images, labels = mnist_like
    ds = load_data(folder / "train-images-idx3-ubyte.gz")
    assert ds.X.shape == (30, 784) and np.array_equal(ds.X[3], images[3].reshape(-1))
    assert ds.class_names == [str(d) for d in range(10)] and ds.Y.argmax(axis=1).tolist() == labels.tolist()
    assert ds.kind == "classification"


def test_idx_labels_given_explicitly_and_uncompressed(tmp_path) -> None:
    images = np.arange(12, dtype=">i2").reshape(3, 2, 2)
    (tmp_path / "pics.idx").write_bytes(idx_bytes(images, 0x0B))
    (tmp_path / "answers.idx").write_bytes(idx_bytes(np.array([2, 0, 2], dtype=np.uint8)))
    ds = load_data(tmp_path / "pics.idx", [str(tmp_path / "answers.idx")])
    assert ds.X.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]] and ds.class_names == ["0", "2"]


@pytest.mark.parametrize(
    "raw, match",
    [
        (b"\0\0\x08\x01" + struct.pack(">I", 10) + b"\1" * 9, "declares 10 values but holds fewer"),
        (b"\0\0\x08\x01" + struct.pack(">I", 2) + b"\1" * 3, "declares 2 values but holds more"),
        (b"\0\0\x08\x03" + struct.pack(">III", 60000, 60000, 60000), "larger than"),
        (b"PK\3\4junk", "not an IDX file"),
        (b"\0\0\x08\x03\0\0", "ends inside its IDX header"),
    ],
)
def test_bad_idx_files(tmp_path, raw, match) -> None:
    path = tmp_path / "x.idx"
    path.write_bytes(raw)
    with pytest.raises(DatasetError, match=match):
        read_idx_array(path)


def test_gzip_bomb_header_is_refused_before_decompressing_the_rest(tmp_path) -> None:
    path = tmp_path / "bomb.gz"
    path.write_bytes(gzip.compress(b"\0\0\x08\x02" + struct.pack(">II", 2**20, 2**20) + bytes(2**20)))
    with pytest.raises(DatasetError, match="larger than"):
        read_idx_array(path)


def test_images_without_labels_say_how_to_give_them(tmp_path) -> None:
    (tmp_path / "alone.idx").write_bytes(idx_bytes(np.zeros((2, 2, 2), np.uint8)))
    with pytest.raises(DatasetError, match="no labels file found next to alone.idx"):
        load_data(tmp_path / "alone.idx")


def test_npz_with_integer_labels_becomes_classes(tmp_path) -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), np.array([0, 1, 2, 1] * 5)
    np.savez(tmp_path / "d.npz", X=X, y=y, class_names=np.array(["cat", "dog", "emu"]))
    ds = load_data(tmp_path / "d.npz")
    assert np.array_equal(ds.X, X) and ds.class_names == ["cat", "dog", "emu"]
    assert ds.Y.argmax(axis=1).tolist() == y.tolist()


def test_npz_inputs_targets_regression(tmp_path) -> None:
    X = np.linspace(0, 1, 10).reshape(5, 2)
    np.savez(tmp_path / "r.npz", inputs=X, targets=X.sum(axis=1, keepdims=True))
    ds = load_data(tmp_path / "r.npz")
    assert ds.kind == "regression" and ds.class_names == [] and ds.Y.shape == (5, 1)


def test_npz_without_known_arrays_names_what_it_has(tmp_path) -> None:
    np.savez(tmp_path / "w.npz", weights=np.zeros(3))
    with pytest.raises(DatasetError, match="holds weights; expected arrays X and y"):
        load_data(tmp_path / "w.npz")


def test_npz_with_pickled_objects_is_refused(tmp_path) -> None:
    np.savez(tmp_path / "p.npz", X=np.array([{"a": 1}], dtype=object), y=np.zeros(1))
    with pytest.raises(DatasetError, match="not a readable .npz"):
        load_data(tmp_path / "p.npz")


def test_not_a_zip_npz(tmp_path) -> None:
    (tmp_path / "n.npz").write_bytes(b"hello")
    with pytest.raises(DatasetError, match="not a .npz archive"):
        load_data(tmp_path / "n.npz")


def test_unknown_extension(tmp_path) -> None:
    (tmp_path / "d.xlsx").write_bytes(b"x")
    with pytest.raises(DatasetError, match="cannot read data from '.xlsx' files"):
        load_data(tmp_path / "d.xlsx")


def test_npz_member_declaring_a_huge_array_is_refused_before_reading(tmp_path) -> None:
    import io
    import zipfile

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)})
    with zipfile.ZipFile(tmp_path / "big.npz", "w") as archive:
        archive.writestr("X.npy", header.getvalue() + bytes(64))
        archive.writestr("y.npy", header.getvalue() + bytes(64))
    with pytest.raises(DatasetError, match="declares a 1000000×1000000 array"):
        load_data(tmp_path / "big.npz")
