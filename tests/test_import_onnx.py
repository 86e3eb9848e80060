"""ONNX import: models written by torch.onnx.export, skl2onnx and tf2onnx (Keras) predict what onnxruntime
predicts; the rest is refused naming the op, and hostile files are refused before anything large is made."""

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from nnstudio.cli import main
from nnstudio.core import TrainingRun
from nnstudio.core.datasets import Dataset
from nnstudio.io.import_onnx import import_onnx
from nnstudio.io.import_synaptic import ForeignNetworkError
from nnstudio.io.project import load_project

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "onnx"
MODELS = sorted(p.name for p in FIXTURES.glob("*.onnx"))


def onnxruntime_outputs(path: Path, X: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    floats = [o.name for o in session.get_outputs() if o.type in ("tensor(float)", "tensor(double)")]
    shape = [d if isinstance(d, int) else len(X) for d in session.get_inputs()[0].shape]
    return np.asarray(session.run(floats, {session.get_inputs()[0].name: X.reshape(shape)})[0]).reshape(len(X), -1)


def test_the_fixtures_cover_every_exporter() -> None:
    assert {m.split("_")[0] for m in MODELS} == {"torch", "skl2onnx", "tf2onnx"} and len(MODELS) == 11


@pytest.mark.parametrize("name", MODELS)
def test_imported_model_predicts_what_onnxruntime_predicts(name) -> None:
    project = import_onnx(FIXTURES / name)
    net = project.build_network()
    X = np.random.default_rng(7).normal(0, 2, (25, net.n_inputs)).astype(np.float32)
    np.testing.assert_allclose(net.predict(X.astype(np.float64)), onnxruntime_outputs(FIXTURES / name, X),
                               atol=1e-5, rtol=1e-5)


def test_layers_activations_and_biases_come_through() -> None:
    graph = import_onnx(FIXTURES / "torch_legacy_leaky-identity-3-4-1.onnx").graph
    layers = [graph.layers[i] for i in graph.topological_order()]
    assert [layer.size for layer in layers] == [3, 4, 1]
    assert [layer.activation for layer in layers[1:]] == ["leaky_relu", "identity"]
    assert [layer.bias for layer in layers[1:]] == [True, False]
    graph = import_onnx(FIXTURES / "skl2onnx_mlpclassifier-tanh-4-6-5-3.onnx").graph
    assert [graph.layers[i].activation for i in graph.topological_order()][1:] == ["tanh", "tanh", "softmax"]


def test_keras_layers_come_through_tf2onnx() -> None:
    graph = import_onnx(FIXTURES / "tf2onnx_image-flatten-leaky-16-6-2.onnx").graph
    layers = [graph.layers[i] for i in graph.topological_order()]
    assert [layer.size for layer in layers] == [16, 6, 2]
    assert [layer.activation for layer in layers[1:]] == ["leaky_relu", "softmax"]
    graph = import_onnx(FIXTURES / "tf2onnx_relu-sigmoid-4-8-6-1.onnx").graph
    assert [graph.layers[i].activation for i in graph.topological_order()][1:] == ["relu", "logistic", "identity"]


def test_imported_model_can_be_trained(tmp_path) -> None:
    project = import_onnx(FIXTURES / "torch_dynamo_relu-tanh-softmax-4-8-6-3.onnx")
    net = project.build_network()
    data = Dataset(np.eye(4), np.eye(3)[[0, 1, 2, 0]])
    before = net.params.copy()
    TrainingRun(net, data, project.settings).run()
    assert not np.allclose(before, net.params)


def test_cli_import(tmp_path, capsys) -> None:
    out = tmp_path / "m.nnstudio"
    assert main(["import", str(FIXTURES / "skl2onnx_mlpregressor-relu-3-7-1.onnx"), str(out)]) == 0
    assert "Imported from ONNX (3-7-1" in capsys.readouterr().out
    assert load_project(out).graph.layers_with_role("output")[0].activation == "identity"


def model_with(nodes, initializers=(), inputs=None, outputs=None) -> onnx.ModelProto:
    inputs = inputs or [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 2])]
    outputs = outputs or [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 2])]
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def save(tmp_path, model, name="m.onnx") -> Path:
    path = tmp_path / name
    path.write_bytes(model.SerializeToString())
    return path


def test_gemm_alpha_beta_and_untransposed_weights(tmp_path) -> None:
    W, b = np.array([[1.0, -2.0], [0.5, 3.0]], np.float32), np.array([0.25, -1.0], np.float32)
    model = model_with([helper.make_node("Gemm", ["x", "W", "b"], ["y"], alpha=0.5, beta=2.0, transB=0)],
                       [numpy_helper.from_array(W, "W"), numpy_helper.from_array(b, "b")])
    path = save(tmp_path, model)
    X = np.array([[1.0, 2.0], [-3.0, 0.5]], np.float32)
    np.testing.assert_allclose(import_onnx(path).build_network().predict(X), onnxruntime_outputs(path, X), atol=1e-6)


