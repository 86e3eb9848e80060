"""Training views: accuracy by the core's rule, a loaded project starts clean, legend and decision-surface marks."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nnstudio.core import datasets
from nnstudio.core.metrics import right_answers
from nnstudio.io.project import load_project
from nnstudio.paths import sample_path
from nnstudio.ui import MainWindow
from nnstudio.ui.model.document import Document


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    w.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(w)
    yield w
    w.training.controller.shutdown(2000)


def _predicting(doc: Document, monkeypatch, rows_for) -> None:
    """Make the document's network answer ``rows_for(X)`` for a batch (the views only read predictions)."""

    def predict(X):
        batch = np.atleast_2d(np.asarray(X, dtype=float))
        out = rows_for(batch)
        return out[0] if np.ndim(X) == 1 else out

    monkeypatch.setattr(doc.network, "predict", predict)


def _count(curve) -> int:
    x, _ = curve.getData()
    return 0 if x is None else len(x)


def _lookup(X: np.ndarray, outputs: np.ndarray):
    """Outputs by input row (other inputs, e.g. the try-it panel's, get the first row's outputs)."""

    def rows_for(batch):
        index = [next(iter(np.flatnonzero((X == row).all(axis=1))), 0) for row in batch]
        return outputs[index]

    return rows_for


def test_multi_label_outputs_all_right_show_100_percent(window, monkeypatch):
    doc, plot = window.document, window.training.error_plot
    doc.load(load_project(sample_path("logic-gates")))
    Y = doc.dataset.Y
    # every output on the right side of 0.5; rows with several 1s peak on a later column than the
    # target's first 1, which an argmax over the three gates would count as wrong
    right = np.where(Y > 0.5, 0.9 + 0.03 * np.arange(Y.shape[1]), 0.1)
    _predicting(doc, monkeypatch, _lookup(doc.dataset.X, right))
    plot.refresh_accuracy()
    assert plot.accuracy_label.text() == "accuracy 100%"
    one_wrong = right.copy()
    one_wrong[0, 0] = 0.7  # AND(0, 0) should be 0
    _predicting(doc, monkeypatch, _lookup(doc.dataset.X, one_wrong))
    plot.refresh_accuracy()
    assert plot.accuracy_label.text() == "accuracy 91.6%"  # 11 of 12, rounded down: never up to a "100%"


def test_single_target_zero_uses_the_half_threshold(window, monkeypatch):
    doc, plot = window.document, window.training.error_plot
    doc.load(load_project(sample_path("single-neuron")))
    assert doc.dataset.Y.tolist() == [[0.0]]
    _predicting(doc, monkeypatch, lambda X: np.full((len(X), 1), 0.2))
    plot.refresh_accuracy()
    assert plot.accuracy_label.text() == "accuracy 100%"
    _predicting(doc, monkeypatch, lambda X: np.full((len(X), 1), 0.6))
    plot.refresh_accuracy()
    assert plot.accuracy_label.text() == "accuracy 0%"


def test_regression_shows_no_accuracy(window):
    doc, plot = window.document, window.training.error_plot
    doc.load(load_project(sample_path("sine-regression")))
    plot.refresh_accuracy()
    assert plot.accuracy_label.text() == ""
    assert window.training.heatmap.wrong_count == 0


