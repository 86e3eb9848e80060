"""The View menu's panel entries: a panel shown from its entry comes to the front, not behind another tab."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from nnstudio.ui.layouts import LAYOUTS


def in_sight(widget: QWidget) -> bool:
    """Shown and not covered: some of it is on screen."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


@pytest.fixture
def window(window, qtbot):
    """conftest's window, on screen at the size the Simple layout is made for."""
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    QCoreApplication.processEvents()
    return window


@pytest.mark.parametrize("name", LAYOUTS["simple"].hidden)
def test_a_panel_shown_from_the_view_menu_is_the_tab_in_front(window, name):
    dock = window.docks[name]
    assert not dock.isVisible()  # the Simple layout keeps it one View-menu click away
    dock.toggleViewAction().trigger()
    QCoreApplication.processEvents()
    assert in_sight(dock), f"{name} was added behind another tab"
    dock.toggleViewAction().trigger()  # the same entry hides it again
    QCoreApplication.processEvents()
    assert not dock.isVisible()


def test_the_confusion_matrix_shown_from_the_view_menu_counts_the_network_as_it_is(window):
    window.docks["confusion"].toggleViewAction().trigger()
    QCoreApplication.processEvents()
    assert window.training.confusion.on_screen  # it counts for the weights of now, not of when it was last seen
