"""docs/from-synaptic.md: every Python program on the page runs and reaches the outcome written next to it."""

import random
import re
from pathlib import Path

import numpy as np
import pytest

from nnstudio.core import Network
from nnstudio.io.project import load_project

DOC = (Path(__file__).resolve().parents[1] / "docs" / "from-synaptic.md").read_text()
XOR_ROWS = [[0, 0], [0, 1], [1, 0], [1, 1]]


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC, re.S)


def run_block(index: int, seed: int = 1) -> dict:
    """Run one block as the page says the tests do: with Python's and NumPy's global generators seeded."""
    random.seed(seed)
    np.random.seed(seed)
    namespace: dict = {"__name__": "from_synaptic"}
    exec(python_blocks()[index], namespace)
    return namespace


def test_every_program_has_its_javascript_beside_it():
    assert len(python_blocks()) == 6
    assert len(re.findall(r"```js\n", DOC)) == 5
    assert "docs/from-synaptic.md" in (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_two_neurons_learn_that_nice_things_are_nice():
    namespace = run_block(0)
    assert namespace["output"] < 0.1
    assert namespace["A"].activate(1) == 1.0


def test_xor_network_of_layers():
    outputs = run_block(1)["outputs"]
    assert [round(o) for o in outputs] == [0, 1, 1, 0]
    assert max(abs(o - t) for o, t in zip(outputs, [0, 1, 1, 0], strict=True)) < 0.05  # ≈ [0.01, 0.99, 0.99, 0.01]


def test_layer_by_layer_program_saves_its_trained_network(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = run_block(2)
    assert namespace["answer"][0] > 0.95
    net: Network = namespace["my_network"]
    assert [round(v) for v in net.predict(XOR_ROWS).ravel()] == [0, 1, 1, 0]
    reopened = load_project(tmp_path / "xor-layer-by-layer.nnstudio").build_network()
    np.testing.assert_array_equal(reopened.params, net.params)
    np.testing.assert_array_equal(reopened.predict(XOR_ROWS), net.predict(XOR_ROWS))


def test_architect_and_trainer():
    result = run_block(3)["result"]
    assert result["reason"] == "target_error" and result["error"] < 0.005
    assert 1000 < result["iterations"] < 20_000  # "a few thousand"
    assert {"error", "iterations", "time", "reason", "errors"} <= set(result)


def test_from_scratch_numpy_program():
    output = run_block(4)["output"]
    np.testing.assert_allclose(output.ravel(), [0, 1, 1, 0], atol=0.02)  # ≈ [[0.01], [0.99], [0.99], [0.01]]


def test_from_scratch_in_nnstudio():
    namespace = run_block(5)
    np.testing.assert_allclose(namespace["predictions"].ravel(), [0, 1, 1, 0], atol=0.02)
    assert namespace["result"]["reason"] == "max_epochs" and namespace["result"]["iterations"] == 50_000


@pytest.mark.parametrize("seed", [0, 7])
def test_from_scratch_programs_agree_from_the_same_weights(seed):
    """The claim under the last program: rate 2 over the batch mean is the tutorial's rate 0.5 over the sum."""
    blocks = python_blocks()
    numpy_program = blocks[4].replace("range(50000)", "range(2000)")
    random.seed(seed)
    np.random.seed(seed)
    by_hand: dict = {}
    start = np.random.get_state()
    exec(numpy_program, by_hand)
    np.random.set_state(start)
    initial = {"W:L1->L2": np.random.uniform(-1.0, 1.0, (2, 4)), "W:L2->L3": np.random.uniform(-1.0, 1.0, (4, 1))}
    nnstudio_program = blocks[5].replace(
        "\nresult =", "\nnet.load_param_dict(initial)\nresult ="
    ).replace("iterations=50000", "iterations=2000")
    ours: dict = {"initial": initial}
    exec(nnstudio_program, ours)
    np.testing.assert_allclose(ours["net"].weights["L1->L2"], by_hand["synapse0"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours["net"].weights["L2->L3"], by_hand["synapse1"], rtol=0, atol=1e-12)
