"""Big datasets in project files: base64 float blocks round-trip exactly, stay within the file limits for MNIST-sized
work, and hostile blocks are refused naming the field before anything of their declared size is made."""

import base64
import json
import math

import numpy as np
import pytest

from nnstudio.core import Graph, Layer, Network, datasets
from nnstudio.io.json_text import dumps_readable
from nnstudio.io.limits import MAX_PROJECT_BYTES
from nnstudio.io.number_blocks import LIST_CELLS, encode_table
from nnstudio.io.project import ProjectError, default_project, load_project, project_from_dict, save_project


def big_project(rows: int = 6000):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(rows, 2))
    Y = (X[:, :1] > 0) * 1.0
    project = default_project()
    project.dataset = datasets.Dataset(X, Y, X_test=X[:40] * 3, Y_test=Y[:40], name="many")
    return project


def test_a_big_dataset_is_saved_as_blocks_and_reopens_bit_for_bit(tmp_path) -> None:
    project = big_project()
    path = tmp_path / "big.nnstudio"
    save_project(project, path)
    stored = json.loads(path.read_text())["dataset"]
    assert set(stored["inputs"]) == {"dtype", "shape", "base64"} and stored["inputs"]["shape"] == [6000, 2]
    assert isinstance(stored["targets"], list) and isinstance(stored["test_inputs"], list)  # small: still rows
    back = load_project(path).dataset
    assert back.X.tobytes() == project.dataset.X.tobytes() and np.array_equal(back.Y, project.dataset.Y)
    assert np.array_equal(back.X_test, project.dataset.X_test)
    back.X[0, 0] = 5.0  # the app edits cells in place: the decoded array is writable


def test_small_tables_stay_readable_rows_and_old_row_files_still_load(tmp_path) -> None:
    assert encode_table(np.ones((LIST_CELLS, 1))) == [[1.0]] * LIST_CELLS
    assert isinstance(encode_table(np.ones((LIST_CELLS + 1, 1))), dict)
    doc = big_project().to_dict()
    doc["dataset"]["inputs"] = big_project().dataset.X.tolist()  # as every nnstudio before blocks wrote it
    assert np.array_equal(project_from_dict(doc).dataset.X, big_project().dataset.X)


def block_doc(**changes) -> dict:
    doc = big_project().to_dict()
    doc["dataset"]["inputs"] = {**doc["dataset"]["inputs"], **changes}
    return doc


@pytest.mark.parametrize("changes, message", [
    ({"dtype": "float32"}, r"dataset.inputs: dtype must be \"float64\""),
    ({"shape": [6000]}, "dataset.inputs: shape must be"),
    ({"shape": [6000, True]}, "dataset.inputs: shape must be"),
    ({"shape": [6000, 3]}, "dataset.inputs: a 6000×3 block needs 144,000 bytes"),
    ({"base64": "!" * 128000}, "dataset.inputs: not valid base64"),
    ({"base64": 5}, "dataset.inputs: base64 must be a string"),
    ({"extra": 1}, "dataset.inputs: expected rows of numbers or a block"),
    ({"shape": [2**40, 2**40]}, "dataset: the dataset holds .* numbers.*MAX_DATASET_CELLS"),
])
def test_a_broken_or_hostile_block_is_refused_naming_the_field(changes, message) -> None:
    with pytest.raises(ProjectError, match=message):
        project_from_dict(block_doc(**changes))


def test_a_block_holding_nan_is_refused() -> None:
    values = np.zeros((6000, 2))
    values[17, 1] = np.nan
    with pytest.raises(ProjectError, match="dataset.inputs: contains NaN"):
        project_from_dict(block_doc(base64=base64.b64encode(values.tobytes()).decode()))


def test_long_strings_are_written_in_pieces_as_the_same_json() -> None:
    text = "ab\"\\\n\u00e9\U0001f600" * 300_000  # over a piece's length, with characters JSON escapes
    doc = {"s": text, "t": [1, 2]}
    assert json.loads(dumps_readable(doc)) == doc


def test_an_mnist_sized_project_fits_the_file_limit(tmp_path) -> None:
    graph = Graph()
    for i, size in enumerate((784, 512, 512, 10)):
        role = "input" if i == 0 else "output" if i == 3 else "hidden"
        graph.add_layer(Layer(size, "relu", role=role, id=f"L{i}"))
    for i in range(3):
        graph.connect(f"L{i}", f"L{i + 1}")
    project = default_project()
    project.graph = graph
    project.weights = Network.from_graph(graph, seed=1).param_dict()
    project.dataset = datasets.Dataset(np.zeros((1, 784)), np.zeros((1, 10)))
    path = tmp_path / "net.nnstudio"
    save_project(project, path)
    numbers = (60_000 + 10_000) * (784 + 10)  # training and test parts, inputs and one-hot targets
    block_chars = 4 * math.ceil(numbers * 8 / 3)
    assert len(encode_table(np.zeros((100, 784)))["base64"]) == 4 * math.ceil(100 * 784 * 8 / 3)
    assert path.stat().st_size + block_chars < 0.6 * MAX_PROJECT_BYTES


def test_a_saved_block_is_written_a_piece_at_a_time_and_reads_back_the_same(tmp_path):
    from nnstudio.io import number_blocks

    rng = np.random.default_rng(3)
    dataset = datasets.Dataset(rng.random((60_000, 2)), rng.random((60_000, 1)))
    project = default_project()
    project.dataset = dataset
    path = tmp_path / "p.nnstudio"
    save_project(project, path)
    block = json.loads(path.read_text())["dataset"]["inputs"]
    assert dataset.X.nbytes > number_blocks._ENCODE_PIECE_BYTES  # more than one piece
    assert block == encode_table(dataset.X)  # the same text as the block made in one go
    assert np.array_equal(load_project(path).dataset.X, dataset.X)
