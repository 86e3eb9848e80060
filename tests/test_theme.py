"""The theme: it follows the desktop unless one is chosen, and reaches the plots too (pyqtgraph keeps its own)."""

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


def _window(qtbot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    return window


def _dark_now() -> bool:
    return QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def test_the_theme_follows_the_desktop_by_default(qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    window = _window(qtbot)
    choice = window.theme
    assert choice.theme == "system" and window.actions["themeSystem"].isChecked()
    hints = QGuiApplication.styleHints()
    try:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # what the desktop's switch sends
        assert _dark_now() and window.actions["darkTheme"].isChecked()
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert not _dark_now() and not window.actions["darkTheme"].isChecked()
        # a theme chosen in View > Theme wins over the desktop, and is kept for the next window
        window.actions["themeDark"].trigger()
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert _dark_now() and choice.theme == "dark"
        again = _window(qtbot)
        assert again.theme.theme == "dark" and again.actions["themeDark"].isChecked()
        window.actions["themeLight"].trigger()
        assert not _dark_now() and window.actions["themeLight"].isChecked()
        window.actions["themeSystem"].trigger()
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert _dark_now()
    finally:
        window.theme.choose("light")
    assert not _dark_now()


def test_the_old_dark_switch_chooses_a_theme(qtbot) -> None:
    from PySide6.QtCore import QSettings

    window = _window(qtbot)
    try:
        window.actions["darkTheme"].setChecked(True)
        assert _dark_now() and window.theme.theme == "dark" and window.actions["themeDark"].isChecked()
    finally:
        window.actions["darkTheme"].setChecked(False)
    assert window.theme.theme == "light" and QSettings("nnstudio", "nnstudio").value("theme") == "light"
    QSettings("nnstudio", "nnstudio").remove("theme")
    QSettings("nnstudio", "nnstudio").setValue("darkTheme", True)  # kept by nnstudio before View > Theme
    older = _window(qtbot)
    try:
        assert older.theme.theme == "dark" and _dark_now()
    finally:
        older.theme.choose("light")
