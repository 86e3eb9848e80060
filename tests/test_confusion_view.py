"""The confusion-matrix dock: the core's counts (train and test), live during a run, asked for only while seen."""

from __future__ import annotations

import numpy as np

from nnstudio.core import Network, datasets
from nnstudio.core.fitting import network_for_data
from nnstudio.core.frames import SLOW_PARTS, FrameBuilder, FrameRequest
from nnstudio.core.metrics import confusion_matrix
from nnstudio.core.training import TrainSettings
from nnstudio.paths import sample_path

ENDLESS = TrainSettings(target_error=0.0, epochs=10**9)


def _iris(window):
    assert window.open_sample(sample_path("iris"))
    window.show()
    show = window.docks["confusion"].toggleViewAction()  # View → Confusion Matrix (the Simple layout hides it)
    if not show.isChecked():
        show.trigger()
    window.docks["confusion"].raise_()
    return window.training.confusion


def _shown_counts(view) -> np.ndarray:
    model = view.model
    n = len(model.labels)
    return np.array([[int(model.data(model.index(r, c))) for c in range(n)] for r in range(n)])


def test_a_frame_carries_the_cores_train_and_test_counts_only_when_asked():
    data = datasets.generate("spiral", n=200, seed=3, test_fraction=0.3)
    graph, cost = network_for_data(data, (6,))
    net = Network.from_graph(graph, seed=1)
    builder = FrameBuilder(net, data, cost)
    assert builder.build(FrameRequest()).confusion is None
    train, test = builder.build(FrameRequest(confusion=True)).confusion
    outputs = net.predict(np.vstack([data.X, data.X_test]))
    assert np.array_equal(train, confusion_matrix(outputs[: len(data)], data.Y))
    assert np.array_equal(test, confusion_matrix(outputs[len(data):], data.Y_test))
    assert train.sum() == len(data) and test.sum() == len(data.X_test)
    assert SLOW_PARTS["confusion"] is False  # a pass over the dataset: a few times a second only
    regression = datasets.generate("regression_plane", n=50, seed=1)
    reg_net = Network.from_graph(network_for_data(regression, (3,))[0], seed=1)
    assert FrameBuilder(reg_net, regression, "mse").build(FrameRequest(confusion=True)).confusion == (None, None)


def test_the_dock_shows_the_cores_counts_by_class_name_and_per_class_accuracy(window):
    view = _iris(window)
    doc = window.document
    data = doc.dataset
    assert view.model.labels == data.class_names == ["setosa", "versicolor", "virginica"]
    outputs = doc.network.predict(data.X)
    expected = confusion_matrix(outputs, data.Y)
    assert np.array_equal(_shown_counts(view), expected)
    right = expected.diagonal() / expected.sum(axis=1)
    model = view.model
    assert [model.data(model.index(r, 3)) for r in range(3)] == [f"{100 * v:.1f} %" for v in right]
    view.part.setCurrentIndex(1)  # the held-out rows
    test_expected = confusion_matrix(doc.network.predict(data.X_test), data.Y_test)
    assert np.array_equal(_shown_counts(view), test_expected)
    assert view.summary.text().startswith("Test accuracy")
    assert f"of {len(data.X_test)} rows" in view.summary.text()


def test_the_worker_counts_only_while_the_dock_is_on_screen(qtbot, window):
    view = _iris(window)
    request = window.training.view_request
    qtbot.waitUntil(lambda: view.on_screen)
    assert request.current().confusion is True
    window.docks["dataTable"].raise_()  # the confusion matrix is a tab behind the table now
    qtbot.waitUntil(lambda: not view.on_screen)
    assert request.current().confusion is False
    window.docks["confusion"].raise_()
    qtbot.waitUntil(lambda: view.on_screen)
    assert request.current().confusion is True


def test_counts_follow_the_run_in_the_workers_frames(qtbot, window):
    view = _iris(window)
    doc, controller = window.document, window.training.controller
    doc.set_settings(ENDLESS)
    seen = []
    controller.frameReady.connect(lambda frame: seen.append((frame, _shown_counts(view).copy())))
    controller.train()
    qtbot.waitUntil(lambda: any(f.confusion is not None and f.epoch > 0 for f, _ in seen), timeout=30000)
    controller.stop()
    frame, shown = next((f, s) for f, s in seen if f.confusion is not None and f.epoch > 0)
    assert np.array_equal(shown, frame.confusion[0])  # the view shows the frame's training counts
    assert frame.confusion[0].sum() == len(doc.dataset) and frame.confusion[1].sum() == len(doc.dataset.X_test)


def test_regression_data_show_no_matrix_but_say_why(window):
    view = _iris(window)
    assert window.open_sample(sample_path("sine-regression"))
    window.docks["confusion"].raise_()
    assert view.model.rowCount() == 0
    assert "not classes" in view.summary.text()
