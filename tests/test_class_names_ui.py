"""Class names of a categorical target in the window: the data table, Try It and the decision-surface legend."""

from __future__ import annotations

import json

import numpy as np
from PySide6.QtCore import Qt

from nnstudio.core import datasets
from nnstudio.core.data_prep import prepare
from nnstudio.paths import sample_path

Display = Qt.ItemDataRole.DisplayRole


def _blobs(tmp_path):
    """Two inputs, three colour classes (text labels in the CSV)."""
    rng = np.random.default_rng(1)
    lines = ["x,y,colour"]
    for name, (cx, cy) in (("red", (0, 0)), ("green", (3, 0)), ("blue", (1.5, 2.5))):
        lines += [f"{cx + rng.normal(0, .5):.3f},{cy + rng.normal(0, .5):.3f},{name}" for _ in range(20)]
    path = tmp_path / "blobs.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return prepare(datasets.read_csv(path), 0.25, 0, "standard")


def test_the_table_shows_the_target_and_the_guess_as_class_names(window):
    assert window.open_sample(sample_path("iris"))
    doc, model = window.document, window.training.data_table.model
    data = doc.dataset
    assert model.headers == [*data.input_names, "class", "guess", "error"]
    outputs = doc.network.predict(np.vstack([data.X, data.X_test]))
    targets = np.vstack([data.Y, data.Y_test])
    for row in (0, 50, len(data) + 3):
        assert model.data(model.index(row, 4), Display) == data.class_names[int(targets[row].argmax())]
        guess = model.data(model.index(row, 5), Display)
        picked = int(outputs[row].argmax())
        assert guess.startswith(data.class_names[picked] + " ")
        assert float(guess.split()[-1]) == round(float(outputs[row, picked]), 4)
        tip = model.data(model.index(row, 5), Qt.ItemDataRole.ToolTipRole)
        assert all(name in tip for name in data.class_names)


def test_a_class_is_edited_by_its_name_as_one_undo_step(window):
    assert window.open_sample(sample_path("iris"))
    doc, model = window.document, window.training.data_table.model
    refused = []
    model.editFailed.connect(refused.append)
    index = model.index(0, 4)
    assert model.data(index, Display) == "setosa"
    assert not model.setData(index, "tulip")
    assert refused and "setosa, versicolor, virginica" in refused[0]
    assert model.setData(index, "virginica")
    assert list(doc.dataset.Y[0]) == [0.0, 0.0, 1.0] and doc.dataset.class_names == ["setosa", "versicolor",
                                                                                        "virginica"]
    doc.undo_stack.undo()
    assert list(doc.dataset.Y[0]) == [1.0, 0.0, 0.0]


def test_try_it_names_the_class_the_network_guesses(window):
    assert window.open_sample(sample_path("iris"))
    doc, try_it = window.document, window.training.try_it
    data = doc.dataset
    for row in (0, 60, 110):
        try_it.set_values(data.X[row])
        guess = data.label(doc.network.predict(data.X[row : row + 1])[0])
        assert try_it.guess.text() == guess
    assert window.open_sample(sample_path("xor"))  # no classes: no guess row
    assert try_it.guess is None and try_it.findChild(type(try_it.note), "tryGuess") is None


def test_the_surface_legend_names_the_class_it_shows(window, tmp_path):
    window.show()
    window.training.training_dock._set_dataset(_blobs(tmp_path), "Data blobs")
    assert window.fit_bar.apply()
    surface = window.training.heatmap
    assert [surface.output_choice.itemText(k) for k in range(3)] == ["blue", "green", "red"]
    assert surface.class_legend.isVisible()
    surface.output_choice.setCurrentIndex(1)
    assert "green" in surface.class_legend.text() and "the other classes" in surface.class_legend.text()
    assert window.open_sample(sample_path("circle"))  # a 0/1 target has no class names
    assert not surface.class_legend.isVisible()


def test_try_it_takes_raw_values_as_predict_does(window, tmp_path, capsys):
    """The boxes read 5.1 cm, as in iris.csv, not the standard-scaled -0.9; typed raw values give predict's answer."""
    from nnstudio.cli import main

    assert window.open_sample(sample_path("iris"))
    doc, try_it = window.document, window.training.try_it
    data = doc.dataset
    try_it.set_values(data.X[0])
    shown = np.array([box.value() for box in try_it.input_boxes])
    assert np.allclose(shown, data.raw_inputs(data.X[0]), atol=5e-4) and not np.allclose(shown, data.X[0], atol=0.1)
    raw = [6.7, 3.0, 5.2, 2.3]
    for box, value in zip(try_it.input_boxes, raw, strict=True):
        box.setValue(value)
    assert np.allclose(try_it.values(), data.scale(np.array(raw)))  # the network is fed the scaled inputs
    path = tmp_path / "iris.nnstudio"
    assert window.save_to(str(path))
    assert main(["predict", str(path), *map(str, raw), "--json"]) == 0
    predicted = json.loads(capsys.readouterr().out)
    assert [label.text() for label in try_it.output_labels] == [f"{v:.5f}" for v in predicted["outputs"]]
    assert try_it.guess.text() == predicted["label"]


def test_the_inspector_names_the_target_class_of_its_row(window):
    assert window.open_sample(sample_path("iris"))
    data, tools = window.document.dataset, window.learning_tools
    hidden = next(layer.id for layer in window.document.graph.layers.values() if layer.role == "hidden")
    row = int(np.argmax(data.Y[:, 2]))  # the first virginica
    window.training.data_table.select_row(row)
    tools.inspect(hidden, 0)
    assert f"row {row + 1}:" in tools.inspector.title.text()
    assert "target (virginica: 0, 0, 1)" in tools.inspector.title.text()
