"""The dark theme reaches the plots too (pyqtgraph views keep their own colours otherwise)."""

import pyqtgraph as pg
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from nnstudio.ui import MainWindow


def test_plots_follow_the_theme_both_ways(qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    plots = window.findChildren(pg.PlotWidget)
    assert plots
    for dark in (True, False):
        window.set_dark_theme(dark)
        palette = QApplication.palette()
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        for plot in plots:
            assert plot.backgroundBrush().color() == base, plot.objectName()
            assert plot.getPlotItem().getAxis("left").textPen().color() == text
