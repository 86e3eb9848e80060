"""Image inputs in the core and the file: dataset.image_shape, pictures of rows, a drawing as inputs, weight images."""

import gzip
import json

import numpy as np
import pytest

from nnstudio.core import Graph, Layer
from nnstudio.core.data_files import load_data
from nnstudio.core.data_prep import prepare
from nnstudio.core.datasets import Dataset, DatasetError
from nnstudio.core.images import (
    drawing_to_image,
    image_to_inputs,
    incoming_weight_images,
    pad_size,
    raw_range,
    rows_as_images,
)
from nnstudio.core.network import Network
from nnstudio.io.project import ProjectError, load_project, project_from_dict


def idx_bytes(array: np.ndarray) -> bytes:
    return b"\0\0" + bytes([0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes() + array.tobytes()


def pictures(n: int = 6, shape: tuple[int, int] = (2, 3), scale: str | None = "minmax") -> Dataset:
    rng = np.random.default_rng(0)
    X = rng.integers(0, 17, (n, shape[0] * shape[1])).astype(float)
    X[0, :] = 0.0
    X[1, :] = 16.0  # the darkest and the brightest value of every column
    Y = np.eye(2)[np.arange(n) % 2]
    data = Dataset(X, Y, class_names=["a", "b"], image_shape=shape)
    return data if scale is None else prepare(data, test_fraction=0.0, scale=scale)


def test_image_shape_must_match_the_input_count() -> None:
    with pytest.raises(DatasetError, match="2 × 2 = 4 pixels, but the dataset has 6"):
        Dataset(np.zeros((2, 6)), np.zeros((2, 1)), image_shape=(2, 2))
    with pytest.raises(DatasetError, match="two whole numbers"):
        Dataset(np.zeros((2, 6)), np.zeros((2, 1)), image_shape=(2.0, 3))
    assert Dataset(np.zeros((2, 6)), np.zeros((2, 1)), image_shape=[2, 3]).image_shape == (2, 3)


def test_image_shape_in_the_project_file(tmp_path) -> None:
    project = load_project("samples/digits.nnstudio")
    assert project.dataset.image_shape == (8, 8)
    d = project.to_dict()
    assert d["dataset"]["image_shape"] == [8, 8]
    assert project_from_dict(json.loads(json.dumps(d))).dataset.image_shape == (8, 8)
    del d["dataset"]["image_shape"]  # files written before the key load as before
    assert project_from_dict(d).dataset.image_shape is None
    for bad, message in (([8, 9], "72 pixels, but the dataset has 64"), ("8x8", "two whole numbers"),
                         ([8, 8, 1], "two whole numbers"), ([0, 64], "from 1 to")):
        d["dataset"]["image_shape"] = bad
        with pytest.raises(ProjectError, match=message) as info:
            project_from_dict(d)
        assert info.value.field == "dataset.image_shape"


def test_mnist_idx_files_are_28_by_28_images(tmp_path) -> None:
    images = np.random.default_rng(1).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(images)))
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.arange(5, dtype=np.uint8))))
    data = load_data(tmp_path / "train-images-idx3-ubyte.gz")
    assert data.image_shape == (28, 28)
    low, high = float(images.min()), float(images.max())
    assert raw_range(data) == (low, high)
    assert np.allclose(rows_as_images(data, data.X[2])[0], (images[2] - low) / (high - low))


def test_rows_as_images_undo_the_scaling() -> None:
    data = pictures()
    assert data.scaling is not None and raw_range(data) == (0.0, 16.0)
    raw = data.raw_inputs()
    pics = rows_as_images(data, data.X[2:4])
    assert pics.shape == (2, 2, 3)
    assert np.allclose(pics, raw[2:4].reshape(2, 2, 3) / 16.0)


def test_drawing_becomes_block_means() -> None:
    height, width = pad_size((8, 8))
    assert height == width and height % 8 == 0 and 120 <= height <= 200
    drawing = np.zeros((16, 24))
    drawing[0:8, 0:8] = 1.0  # the top-left block fully inked
    drawing[8:16, 16:20] = 1.0  # half of the bottom-right block
    image = drawing_to_image(drawing, (2, 3))
    assert image.tolist() == [[1.0, 0.0, 0.0], [0.0, 0.0, 0.5]]
    with pytest.raises(ValueError, match="does not divide"):
        drawing_to_image(np.zeros((15, 24)), (2, 3))


def test_a_picture_becomes_the_scaled_input_row() -> None:
    data = pictures()
    image = np.array([[1.0, 0.0, 0.5], [0.25, 0.0, 1.0]])
    row = image_to_inputs(data, image)
    assert np.allclose(row, data.scale(image.reshape(-1) * 16.0))
    assert np.allclose(rows_as_images(data, row)[0], image)  # and back
    assert np.allclose(image_to_inputs(pictures(scale=None), image), image.reshape(-1) * 16.0)


def test_first_hidden_weights_as_images() -> None:
    graph = Graph()
    graph.add_layer(Layer(6, "identity", False, "In", role="input", id="in"))
    graph.add_layer(Layer(4, "tanh", True, "Hidden", role="hidden", id="h"))
    graph.add_layer(Layer(2, "softmax", True, "Out", role="output", id="out"))
    graph.connect("in", "h")
    graph.connect("h", "out")
    net = Network.from_graph(graph, seed=1)
    images = incoming_weight_images(net, pictures())
    assert set(images) == {"h"}
    conn = next(c.id for c in graph.connections.values() if c.target == "h")
    assert images["h"].shape == (4, 2, 3)
    assert np.array_equal(images["h"][3], net.weights[conn][:, 3].reshape(2, 3))
    assert incoming_weight_images(net, Dataset(np.zeros((1, 6)), np.zeros((1, 2)))) == {}