def test_loading_a_project_forgets_the_previous_projects_run(window):
    doc, plot, panel = window.document, window.training.error_plot, window.training
    doc.load(load_project(sample_path("circle")))
    doc.history.extend(1, np.linspace(1.0, 0.1, 300))
    doc.historyChanged.emit()
    doc.reset_weights()  # the 300 epochs become the "previous run" of this project
    doc.history.extend(1, np.linspace(0.9, 0.2, 50))
    doc.historyChanged.emit()
    plot.add_abandoned(np.arange(20, 40), np.linspace(0.5, 0.4, 20))
    panel.status_label.setText("Stopped at the maximum number of epochs (300); error 0.1. Press Train to go on.")
    assert _count(plot.previous_curve) == 300
    assert plot._legend_names == ["train", "previous run", "abandoned branch"]

    xor = load_project(sample_path("xor-2-2-1"))
    doc.load(xor)
    assert _count(plot.previous_curve) == 0
    assert _count(plot.abandoned_curve) == 0
    assert panel.status_label.text() == ""
    assert _count(plot.train_curve) == len(doc.history)
    assert plot._legend_names == (["train"] if len(doc.history) else [])
    x_range = plot.plot.getPlotItem().vb.viewRange()[0]
    assert x_range[1] < 300 or doc.history.last_epoch >= 200  # circle's 300 epochs no longer size the axis


def test_legend_lists_only_curves_with_data_and_abandoned_is_grey_dotted(window):
    doc, plot = window.document, window.training.error_plot
    assert plot._legend_names == [] and not plot._legend.isVisible()  # no empty frame over the plot
    doc.history.extend(1, np.linspace(1.0, 0.1, 30))
    doc.historyChanged.emit()
    assert plot._legend_names == ["train"] and plot._legend.isVisible()
    doc.history.add_test(30, 0.2)
    doc.historyChanged.emit()
    assert plot._legend_names == ["train", "test"]
    plot.add_abandoned(np.arange(10, 20), np.linspace(0.5, 0.4, 10))
    assert plot._legend_names == ["train", "test", "abandoned branch"]
    pen = plot.abandoned_curve.opts["pen"]
    assert pen.style() == Qt.PenStyle.DotLine and pen.color().red() == pen.color().blue()
    assert plot.train_curve.opts["pen"].style() == Qt.PenStyle.SolidLine
    plot.clear_abandoned()
    assert plot._legend_names == ["train", "test"]


def test_error_axis_names_the_loss(window):
    doc, plot = window.document, window.training.error_plot
    assert plot.loss_label == "error (binary cross-entropy)"  # the default XOR net: logistic output, auto loss
    assert "binary cross-entropy" in plot.plot.toolTip()
    doc.set_settings(doc.settings.__class__(**{**doc.settings.__dict__, "cost": "mse"}))
    assert plot.loss_label == "error (mean squared)" and "mean squared" in plot.plot.toolTip()


def test_error_axis_label_fits_the_plot(window, qtbot):
    """The loss's full name along the axis only when the plot is tall enough; else "error" (never cut off)."""
    plot = window.training.error_plot
    window.show()
    qtbot.waitExposed(window)
    axis, view = plot.plot.getAxis("left"), plot.plot.getPlotItem().vb
    dock = window.docks["errorPlot"]
    for height in (120, 600):
        window.resizeDocks([dock], [height], Qt.Orientation.Vertical)
        qtbot.waitUntil(lambda height=height: abs(dock.height() - height) < 60 or dock.height() > height)
        fits = axis.label.boundingRect().width() <= view.height()
        assert fits, (axis.labelText, view.height())
        label, room = axis.label.sceneBoundingRect(), axis.sceneBoundingRect()
        assert room.top() - 1 <= label.top() and label.bottom() <= room.bottom() + 1  # centred along the axis
        if height == 120:
            assert axis.labelText == "error" and view.height() < 190
        else:
            assert axis.labelText == "error (binary cross-entropy)"


