"""Window layouts: Simple (the network first), Full (every panel in sight) and Presentation (big, for a projector).

A layout places the window's docks (which area, which share a place as tabs,
how big); the user may then move them.  The window state (dock places, sizes,
visibility) is remembered per layout in QSettings (``layouts/<name>/state``),
so switching back brings a layout as it was left; Reset Layout forgets it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QObject, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QFont
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QTabBar, QToolBar

from .canvas.scene import CanvasScene
from .canvas.view import CanvasView
from .training.error_plot import ErrorPlot

Area = Qt.DockWidgetArea
LEFT, RIGHT, BOTTOM = Area.LeftDockWidgetArea, Area.RightDockWidgetArea, Area.BottomDockWidgetArea
STATE_VERSION = 14  # a state saved by another arrangement of the docks (an older nnstudio) is not restored


@dataclass(frozen=True)
class Arrangement:
    """Where a layout puts the docks: per area, groups stacked in order; the docks of a group share a place as tabs
    (the first one in front).  Sizes are fractions of the window (width of the side columns, height of the bottom
    row) and the widths of the bottom groups relative to each other."""

    areas: tuple[tuple[Area, tuple[tuple[str, ...], ...]], ...]
    side_width: float  # the right-hand column, as a share of the window's width
    left_width: float  # the left-hand column (0: none)
    bottom_height: float  # the bottom row, as a share of the window's height
    bottom_shares: tuple[float, ...]  # relative widths of the bottom row's groups
    right_shares: tuple[float, ...]  # relative heights of the right column's groups
    left_shares: tuple[float, ...] = ()  # and of the left column's
    scale: float = 1.0  # fonts, icons and synapse widths (the presentation layout is bigger)
    hidden: tuple[str, ...] = ()  # placed (the View menu shows them there) but not shown


LAYOUTS: dict[str, Arrangement] = {
    # the canvas gets most of the window; training controls, error plot and outputs in sight, the rest as tabs
    "simple": Arrangement(
        ((RIGHT, (("training",), ("palette", "properties", "validation"))),
         (BOTTOM, (("errorPlot",), ("dataTable", "tryIt", "heatmap", "confusion", "weightImages", "inspector")))),
        side_width=0.27, left_width=0.0, bottom_height=0.30, bottom_shares=(0.42, 0.58), right_shares=(0.62, 0.38),
        hidden=("confusion", "weightImages")),
    # nearly every panel in sight at once, as nnstudio always looked (validation behind properties)
    "full": Arrangement(
        ((LEFT, (("palette",), ("properties", "validation"))), (RIGHT, (("training",), ("inspector",))),
         (BOTTOM, (("errorPlot",), ("dataTable", "tryIt", "confusion"), ("heatmap", "weightImages")))),
        side_width=0.34, left_width=0.2, bottom_height=0.4, bottom_shares=(0.3, 0.45, 0.25),
        right_shares=(0.64, 0.36), left_shares=(0.24, 0.28)),
    # for a projector: large type, thick synapses, a big error plot
    "presentation": Arrangement(
        ((RIGHT, (("training", "palette", "properties", "validation", "inspector"),)),
         (BOTTOM, (("errorPlot",), ("dataTable", "heatmap", "tryIt", "confusion", "weightImages")))),
        side_width=0.36, left_width=0.0, bottom_height=0.42, bottom_shares=(0.5, 0.5), right_shares=(1.0,),
        scale=1.5, hidden=("validation", "inspector", "tryIt", "confusion", "weightImages")),
}
DEFAULT_LAYOUT = "simple"
LEGEND_TEXT_SIZE = "9pt"  # pyqtgraph's size for a plot legend's labels


def action_name(layout: str) -> str:
    """``simple`` -> ``layoutSimple`` (the action's objectName is ``actionLayoutSimple``)."""
    return f"layout{layout.capitalize()}"


class WindowLayouts(QObject):
    """Arranges ``window``'s docks by layout and remembers each layout's window state in ``settings``."""

    changed = Signal(str)  # the layout now in use

    def __init__(self, window: QMainWindow, docks: dict[str, QDockWidget], view: CanvasView, scene: CanvasScene,
                 toolbar: QToolBar, actions: dict[str, QAction], settings: QSettings):
        super().__init__(window)
        self.window, self.docks, self.view, self.scene = window, docks, view, scene
        self.toolbar, self.settings = toolbar, settings
        self._base_icon_size = toolbar.iconSize()
        name = str(settings.value("layout", DEFAULT_LAYOUT))
        self.current = name if name in LAYOUTS else DEFAULT_LAYOUT
        self.actions = {name: actions[action_name(name)] for name in LAYOUTS}
        group = QActionGroup(self)
        for name, action in self.actions.items():
            group.addAction(action)
            action.setChecked(name == self.current)
            action.triggered.connect(lambda _checked=False, name=name: self.switch(name))
        actions["layoutReset"].triggered.connect(lambda _checked=False: self.reset())
        window.setCorner(Qt.Corner.BottomRightCorner, RIGHT)  # the side column runs down to the status bar
        for dock in docks.values():  # a dock shown from the View menu may make a new tab bar, or crowd one
            dock.visibilityChanged.connect(self._dock_shown_or_hidden)  # a bound method: dropped with self
        self._place(LAYOUTS[self.current])

    # -- switching -------------------------------------------------------------------------------
    def restore(self) -> None:
        """The window is about to appear: the current layout, sized for the window, as it was left last time."""
        self._apply(self.current)

    def switch(self, name: str) -> None:
        """Leave the current layout (its state is kept) for ``name``, as it was left last time."""
        if name not in LAYOUTS:
            raise ValueError(f"no layout {name!r}; the layouts are {', '.join(LAYOUTS)}")
        if name == self.current:  # chosen again: it stays as it is (Reset Layout puts it back)
            self.actions[name].setChecked(True)
            return
        self.save()
        self.current = name
        self.settings.setValue("layout", name)
        if self.window.isVisible():
            self._apply(name)
        else:  # placed as the window appears: docks moved in a hidden window leave stale tab bars behind
            self.actions[name].setChecked(True)

    def reset(self) -> None:
        """Forget how the current layout was changed: its docks go back to their places."""
        self.settings.remove(self._key(self.current))
        self._apply(self.current)

    def save(self) -> None:
        """Remember the window state of the current layout."""
        self.settings.setValue(self._key(self.current), self.window.saveState(STATE_VERSION))

    def _apply(self, name: str) -> None:
        self.actions[name].setChecked(True)
        arrangement = LAYOUTS[name]
        self._place(arrangement)
        state = self.settings.value(self._key(name))
        if state is not None:
            self.window.restoreState(state, STATE_VERSION)
            self.unelide_tabs()
        self._scale(arrangement.scale)
        self.view.fit()
        self.changed.emit(name)

    @staticmethod
    def _key(name: str) -> str:
        return f"layouts/{name}/state"

    # -- placing the docks -------------------------------------------------------------------------
    def _place(self, arrangement: Arrangement) -> None:
        window, docks = self.window, self.docks
        for dock in docks.values():
            window.removeDockWidget(dock)
        fronts: list[QDockWidget] = []
        for area, groups in arrangement.areas:
            for group in groups:
                front = docks[group[0]]
                window.addDockWidget(area, front, Qt.Orientation.Horizontal if area == BOTTOM
                                     else Qt.Orientation.Vertical)
                front.show()
                for name in group[1:]:
                    window.tabifyDockWidget(front, docks[name])
                    docks[name].show()
                fronts.append(front)
        for front in fronts:
            front.raise_()
        for name in arrangement.hidden:
            docks[name].hide()
        self._size(arrangement)
        self.unelide_tabs()

    def _dock_shown_or_hidden(self, _visible: bool) -> None:
        if shiboken6.isValid(self.window):  # not while the window is being destroyed (its docks hide then)
            self.unelide_tabs()

    def unelide_tabs(self) -> None:
        """The docks' tab bars show whole titles; when they do not all fit, the bar scrolls (arrows at its end)."""
        for bar in self.window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if bar.elideMode() != Qt.TextElideMode.ElideNone:
                bar.setElideMode(Qt.TextElideMode.ElideNone)
                bar.setUsesScrollButtons(True)

    def _size(self, arrangement: Arrangement) -> None:
        window, docks = self.window, self.docks
        width, height = window.width(), window.height()
        fronts = {area: [docks[group[0]] for group in groups] for area, groups in arrangement.areas}
        for area, share in ((RIGHT, arrangement.side_width), (LEFT, arrangement.left_width)):
            if area in fronts:
                window.resizeDocks(fronts[area][:1], [round(share * width)], Qt.Orientation.Horizontal)
        for area, shares in ((RIGHT, arrangement.right_shares), (LEFT, arrangement.left_shares)):
            if area in fronts:
                window.resizeDocks(fronts[area], [round(s * height) for s in shares], Qt.Orientation.Vertical)
        if BOTTOM in fronts:
            bottom = fronts[BOTTOM]
            window.resizeDocks(bottom, [round(arrangement.bottom_height * height)] * len(bottom),
                               Qt.Orientation.Vertical)
            window.resizeDocks(bottom, [round(s * width) for s in arrangement.bottom_shares],
                               Qt.Orientation.Horizontal)

    # -- size of type, icons and lines -----------------------------------------------------------
    def _scale(self, factor: float) -> None:
        """Fonts, toolbar icons and synapses ``factor`` times their usual size (1: as the desktop has them)."""
        if factor == 1.0:
            self.window.setFont(QFont())  # no font of its own: the application's, as every other window
        else:
            font = QFont(QApplication.font())
            font.setPointSizeF(font.pointSizeF() * factor)
            self.window.setFont(font)
        base = self._base_icon_size
        self.toolbar.setIconSize(QSize(round(base.width() * factor), round(base.height() * factor)))
        self.scene.set_synapse_width(2.5 * factor - 1.5 if factor > 1.0 else 1.0)
        self.view.type_scale = factor  # the network and its legend as big as the type around them
        self.view.viewport().update()
        scale_plots(self.window, factor)


def scale_plots(root: QMainWindow, factor: float) -> None:
    """Tick and axis-label type of the plots under ``root`` at ``factor`` times the application's size."""
    size = QApplication.font().pointSizeF() * factor
    for widget in root.findChildren(pg.PlotWidget):
        for name in ("left", "bottom"):
            axis = widget.getPlotItem().getAxis(name)
            font = QFont(QApplication.font())
            font.setPointSizeF(size)
            axis.setTickFont(font if factor != 1.0 else None)
            style = {key: value for key, value in axis.labelStyle.items() if key != "font-size"}
            if factor != 1.0:
                style["font-size"] = f"{size:.0f}pt"
            axis.labelStyle = style
            axis.setLabel(axis.labelText or None, axis.labelUnits or None)
        legend = widget.getPlotItem().legend
        if legend is not None:  # "train", "test": as big as the ticks
            legend.setLabelTextSize(f"{size:.0f}pt" if factor != 1.0 else LEGEND_TEXT_SIZE)
            for _sample, label in legend.items:
                label.setText(label.text)  # pyqtgraph applies a new size only to text set after it
            legend.updateSize()
    for error_plot in root.findChildren(ErrorPlot):  # a bigger label may no longer fit along its axis
        error_plot.fit_loss_label()
