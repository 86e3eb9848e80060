"""The window shell: menus, toolbar, docks, status bar, and the questions the window asks (dialogs).

It knows the document only for its title; every other part is built and
wired by the composition root (:mod:`nnstudio.ui.app`), which hands the
shell its widgets (``set_canvas``, ``add_dock``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QFileDialog,
    QFrame,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ..paths import icon_path
from .actions import TRAINING_ACTIONS, build_actions
from .canvas.view import CanvasView
from .help.about import about_html
from .help.docs_browser import DocsBrowser
from .model.document import Document

if TYPE_CHECKING:
    from .autosave import Recovery

START_HINT = "Drag layers from the palette; drag from an output port to an input to connect."
MENUS: dict[str, tuple[str, list[str | None]]] = {  # objectName: (title, action names; None: a separator)
    "menuFile": ("&File", ["new", "open", "@menuOpenRecent", "@menuOpenSample", None, "save", "saveAs", None,
                           "loadData", "import", "export", "exportImage", "exportAnimation", "exportSynaptic",
                           "exportBrain", None, "quit"]),
    "menuEdit": ("&Edit", ["undo", "redo", None, "delete", "duplicate", "rename", "selectAll"]),
    "menuView": ("&View", ["@menuLayout", "@menuTheme", None, "zoomIn", "zoomOut", "zoomFit", "zoomReset", None,
                           "snapToGrid", "showLegend", None, "compareRuns", None]),
    "menuNetwork": ("&Network", ["connect", "autoLayout", None, *TRAINING_ACTIONS, None, "restarts"]),
    "menuHelp": ("&Help", ["gettingStarted", "documentation", None, "about"]),
}
SUBMENUS: dict[str, tuple[str, list[str | None]]] = {  # the recent and sample menus are filled as files come
    "menuOpenRecent": ("Open &Recent", []), "menuOpenSample": ("Open Sa&mple", []),
    "menuLayout": ("&Layout", ["layoutSimple", "layoutFull", "layoutPresentation", None, "layoutReset"]),
    "menuTheme": ("&Theme", ["themeSystem", "themeLight", "themeDark"]),
}
TOOLBAR: list[str | None] = ["new", "open", "save", None, "undo", "redo", None, "delete", "connect", "autoLayout", None,
           "zoomIn", "zoomOut", "zoomFit", None, *TRAINING_ACTIONS]
CANVAS_MENU: list[str | None] = ["connect", "duplicate", "rename", "delete", None, "autoLayout", "zoomFit", "selectAll"]


class WindowShell(QMainWindow):
    """nnstudio's window frame for ``document``: every action of :mod:`nnstudio.ui.actions` in menus and toolbar."""

    firstShown = Signal()  # the window is about to appear for the first time (docks take their sizes)
    closing = Signal()  # the close was accepted: parts stop, nothing signals into the window any more

    def __init__(self, document: Document, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowIcon(QIcon(str(icon_path("nnstudio"))))
        self.document, self.settings = document, settings
        # by name, as scripts use them (window.actions["train"]); it hides QWidget.actions()
        self.actions: dict[str, QAction] = build_actions(self)  # type: ignore[assignment]
        for action in self.actions.values():
            self.addAction(action)
        self.actions["showLegend"].setChecked(True)
        self.actions["snapToGrid"].setChecked(bool(settings.value("snapToGrid", False, type=bool)))
        self.canvas_view: CanvasView | None = None
        self.startup_error: str | None = None  # shown once the window is on screen
        self.docs_browser: DocsBrowser | None = None
        self._state_restored = False
        self._build_menus()
        self._build_toolbar()
        self.summary_label = QLabel()
        self.summary_label.setObjectName("networkSummary")
        self.summary_label.setToolTip("Size of the network")
        self.statusBar().addPermanentWidget(self.summary_label)
        divider = QFrame(objectName="statusDivider")  # the network's size | what training says
        divider.setFrameShape(QFrame.Shape.VLine)
        divider.setFrameShadow(QFrame.Shadow.Sunken)
        self.statusBar().addPermanentWidget(divider)
        self.statusBar().showMessage(START_HINT, 8000)
        document.modifiedChanged.connect(self._update_title)
        document.pathChanged.connect(self._update_title)
        self.resize(1280, 800)
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self._update_title()

    # -- building ------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        menus: dict[str, QMenu] = {}

        def fill(menu: QMenu, entries: list[str | None]) -> None:
            for entry in entries:
                if entry is None:
                    menu.addSeparator()
                elif entry.startswith("@"):
                    title, sub_entries = SUBMENUS[entry[1:]]
                    submenu = menus[entry[1:]] = menu.addMenu(title)
                    submenu.setObjectName(entry[1:])
                    fill(submenu, sub_entries)
                else:
                    menu.addAction(self.actions[entry])

        for name, (title, entries) in MENUS.items():
            menu = menus[name] = self.menuBar().addMenu(title)
            menu.setObjectName(name)
            fill(menu, entries)
        self.recent_menu, self.sample_menu = menus["menuOpenRecent"], menus["menuOpenSample"]
        self.view_menu, self.network_menu = menus["menuView"], menus["menuNetwork"]

    def _build_toolbar(self) -> None:
        self.toolbar = self.addToolBar("Main")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setIconSize(QSize(20, 20))
        for name in TOOLBAR:
            if name is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(self.actions[name])

    def set_canvas(self, view: CanvasView, above: QWidget | None = None) -> None:
        """The canvas in the middle (with ``above``, e.g. a message bar, over it); right-click on it offers
        the editing actions."""
        self.canvas_view = view
        if above is None:
            self.setCentralWidget(view)
        else:
            middle = QWidget()
            column = QVBoxLayout(middle)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(0)
            column.addWidget(above)
            column.addWidget(view, 1)
            self.setCentralWidget(middle)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for name in CANVAS_MENU:
            if name is None:
                separator = QAction(view)
                separator.setSeparator(True)
                view.addAction(separator)
            else:
                view.addAction(self.actions[name])

    def add_dock(self, widget: QWidget, title: str, name: str,
                 area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea) -> QDockWidget:
        """Wrap ``widget`` in a dock called ``name`` (its objectName), add it and its View-menu toggle."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setAccessibleName(title)
        dock.setWidget(widget)
        dock.toggleViewAction().setObjectName(f"actionShow{name[0].upper()}{name[1:]}")
        dock.toggleViewAction().setToolTip(f"Show or hide the {title} panel")
        dock.toggleViewAction().triggered.connect(dock.raise_)  # shown as a tab: the tab in front, not behind
        self.addDockWidget(area, dock)
        self.view_menu.addAction(dock.toggleViewAction())
        return dock

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.title}[*] — nnstudio")
        self.setWindowModified(self.document.modified)

    def show_status(self, text: str, timeout: int = 6000) -> None:
        self.statusBar().showMessage(text, timeout)

    # -- questions (tests replace these) -------------------------------------------------------------
    def ask_save_changes(self) -> QMessageBox.StandardButton:
        """Save, Discard or Cancel for unsaved changes."""
        return QMessageBox.question(
            self, "Unsaved changes", f"Save the changes to {self.document.title} first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )

    def ask_recover(self, recovery: Recovery) -> bool:
        """Whether to restore an autosave left by a crashed session."""
        where = recovery.original_path or "an untitled project"
        answer = QMessageBox.question(
            self, "Recover unsaved work?",
            f"nnstudio did not close properly last time. Recover the autosaved copy of {where}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    def ask_layer_name(self, current: str) -> str | None:
        name, ok = QInputDialog.getText(self, "Rename layer", "Name:", text=current)
        return name if ok else None

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def choose_open_path(self, caption: str, filters: str, directory: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, caption, directory, filters)
        return path or None

    def choose_save_path(self, caption: str, filters: str, suggestion: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, caption, suggestion, filters)
        return path or None

    def about(self) -> None:
        """What nnstudio is, and the versions of it, Qt, PySide6, NumPy and the training path in use."""
        QMessageBox.about(self, "About nnstudio", about_html())

    def show_documentation(self) -> DocsBrowser:
        """The bundled documentation in a window of its own (one per main window, brought to the front)."""
        if self.docs_browser is None:
            self.docs_browser = DocsBrowser(parent=self)
        self.docs_browser.show()
        self.docs_browser.raise_()
        self.docs_browser.activateWindow()
        return self.docs_browser

    # -- showing and closing ------------------------------------------------------------------------
    def may_close(self) -> bool:
        """Whether the window may close now (the composition root asks about unsaved changes)."""
        return True

    def showEvent(self, event: QShowEvent) -> None:
        # the dock layout is restored on first show, so docks added after construction are included
        if not self._state_restored:
            self._state_restored = True
            self.firstShown.emit()  # the layout takes its places and sizes
            if self.canvas_view is not None:
                self.canvas_view.fit()
            if self.startup_error:
                QTimer.singleShot(0, self._show_startup_error)
        super().showEvent(event)

    def _show_startup_error(self) -> None:
        """Say why the project given at start did not open, once no other question is open (the offer to
        recover a crashed session's work comes first): one dialog at a time, never one stacked on another."""
        question = QApplication.activeModalWidget()
        if isinstance(question, QDialog):
            question.finished.connect(lambda _result: QTimer.singleShot(0, self._show_startup_error))
            return
        self.show_error("Could not open the project", self.startup_error or "")

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.may_close():
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.closing.emit()  # the layout keeps its window state
        self.settings.sync()
        event.accept()
