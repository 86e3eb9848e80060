"""Window layouts: the Simple layout leaves the canvas room, each layout remembers its docks, Presentation is big."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox, QScrollArea, QWidget

from nnstudio.ui import MainWindow
from nnstudio.ui.layouts import LAYOUTS

SIMPLE_IN_SIGHT = ("training", "errorPlot", "dataTable")


def open_window(qtbot, size=(1280, 800)) -> MainWindow:
    window = MainWindow()
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    QCoreApplication.processEvents()
    return window


def in_sight(widget: QWidget) -> bool:
    """Shown and not covered: some of it is on screen."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


@pytest.fixture
def window(qtbot):
    w = open_window(qtbot)
    yield w
    w.training.controller.shutdown(2000)


def test_the_layouts_have_their_actions(window):
    names = {name: window.findChild(type(window.actions["train"]), f"actionLayout{name.capitalize()}")
             for name in LAYOUTS}
    assert set(LAYOUTS) == {"simple", "full", "presentation"} and all(names.values())
    assert window.layouts.current == "simple" and names["simple"].isChecked()
    names["full"].trigger()
    assert window.layouts.current == "full" and names["full"].isChecked() and not names["simple"].isChecked()
    assert QSettings("nnstudio", "nnstudio").value("layout") == "full"
    with pytest.raises(ValueError, match="no layout 'tiny'"):
        window.layouts.switch("tiny")


def test_simple_layout_gives_the_canvas_room_at_1280_by_800(window):
    assert window.size().width() == 1280 and window.size().height() == 800
    canvas = window.view.width() * window.view.height()
    share = canvas / (window.width() * window.height())
    assert share >= 0.40, f"the canvas gets {share:.0%} of the window"
    for name in SIMPLE_IN_SIGHT:
        assert in_sight(window.docks[name]), name
    dock = window.training.training_dock
    for widget in (dock.dataset_combo, dock.rate, dock.speed, dock.step_sample_button):
        assert in_sight(widget), widget.objectName()
    buttons = [b for b in dock.findChildren(QWidget) if getattr(b, "defaultAction", None) and b.defaultAction()]
    shown = {b.defaultAction().objectName() for b in buttons if in_sight(b)}
    assert {"actionTrain", "actionPause", "actionStep", "actionReset"} <= shown


def test_every_other_panel_is_one_click_away(window):
    for name, dock in window.docks.items():
        if in_sight(dock):
            continue
        show = dock.toggleViewAction()
        assert show in window.view_menu.actions(), name
        if not show.isChecked():  # hidden (the confusion matrix, the weight pictures): its View entry shows it
            assert name in LAYOUTS["simple"].hidden, name
            show.trigger()
            QCoreApplication.processEvents()
            assert in_sight(dock), name  # shown as the tab in front
            continue
        # a tab beside a panel in sight: one click on its tab brings it up
        assert any(in_sight(other) for other in window.tabifiedDockWidgets(dock)), name


@pytest.mark.parametrize("layout", ["simple", "full"])
def test_the_settings_need_no_scrolling_at_1280_by_800(window, layout):
    window.layouts.switch(layout)
    dock = window.training.training_dock
    scroll = dock.findChild(QScrollArea)
    for index in range(dock.sections.count()):
        dock.sections.setCurrentIndex(index)
        QCoreApplication.processEvents()
        assert scroll.verticalScrollBar().maximum() == 0, dock.sections.tabText(index)
    assert [dock.sections.tabText(i) for i in range(dock.sections.count())] == ["Data", "Features", "Optimizer", "Stop",
                                                                               "Seeds"]
    tabs = {dock.sections.tabText(i): i for i in range(dock.sections.count())}
    dock.sections.setCurrentIndex(tabs["Optimizer"])
    QCoreApplication.processEvents()
    for widget in (dock.optimizer, dock.loss, dock.l2):
        assert in_sight(widget), widget.objectName()
    dock.sections.setCurrentIndex(tabs["Stop"])
    QCoreApplication.processEvents()
    for widget in (dock.max_epochs, dock.target_error, dock.patience):
        assert in_sight(widget), widget.objectName()


@pytest.mark.parametrize("layout", ["simple", "full"])
def test_the_inspector_table_is_not_clipped(window, layout):
    window.layouts.switch(layout)
    window.learning_tools.inspect("L2", 0)
    QCoreApplication.processEvents()
    table = window.learning_tools.inspector.table
    assert in_sight(table) and table.rowCount() > 0
    assert table.horizontalScrollBar().maximum() == 0


def test_the_hover_readout_does_not_resize_the_docks(window):
    plot = window.training.error_plot
    before = (plot.minimumSizeHint().width(), window.docks["errorPlot"].width())
    plot.readout.setText("epoch 1,234,567 · error 0.000123456 · test 0.000234567 " * 3)
    QCoreApplication.processEvents()
    assert (plot.minimumSizeHint().width(), window.docks["errorPlot"].width()) == before


def test_each_layout_remembers_its_window_state(qtbot, window):
    layouts, docks = window.layouts, window.docks
    layouts.switch("full")
    assert in_sight(docks["heatmap"]) and in_sight(docks["palette"])
    docks["heatmap"].hide()
    layouts.switch("simple")
    assert docks["heatmap"].toggleViewAction().isChecked()  # Simple keeps it as a tab
    layouts.switch("full")
    assert not docks["heatmap"].toggleViewAction().isChecked()
    docks["errorPlot"].hide()
    layouts.switch("full")  # chosen again: stays as the user left it
    assert not docks["errorPlot"].toggleViewAction().isChecked()
    layouts.reset()
    assert in_sight(docks["heatmap"]) and in_sight(docks["errorPlot"])
    docks["palette"].hide()
    window.close()
    # the next window opens in the layout last used, as it was left
    again = open_window(qtbot)
    try:
        assert again.layouts.current == "full" and again.actions["layoutFull"].isChecked()
        assert not again.docks["palette"].toggleViewAction().isChecked()
        assert in_sight(again.docks["heatmap"])
    finally:
        again.training.controller.shutdown(2000)


def test_presentation_is_big_and_leaving_it_is_not(window):
    normal_font = window.training.training_dock.rate.font().pointSizeF()
    normal_width = window.scene.connection_item("L1->L2")._batches[0][0].widthF()
    window.layouts.switch("presentation")
    assert window.training.training_dock.rate.font().pointSizeF() >= 1.4 * normal_font
    assert window.scene.connection_item("L1->L2")._batches[0][0].widthF() >= 2 * normal_width
    tick = window.training.error_plot.plot.getPlotItem().getAxis("bottom").style["tickFont"]
    assert tick is not None and tick.pointSizeF() >= 1.4 * QApplication.font().pointSizeF()
    error_share = window.docks["errorPlot"].width() * window.docks["errorPlot"].height()
    assert error_share >= 0.15 * window.width() * window.height()
    window.layouts.switch("simple")
    assert window.training.training_dock.rate.font().pointSizeF() == normal_font == QApplication.font().pointSizeF()
    assert window.scene.connection_item("L1->L2")._batches[0][0].widthF() == normal_width
    assert window.training.error_plot.plot.getPlotItem().getAxis("bottom").style["tickFont"] is None


def test_a_saved_state_of_another_arrangement_is_not_restored(qtbot):
    QSettings("nnstudio", "nnstudio").setValue("layouts/simple/state", b"not a window state")
    w = open_window(qtbot)
    try:
        assert all(isinstance(dock, QDockWidget) for dock in w.docks.values())
        for name in SIMPLE_IN_SIGHT:
            assert in_sight(w.docks[name]), name
    finally:
        w.training.controller.shutdown(2000)
