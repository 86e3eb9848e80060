"""ONNX import of nnstudio's own exports: every activation's form and feature inputs come back as they were;
what the import cannot express as one chain is refused with the reason."""

import numpy as np
import onnxruntime as ort
import pytest

from nnstudio.core import Graph, Layer, Network
from nnstudio.core.activations import ACTIVATIONS
from nnstudio.core.features import compute_features
from nnstudio.core.scaling import fit_scaling
from nnstudio.io.export_onnx import build_model
from nnstudio.io.import_onnx import import_onnx
from nnstudio.io.import_synaptic import ForeignNetworkError
from nnstudio.io.project import load_project, save_project


def chain(sizes, activation, output="identity") -> Network:
    graph = Graph()
    for i, size in enumerate(sizes):
        role = "input" if i == 0 else "output" if i == len(sizes) - 1 else "hidden"
        graph.add_layer(Layer(size, output if role == "output" else activation, role=role, id=f"L{i}",
                              name=f"layer {i}"))
    for i in range(len(sizes) - 1):
        graph.connect(f"L{i}", f"L{i + 1}")
    return Network.from_graph(graph, seed=4, init="he")


def runtime(path, X: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X})[0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_comes_back_from_nnstudios_own_export(tmp_path, activation, dtype) -> None:
    net = chain((3, 5, 4, 2), activation, output=activation)
    path = tmp_path / "own.onnx"
    path.write_bytes(build_model(net, dtype).SerializeToString())
    project = import_onnx(path)
    graph = project.graph
    assert [graph.layers[i].activation for i in graph.topological_order()][1:] == [activation] * 3
    X = np.random.default_rng(2).normal(0, 1.5, (30, 3))
    expected = runtime(path, X.astype(np.float32 if dtype == "float32" else np.float64))
    back = project.build_network()
    np.testing.assert_allclose(back.predict(X), expected, atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(back.params, net.params, atol=1e-6 if dtype == "float32" else 0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_feature_inputs_and_their_scaling_come_back(tmp_path, dtype) -> None:
    features = ("x1", "x2^2", "x1*x2", "sin(x1)")
    net = chain((len(features), 6, 1), "tanh", output="logistic")
    raw = np.random.default_rng(5).normal([3.0, -2.0], [2.0, 0.5], (40, 2))
    scaling = fit_scaling("minmax", raw)
    path = tmp_path / "features.onnx"
    path.write_bytes(build_model(net, dtype, scaling=scaling, features=features).SerializeToString())
    project = import_onnx(path)
    ds = project.dataset
    assert ds.features == features and ds.scaling.method == "minmax" and ds.n_inputs == 2
    np.testing.assert_allclose(ds.scaling.offset, scaling.offset, rtol=1e-6)
    np.testing.assert_allclose(ds.scaling.factor, scaling.factor, rtol=1e-6)
    predicted = project.build_network().predict(compute_features(features, ds.scale(raw)))
    np.testing.assert_allclose(predicted, runtime(path, raw.astype(dtype)), atol=1e-5, rtol=1e-5)
    reopened = tmp_path / "features.nnstudio"
    save_project(project, reopened)
    assert load_project(reopened).dataset.features == features


def test_a_skip_connection_is_refused_with_the_reason(tmp_path) -> None:
    net = chain((2, 3, 1), "tanh")
    graph = net.graph.copy()
    graph.connect("L0", "L2")
    path = tmp_path / "skip.onnx"
    path.write_bytes(build_model(Network.from_graph(graph, seed=1)).SerializeToString())
    with pytest.raises(ForeignNetworkError, match="skip connections are not imported"):
        import_onnx(path)


def test_an_activation_form_with_other_constants_is_refused_naming_its_op(tmp_path) -> None:
    model = build_model(chain((2, 3, 1), "leaky_relu"), "float64")
    slope = next(t for t in model.graph.initializer if t.name.endswith("/scaled/1"))
    slope.raw_data = np.array(0.2).tobytes()  # max(z, 0.2 z) is not nnstudio's leaky relu
    path = tmp_path / "other-slope.onnx"
    path.write_bytes(model.SerializeToString())
    with pytest.raises(ForeignNetworkError, match="unsupported ONNX op Mul .node .layer 1/scaled."):
        import_onnx(path)
