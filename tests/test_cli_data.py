"""`nnstudio new --data`, accuracies from `train --json`, raw inputs and labels in `predict`."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli import main
from nnstudio.io.project import load_project

IRIS = Path(__file__).resolve().parents[1] / "samples" / "data" / "iris.csv"


@pytest.fixture
def iris_project(tmp_path):
    out = tmp_path / "iris.nnstudio"
    args = ["new", str(out), "--data", str(IRIS), "--target", "species", "--hidden", "8,4", "--activation", "relu",
            "--test-split", "0.2", "--scale", "minmax"]
    assert main(args) == 0
    return out


def test_new_fits_the_network_to_the_data(iris_project) -> None:
    project = load_project(iris_project)
    assert "120 training rows, 30 held out" in project.description
    graph = project.graph
    order = graph.topological_order()
    assert [graph.layers[i].size for i in order] == [4, 8, 4, 3]
    assert [graph.layers[i].activation for i in order][1:] == ["relu", "relu", "softmax"]
    ds = project.dataset
    assert ds.class_names == ["setosa", "versicolor", "virginica"] and ds.scaling.method == "minmax"
    assert len(ds.X_test) == 30 and ds.Y_test.sum(axis=0).tolist() == [10, 10, 10]
    assert project.settings.cost == "ce"


def test_train_json_reports_accuracies_and_predict_takes_raw_inputs(iris_project, tmp_path, capsys) -> None:
    trained = tmp_path / "trained.nnstudio"
    capsys.readouterr()
    assert main(["train", str(iris_project), "--epochs", "300", "--json", "--out", str(trained)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["accuracy"] > 0.9 and report["test_accuracy"] > 0.8
    raw = np.loadtxt(IRIS, delimiter=",", skiprows=1, usecols=(0, 1, 2, 3))
    shown = np.array(report["inputs"])  # centimetres as in the file, not the values scaled to [0, 1]
    assert len(shown) == 120 and all(np.isclose(raw, row).all(axis=1).any() for row in shown)
    project = load_project(trained)
    row = [6.3, 3.3, 6.0, 2.5]  # a virginica from the file
    assert main(["predict", str(trained), *map(str, row), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    expected = project.build_network().predict(project.dataset.scale(np.array(row)))
    assert np.allclose(answer["outputs"], expected) and answer["label"] == "virginica"


def test_regression_train_has_no_accuracy(tmp_path, capsys) -> None:
    data = tmp_path / "r.csv"
    data.write_text("x,y\n" + "".join(f"{v},{v * v}\n" for v in np.linspace(-1, 1, 30)))
    out = tmp_path / "r.nnstudio"
    assert main(["new", str(out), "--data", str(data)]) == 0
    capsys.readouterr()
    assert main(["train", str(out), "--epochs", "5", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "accuracy" not in report and "test_accuracy" not in report
    assert main(["predict", str(out), "0.5", "--json"]) == 0
    assert "label" not in json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    "csv_bytes, extra, message",
    [
        (b"a,b,y\n1,2,3\n4,5\n", [], "line 3 has 2 cells, line 1 has 3"),
        (b"a,a\n1,2\n", [], "names column 'a' twice"),
        ("a,b\n1,2\n".encode("utf-16"), [], "UTF-16"),
        (b"a,b\n1,2\n", ["--target", "z"], "no column named 'z'"),
        (b"a,b\n1,2\n3,4\n", ["--hidden", "4,x"], "expected sizes like 16,8"),
        (b"a,b\n1,2\n3,4\n", ["--activation", "sigmod"], "unknown activation 'sigmod'"),
        (b"a,b\n1,2\n3,4\n", ["--scale", "log"], "invalid choice: 'log'"),
        (b"a,b\n1,2\n3,4\n", ["--test-split", "1.5"], "test fraction"),
    ],
)
def test_new_with_bad_data_or_options_is_one_line(tmp_path, csv_bytes, extra, message) -> None:
    data = tmp_path / "d.csv"
    data.write_bytes(csv_bytes)
    result = subprocess.run([sys.executable, "-m", "nnstudio", "new", str(tmp_path / "o.nnstudio"), "--data",
                             str(data), *extra], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "o.nnstudio").exists()


def test_a_dataset_too_large_for_a_project_file_is_refused_before_writing(tmp_path, monkeypatch, capsys) -> None:
    from nnstudio.io import from_data
    from nnstudio.io.project import project_from_bytes

    data = tmp_path / "big.csv"
    data.write_text("a,b,y\n" + "".join(f"{i * 0.37},{i % 7},{i % 2}\n" for i in range(3000)))
    out = tmp_path / "ok.nnstudio"
    assert main(["new", str(out), "--data", str(data)]) == 0
    project = project_from_bytes(out.read_bytes())
    estimate = from_data.estimated_json_bytes(project.dataset)
    actual = len(json.dumps(project.dataset.to_dict()))
    assert 0.8 < estimate / actual < 1.25
    monkeypatch.setattr(from_data, "MAX_FILE_BYTES", actual // 2)
    capsys.readouterr()
    assert main(["new", str(tmp_path / "no.nnstudio"), "--data", str(data)]) == 2
    assert "the project file would be about" in capsys.readouterr().err
    assert not (tmp_path / "no.nnstudio").exists()


def test_new_from_mnist_style_idx_files(tmp_path) -> None:
    import gzip

    def idx(array):
        return b"\0\0\x08" + bytes([array.ndim]) + np.array(array.shape, ">u4").tobytes() + array.tobytes()

    rng = np.random.default_rng(0)
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx(rng.integers(0, 256, (50, 4, 4),
                                                                                         dtype=np.uint8))))
    labels = (np.arange(50) % 3).astype(np.uint8)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx(labels)))
    out = tmp_path / "digits.nnstudio"
    assert main(["new", str(out), "--data", str(tmp_path / "t10k-images-idx3-ubyte.gz"), "--scale", "minmax"]) == 0
    project = load_project(out)
    assert project.dataset.n_inputs == 16 and project.dataset.class_names == ["0", "1", "2"]
    assert len(project.dataset) + len(project.dataset.X_test) == 50
    sizes = [project.graph.layers[i].size for i in project.graph.topological_order()]
    assert sizes == [16, 16, 3]


def test_train_json_of_a_big_dataset_leaves_out_the_rows(tmp_path, capsys) -> None:
    data = tmp_path / "many.csv"
    x = np.linspace(-1, 1, 1500)
    data.write_text("x,y\n" + "".join(f"{v},{int(v > 0)}\n" for v in x))
    project = tmp_path / "many.nnstudio"
    assert main(["new", str(project), "--data", str(data), "--classes", "--test-split", "0.2"]) == 0
    capsys.readouterr()
    assert main(["train", str(project), "--epochs", "3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows"] == 1200 and not {"inputs", "targets", "outputs"} & set(report)
    assert 0 <= report["accuracy"] <= 1 and 0 <= report["test_accuracy"] <= 1
    assert main(["train", str(project), "--epochs", "3", "--json", "--all-rows"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["inputs"]) == len(report["outputs"]) == 1200
    assert all(np.isclose(x, v[0]).any() for v in report["inputs"])  # raw, as in the file, not scaled
    assert main(["train", str(project), "--epochs", "3"]) == 0
    assert "… 1180 more rows" in capsys.readouterr().out