@pytest.mark.parametrize(
    "nodes, match",
    [
        ([helper.make_node("Gemm", ["x", "W"], ["h"]), helper.make_node("Elu", ["h"], ["y"])],
         "unsupported ONNX op Elu"),
        ([helper.make_node("Conv", ["x", "W"], ["y"])], "unsupported ONNX op Conv"),
        ([helper.make_node("Gemm", ["x", "W"], ["y"], transA=1)], "untransposed"),
        ([helper.make_node("Gemm", ["x", "W"], ["h"]), helper.make_node("LeakyRelu", ["h"], ["y"], alpha=0.2)],
         "slope 0.2"),
        ([helper.make_node("Gemm", ["x", "W"], ["h"]), helper.make_node("Softmax", ["h"], ["y"], axis=0)], "axis 0"),
        ([helper.make_node("Gemm", ["x", "W"], ["h"]), helper.make_node("Relu", ["h"], ["r"]),
          helper.make_node("Sigmoid", ["r"], ["y"])], "does not follow a Gemm/MatMul layer"),
        ([helper.make_node("Gemm", ["x", "W"], ["h"]), helper.make_node("Add", ["h", "x"], ["y"])],
         "single chain"),
        ([helper.make_node("MatMul", ["x", "x"], ["y"])], "MatMul node 'y' does not continue the single chain"),
        ([helper.make_node("Gemm", ["x", "W"], ["h"]), helper.make_node("Relu", ["h"], ["r"]),
          helper.make_node("Reshape", ["r", "W"], ["y"])], "changes the shape"),
    ],
)
def test_what_is_not_an_mlp_is_refused_naming_the_op(tmp_path, nodes, match) -> None:
    model = model_with(nodes, [numpy_helper.from_array(np.ones((2, 2), np.float32), "W")])
    with pytest.raises(ForeignNetworkError, match=match):
        import_onnx(save(tmp_path, model))


def test_external_data_is_refused(tmp_path) -> None:
    weights = numpy_helper.from_array(np.ones((2, 2), np.float32), "W")
    weights.ClearField("raw_data")
    weights.data_location = TensorProto.EXTERNAL
    weights.external_data.add(key="location", value="weights.bin")
    model = model_with([helper.make_node("Gemm", ["x", "W"], ["y"])], [weights])
    with pytest.raises(ForeignNetworkError, match="external data file"):
        import_onnx(save(tmp_path, model))


def test_absurd_shapes_are_refused_before_any_array_is_made(tmp_path) -> None:
    huge = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[10**6, 10**6], raw_data=b"\0" * 16)
    model = model_with([helper.make_node("Gemm", ["x", "W"], ["y"])], [huge])
    with pytest.raises(ForeignNetworkError, match="shaped 1000000×1000000"):
        import_onnx(save(tmp_path, model))
    short = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[2, 2], raw_data=b"\0" * 8)
    with pytest.raises(ForeignNetworkError, match="declares 2×2 values but holds 8 bytes"):
        import_onnx(save(tmp_path, model_with([helper.make_node("Gemm", ["x", "W"], ["y"])], [short])))


def test_not_onnx_and_image_input_without_flatten(tmp_path) -> None:
    (tmp_path / "junk.onnx").write_bytes(b"\xff\x00 not a protobuf at all" * 10)
    with pytest.raises(ForeignNetworkError, match="not an ONNX model"):
        import_onnx(tmp_path / "junk.onnx")
    image = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 1, 2, 2])]
    model = model_with([helper.make_node("MatMul", ["x", "W"], ["y"])],
                       [numpy_helper.from_array(np.ones((2, 2), np.float32), "W")], inputs=image)
    with pytest.raises(ForeignNetworkError, match="needs a leading Flatten or Reshape"):
        import_onnx(save(tmp_path, model))


def test_cli_refusal_is_one_line(tmp_path, capsys) -> None:
    model = model_with([helper.make_node("Conv", ["x", "W"], ["y"])],
                       [numpy_helper.from_array(np.ones((2, 2), np.float32), "W")])
    assert main(["import", str(save(tmp_path, model)), str(tmp_path / "o.nnstudio")]) == 2
    err = capsys.readouterr().err
    assert "unsupported ONNX op Conv" in err and len(err.strip().splitlines()) == 1


def test_without_the_onnx_package_the_message_says_how_to_install(monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ForeignNetworkError, match=r"pip install nnstudio\[onnx\]"):
        import_onnx(FIXTURES / MODELS[0])