def test_decision_surface_rings_the_points_the_core_counts_wrong(window, monkeypatch):
    doc, heatmap = window.document, window.training.heatmap
    doc.set_dataset(datasets.generate("circle", n=60, noise=0.0, seed=3, test_fraction=0.25))
    X = np.vstack([doc.dataset.X, doc.dataset.X_test])
    Y = np.vstack([doc.dataset.Y, doc.dataset.Y_test])
    # answer "class 1" everywhere: exactly the class-0 points are wrong
    _predicting(doc, monkeypatch, lambda P: np.full((len(P), 1), 0.9))
    heatmap.refresh()
    expected = ~right_answers(np.full((len(X), 1), 0.9), Y)[:, 0]
    assert heatmap.wrong_count == int(expected.sum()) == int((Y[:, 0] < 0.5).sum()) > 0
    marked = np.array([p.pos() for p in heatmap.wrong_marks.points()])
    assert np.allclose(np.sort(marked, axis=0), np.sort(X[expected], axis=0))
    # the points keep their target colours (not the surface's): class 0 orange, class 1 blue
    brushes = [b.color().name() for b in heatmap.train_points.data["brush"]]
    assert set(brushes) == {"#f59322", "#0877bd"}


def test_restarts_without_a_target_error_say_so_and_draw_no_target_line(qtbot):
    from nnstudio.core.training import TrainSettings
    from nnstudio.ui.learning.restarts_dialog import RestartsDialog

    document = Document()
    document.set_settings(TrainSettings(epochs=30, target_error=0.0))
    dialog = RestartsDialog(document)
    qtbot.addWidget(dialog)
    dialog.count.setValue(5)
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)
    text = dialog.summary.text()
    assert "target error: none (runs to max epochs)" in text and "reached" not in text
    assert not dialog.target_line.isVisible() and not dialog.hist_target.isVisible()
    document.set_settings(TrainSettings(epochs=30, target_error=0.01))
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)
    assert "runs reached the target error 0.01" in dialog.summary.text()
    assert dialog.target_line.isVisible() and dialog.target_line.value() == pytest.approx(-2.0)


def test_dataset_summary_counts_in_words(window):
    doc, dock = window.document, window.training.training_dock
    doc.load(load_project(sample_path("single-neuron")))
    assert dock.dataset_info.text() == "1 training row; 1 input → 1 target (classification)"
    doc.load(load_project(sample_path("logic-gates")))
    assert dock.dataset_info.text().startswith("4 training rows; 2 inputs → 3 targets")


def test_data_table_shows_round_off_as_zero_and_keeps_the_exact_value_for_editing(window):
    doc, model = window.document, window.training.data_table.model
    doc.load(load_project(sample_path("sine-regression")))
    assert doc.dataset.Y[0, 0] == pytest.approx(0.0, abs=1e-15) and doc.dataset.Y[0, 0] != 0.0
    target = model.index(0, doc.dataset.n_inputs)
    assert model.data(target) == "0"
    assert model.data(target, Qt.ItemDataRole.EditRole) == doc.dataset.Y[0, 0]
    assert model.data(model.index(2, 0)) == f"{doc.dataset.X[2, 0]:.4f}".rstrip("0")


def test_a_refused_learning_rate_reverts_and_says_so(window, qtbot):
    doc, dock = window.document, window.training.training_dock
    rate = doc.settings.rate
    editor = dock.rate.lineEdit()
    for typed in ("0", ""):
        editor.setText(typed)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        assert dock.rate.currentText() == f"{rate:g}"
        assert doc.settings.rate == rate
        assert "refused" in dock.message.text() and f"Kept {rate:g}" in dock.message.text()
        assert window.training.status_label.text() == dock.message.text()
    dock.message.clear()
    editor.setText("")
    qtbot.keyClicks(editor, "-")  # refused as it is typed: the box is still empty
    assert dock.message.text() == f"Refused: the learning rate must be a number above 0. Kept {rate:g}."
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert dock.rate.currentText() == f"{rate:g}" and doc.settings.rate == rate
    editor.setText("0.03")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert doc.settings.rate == 0.03 and dock.message.text() == ""


def test_the_accuracy_label_never_rounds_up_to_all_right(window):
    plot = window.training.error_plot
    plot.show_accuracy(199 / 200, 0.996)
    assert plot.accuracy_label.text() == "accuracy 99.5% · test 99.6%"
    plot.show_accuracy(1.0, None)
    assert plot.accuracy_label.text() == "accuracy 100%"
