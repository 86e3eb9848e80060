"""The Help menu: the guided first run, the bundled documentation, and About with the versions in use."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import PySide6
import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt, qVersion
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from nnstudio import __version__, paths
from nnstudio.app import open_window
from nnstudio.core.kernels import status
from nnstudio.ui import MainWindow
from nnstudio.ui.help.docs_browser import doc_files
from nnstudio.ui.help.tour import DONE_KEY

ROOT = Path(__file__).resolve().parents[1]


def shown(qtbot, window: MainWindow) -> MainWindow:
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_window_never_starts_the_tour_by_itself(qtbot):
    window = shown(qtbot, MainWindow())
    QCoreApplication.processEvents()
    assert not window.tour.active and not window.tour.callout.isVisible()


def test_the_tour_can_be_driven_to_its_end(qtbot):
    window = shown(qtbot, MainWindow())
    tour, callout = window.tour, window.tour.callout
    window.actions["gettingStarted"].trigger()
    assert tour.active and callout.isVisible() and QApplication.activeModalWidget() is None
    titles = []
    while tour.active:
        titles.append(callout.title.text())
        assert window.rect().contains(callout.geometry()), callout.title.text()
        assert callout.counter.text() == f"{len(titles)} of {len(tour.steps)}"
        if tour.index < 5:  # the palette, a port, Train, the error plot, a synapse: each outlined
            assert tour.outline.isVisible() and window.rect().contains(tour.outline.geometry())
            assert not callout.geometry().intersects(tour.outline.geometry().adjusted(6, 6, -6, -6))
        qtbot.mouseClick(callout.next, Qt.MouseButton.LeftButton)
    assert len(titles) == 6 and titles[0] == "Layers come from the palette"
    assert any("port" in t for t in titles) and any("Train" in t for t in titles)
    assert any("error" in t for t in titles) and any("Synapse" in t for t in titles)
    assert not callout.isVisible() and not tour.outline.isVisible()
    assert QSettings("nnstudio", "nnstudio").value(DONE_KEY, False, type=bool)  # finished: not at the next start
    assert not tour.start_on_first_run()


def test_the_tour_points_at_the_parts_it_names(qtbot):
    window = shown(qtbot, MainWindow())
    tour = window.tour
    tour.start()
    palette = window.docks["palette"]
    assert tour.outline.geometry().contains(palette.geometry().center())
    tour.next()  # the input layer's output port
    port = window.view.mapFromScene(window.scene.layer_item("L1").output_port())
    assert tour.outline.geometry().contains(window.view.viewport().mapTo(window, port))
    tour.next()
    train = window.toolbar.widgetForAction(window.actions["train"])
    assert tour.outline.geometry().contains(train.geometry().center() + train.parentWidget().pos())
    tour.back()
    assert tour.index == 1
    tour.close()
    assert not tour.active and not QSettings("nnstudio", "nnstudio").value(DONE_KEY, False, type=bool)


def test_the_first_start_shows_the_tour_until_dont_show_again(qtbot):
    first = shown(qtbot, open_window([]))
    assert first.tour.active  # the app's entry point, first start
    qtbot.mouseClick(first.tour.callout.close_button, Qt.MouseButton.LeftButton)
    assert not first.tour.active
    second = shown(qtbot, open_window([]))
    assert second.tour.active  # closed without "don't show again": it comes once more
    second.tour.callout.dont_show.setChecked(True)
    qtbot.mouseClick(second.tour.callout.close_button, Qt.MouseButton.LeftButton)
    assert QSettings("nnstudio", "nnstudio").value(DONE_KEY, False, type=bool)
    third = shown(qtbot, open_window([]))
    assert not third.tour.active and not third.tour.callout.isVisible()
    third.actions["gettingStarted"].trigger()  # Help > Getting Started still shows it
    assert third.tour.active and not third.tour.callout.dont_show.isChecked()


def test_documentation_opens_the_bundled_docs(qtbot):
    window = shown(qtbot, MainWindow())
    window.actions["documentation"].trigger()
    browser = window.docs_browser
    assert browser is not None and browser.isVisible() and not browser.isModal()
    names = [path.name for _title, path in browser.files]
    assert names[0] == "README.md" and sorted(names[1:]) == sorted(p.name for p in (ROOT / "docs").glob("*.md"))
    assert "Quick start" in browser.text.toPlainText()
    row = names.index("project-format.md")
    browser.index.setCurrentRow(row)
    assert browser.text.toPlainText().startswith("The .nnstudio project file")
    assert browser.index.item(row).text() == "The .nnstudio project file"
    assert window.show_documentation() is browser  # one browser, brought to the front


def test_the_docs_are_found_inside_an_installed_package(tmp_path, monkeypatch):
    bundled = tmp_path / "nnstudio" / "_docs"
    (bundled / "docs").mkdir(parents=True)
    (bundled / "README.md").write_text("# nnstudio\n\nhello\n")
    (bundled / "docs" / "guide.md").write_text("Intro\n\n# The guide\n")
    monkeypatch.setattr(paths, "_PACKAGE", tmp_path / "nnstudio")
    assert paths.docs_dir() == bundled
    expected = [("nnstudio", bundled / "README.md"), ("The guide", bundled / "docs" / "guide.md")]
    assert doc_files(paths.docs_dir()) == expected
    # and the wheel puts them there, in the repository's own tree
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    included = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert included["README.md"] == "nnstudio/_docs/README.md" and included["docs"] == "nnstudio/_docs/docs"


def test_documentation_that_is_not_there_says_where_it_looked(qtbot, tmp_path):
    from nnstudio.ui.help.docs_browser import DocsBrowser

    browser = DocsBrowser(tmp_path)
    qtbot.addWidget(browser)
    assert browser.files == []
    assert str(tmp_path) in browser.findChild(QLabel, "docsMissing").text()


def test_about_lists_the_versions_in_use(qtbot, monkeypatch):
    window = shown(qtbot, MainWindow())
    said = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda parent, title, text: said.append(text)))
    window.actions["about"].trigger()
    (text,) = said
    for version in (__version__, qVersion(), PySide6.__version__, np.__version__):
        assert version in text
    assert status().removeprefix("training core: ") in text
    assert ("numba" in text) == ("compiled" in status())


@pytest.mark.parametrize("name", ["gettingStarted", "documentation", "about"])
def test_the_help_menu_has_its_entries(qtbot, name):
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.actions[name] in window.menuBar().findChild(type(window.view_menu), "menuHelp").actions()


def test_code_in_the_docs_has_a_background_of_its_own(qtbot, tmp_path):
    from PySide6.QtGui import QPalette

    from nnstudio.ui.help.docs_browser import DocsBrowser

    markdown = "# The `nnstudio` docs\n\nrun `nnstudio` then:\n\n```\npip install nnstudio\n```\n\nend\n"
    (tmp_path / "README.md").write_text(markdown)
    browser = DocsBrowser(tmp_path)
    qtbot.addWidget(browser)
    page = browser.text.palette().color(QPalette.ColorRole.Base)
    blocks, fragments = {}, {}
    block = browser.text.document().begin()
    while block.isValid():
        blocks[block.text()] = block.blockFormat().background()
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            fragments[fragment.text()] = fragment.charFormat().background()
            iterator += 1
        block = block.next()
    for shade in (blocks["pip install nnstudio"], fragments["nnstudio"]):  # a code block, inline code
        assert shade.style() == Qt.BrushStyle.SolidPattern and shade.color() != page
        assert abs(shade.color().lightness() - page.lightness()) < 60  # a shade: the text still reads on it
    assert fragments["run "].style() == Qt.BrushStyle.NoBrush
    heading = browser.text.document().begin()  # a heading stays one size and weight across its code
    sizes, iterator = set(), heading.begin()
    while not iterator.atEnd():
        form = iterator.fragment().charFormat()
        sizes.add((form.fontWeight(), round(form.font().pointSizeF())))
        iterator += 1
    assert len(sizes) == 1, sizes
    assert browser.text.document().begin().blockFormat().background().style() == Qt.BrushStyle.NoBrush
