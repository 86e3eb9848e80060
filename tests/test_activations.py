"""The activation registry: every entry's forms agree with its NumPy forward, whatever reads them.

Each test runs over every activation in the registry, so a new entry is checked by adding it.
"""

import math
import re
from pathlib import Path

import numpy as np
import pytest
from c_harness import build_predictor, run_predictor

from nnstudio.core import Graph, Layer, Network
from nnstudio.core.activations import ACTIVATIONS, LEAKY_SLOPE, ONNX_DOUBLE, get_activation
from nnstudio.core.standalone import standalone_source
from nnstudio.io.export_c import header_source

ROOT = Path(__file__).resolve().parents[1]
NAMES = list(ACTIVATIONS)
RNG = np.random.default_rng(5)
# sums away from 0 (where relu, leaky_relu and step have their kink), plus large ones of both signs
Z = np.concatenate([RNG.uniform(-6, 6, 40), [-700.0, -40.0, -0.5, 0.25, 40.0, 700.0]])
Z = Z[np.abs(Z) > 1e-3].reshape(-1, 2)  # rows of two sums: row-wise activations see a layer of two


def one_layer_network(name: str, size: int = 2) -> Network:
    """inputs → a layer of ``name`` through the identity matrix and no bias: its outputs are name(inputs)."""
    graph = Graph()
    graph.add_layer(Layer(size, role="input", name="In", id="in"))
    graph.add_layer(Layer(size, name, bias=False, role="output", name="Out", id="out"))
    graph.connect("in", "out")
    net = Network.from_graph(graph, seed=0)
    net.weights["in->out"][...] = np.eye(size)
    return net


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_finite_differences(name):
    act = get_activation(name)
    z = Z[np.abs(Z).max(axis=1) < 30]  # where the differences are not swamped by rounding
    h = 1e-6
    if act.rowwise:
        # the Jacobian-vector product of backward against central differences, for a random direction of grad_a
        g = RNG.normal(size=z.shape)
        grad_z = act.backward(z, act.forward(z), g)
        for j in range(z.shape[1]):
            e = np.zeros(z.shape[1])
            e[j] = h
            numeric = ((act.forward(z + e) - act.forward(z - e)) / (2 * h) * g).sum(axis=1)
            np.testing.assert_allclose(grad_z[:, j], numeric, rtol=1e-6, atol=1e-8)
            diagonal = (act.forward(z + e) - act.forward(z - e))[:, j] / (2 * h)
            np.testing.assert_allclose(act.derivative(z, act.forward(z))[:, j], diagonal, rtol=1e-6, atol=1e-8)
        return
    numeric = (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    derivative = act.derivative(z, act.forward(z))
    if act.exact_derivative:
        np.testing.assert_allclose(derivative, numeric, rtol=1e-6, atol=1e-8)
    else:  # step: a straight-through estimate of 1 where the true derivative is 0
        np.testing.assert_array_equal(derivative, np.ones_like(z))
        np.testing.assert_array_equal(numeric, np.zeros_like(z))


@pytest.mark.parametrize("name", NAMES)
def test_outputs_stay_in_the_stated_range_and_reach_its_finite_ends(name):
    act = get_activation(name)
    low, high = act.output_range
    a = act.forward(Z)
    assert np.all(a >= low) and np.all(a <= high)
    extremes = act.forward(np.array([[-40.0, 40.0], [40.0, -40.0]]))
    for end in (low, high):
        if math.isfinite(end):
            assert np.abs(extremes - end).min() < 1e-12
    assert act.unit_range == (low >= 0 and high <= 1)


@pytest.mark.parametrize("name", NAMES)
def test_in_place_forms_match_the_plain_ones(name):
    act = get_activation(name)
    a = act.forward(Z)
    g = RNG.normal(size=Z.shape)
    np.testing.assert_array_equal(act.apply_into(Z.copy(), np.empty_like(Z)), a)
    np.testing.assert_allclose(act.backward_to(Z.copy(), a, g, np.empty_like(Z)), act.backward(Z, a, g), rtol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_python_form_matches_numpy(name):
    act = get_activation(name)
    namespace = {"math": math}
    exec(act.python_function(), namespace)
    got = np.array([namespace["_" + name](list(row)) for row in Z.tolist()])
    np.testing.assert_allclose(got, act.forward(Z), rtol=1e-12, atol=1e-300)
    if not act.rowwise:
        derivative = np.vectorize(lambda v, a: eval(act.python_derivative, {"math": math, "v": v, "a": a}))
        np.testing.assert_allclose(derivative(Z, act.forward(Z)), act.derivative(Z, act.forward(Z)), rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_standalone_python_export_uses_the_form(name):
    net = one_layer_network(name)
    source = standalone_source(net)
    assert act_source(name) in source
    namespace: dict = {}
    exec(source, namespace)
    got = np.array([namespace["predict"](row) for row in Z.tolist()])
    np.testing.assert_allclose(got, net.predict(Z), rtol=1e-12, atol=1e-300)


def act_source(name: str) -> str:
    return get_activation(name).python_function()


@pytest.mark.parametrize("name", NAMES)
def test_c_form_compiled_with_gcc_matches_numpy(name, tmp_path):
    net = one_layer_network(name)
    header = header_source(net)
    assert get_activation(name).c_function() in header
    (tmp_path / "net.h").write_text(header)
    exe = build_predictor(tmp_path)
    for row in Z:
        np.testing.assert_allclose(run_predictor(exe, row), net.predict(row), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("name", NAMES)
def test_onnx_form_in_onnxruntime_matches_numpy(name):
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto

    from nnstudio.io.export_onnx import build_model

    assert ONNX_DOUBLE == TensorProto.DOUBLE
    net = one_layer_network(name)
    model = build_model(net, "float64")  # the exact forms; float32 (the default) is checked in test_export_onnx_data
    ops = [n.op_type for n in model.graph.node]
    assert ops[-len(get_activation(name).onnx):] == [form.op for form in get_activation(name).onnx]
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"In": Z})
    # opset 13 has no log1p: softplus(-40) = log(1 + 4e-18) comes out as 0, an absolute error of 4e-18
    np.testing.assert_allclose(got, net.predict(Z), rtol=1e-12, atol=1e-15)


def test_the_leaky_slope_is_one_constant_in_every_form():
    act = get_activation("leaky_relu")
    assert act.forward(np.array([-2.0]))[0] == -2.0 * LEAKY_SLOPE
    assert repr(LEAKY_SLOPE) in act.python and repr(LEAKY_SLOPE) in act.c
    assert LEAKY_SLOPE in act.onnx[0].inputs
    for path in ("nnstudio/core/standalone.py", "nnstudio/io/export_c.py", "nnstudio/io/export_onnx.py",
                 "nnstudio/core/inspector.py"):
        text = (ROOT / path).read_text()
        assert "0.01" not in text and "leaky" not in text, path


# -- documents that restate the table for readers without nnstudio --------------------------------------
def doc_snippet(path: str, after: str) -> dict:
    block = (ROOT / path).read_text().split(after, 1)[1]
    namespace: dict = {}
    exec(re.search(r"```python\n(.*?)```", block, re.S).group(1), namespace)
    return namespace["ACTIVATIONS"]


SNIPPETS = {
    "README.md": ("README.md", "Evaluating one needs nothing but NumPy"),
    "docs/weights-format.md": ("docs/weights-format.md", "## Evaluating a weights file with plain NumPy"),
}


@pytest.mark.parametrize("where", list(SNIPPETS))
def test_documented_numpy_activations_are_the_registry(where):
    table = doc_snippet(*SNIPPETS[where])
    assert list(table) == NAMES
    with np.errstate(over="ignore"):
        for name in NAMES:
            # the snippets' 1 / (1 + exp(-z)) keeps 4e-18 at z = -40 where the core's tanh form rounds to 0
            np.testing.assert_allclose(table[name](Z), get_activation(name).forward(Z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("path", ["README.md", "docs/project-format.md", "docs/weights-format.md"])
def test_documents_list_every_activation(path):
    text = (ROOT / path).read_text()
    line = next(line for line in text.splitlines() if "leaky_relu" in line and "softplus" in line)
    assert re.findall(r"\b(" + "|".join(NAMES) + r")\b", line)[: len(NAMES)] == NAMES, line
