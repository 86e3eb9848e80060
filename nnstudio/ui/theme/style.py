"""Light and dark looks: the application palette and the canvas colours that go with it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget


@dataclass(frozen=True)
class CanvasTheme:
    """Colours the canvas paints with; chosen to match the application palette."""

    dark: bool
    background: QColor
    grid: QColor
    box: QColor
    box_header: QColor
    border: QColor
    selected: QColor
    text: QColor
    muted_text: QColor
    neuron: QColor
    neuron_border: QColor
    port: QColor
    valid_target: QColor
    invalid_target: QColor
    synapse_unknown: QColor
    banner: QColor


LIGHT = CanvasTheme(
    dark=False,
    background=QColor("#f7f8fa"), grid=QColor("#dde1e7"), box=QColor("#ffffff"), box_header=QColor("#eef1f5"),
    border=QColor("#aab2bd"), selected=QColor("#2f80ed"), text=QColor("#1f2933"), muted_text=QColor("#616e7c"),
    neuron=QColor("#ffffff"), neuron_border=QColor("#7b8794"), port=QColor("#52606d"),
    valid_target=QColor("#27ae60"), invalid_target=QColor("#d64545"), synapse_unknown=QColor("#b8c0cc"),
    banner=QColor(52, 96, 150, 225),  # information, not an alarm
)

DARK = CanvasTheme(
    dark=True,
    background=QColor("#1e2228"), grid=QColor("#2c323a"), box=QColor("#2a2f37"), box_header=QColor("#343a44"),
    border=QColor("#58616d"), selected=QColor("#5aa2ff"), text=QColor("#e4e7eb"), muted_text=QColor("#9aa5b1"),
    neuron=QColor("#3b424d"), neuron_border=QColor("#8a94a1"), port=QColor("#aeb7c2"),
    valid_target=QColor("#3ccf7a"), invalid_target=QColor("#ff6b6b"), synapse_unknown=QColor("#59616c"),
    banner=QColor(58, 104, 160, 230),
)


def canvas_theme() -> CanvasTheme:
    """The canvas colours for the palette in use (dark when the window colour is dark)."""
    app = QApplication.instance()
    if app is None:
        return LIGHT
    return DARK if app.palette().color(QPalette.ColorRole.Window).lightness() < 128 else LIGHT


def dark_palette() -> QPalette:
    p = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#23272e", QPalette.ColorRole.WindowText: "#e4e7eb",
        QPalette.ColorRole.Base: "#1b1f24", QPalette.ColorRole.AlternateBase: "#262b32",
        QPalette.ColorRole.ToolTipBase: "#2f353d", QPalette.ColorRole.ToolTipText: "#e4e7eb",
        QPalette.ColorRole.Text: "#e4e7eb", QPalette.ColorRole.Button: "#2c3139",
        QPalette.ColorRole.ButtonText: "#e4e7eb", QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Highlight: "#3d7bd9", QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#5aa2ff", QPalette.ColorRole.PlaceholderText: "#7b8794",
    }
    for role, color in colors.items():
        p.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b7480"))
    return p


def light_palette() -> QPalette:
    p = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#f3f4f6", QPalette.ColorRole.WindowText: "#1f2933",
        QPalette.ColorRole.Base: "#ffffff", QPalette.ColorRole.AlternateBase: "#f5f7fa",
        QPalette.ColorRole.ToolTipBase: "#ffffff", QPalette.ColorRole.ToolTipText: "#1f2933",
        QPalette.ColorRole.Text: "#1f2933", QPalette.ColorRole.Button: "#e9ecf0",
        QPalette.ColorRole.ButtonText: "#1f2933", QPalette.ColorRole.BrightText: "#d64545",
        QPalette.ColorRole.Highlight: "#2f80ed", QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#2f80ed", QPalette.ColorRole.PlaceholderText: "#9aa5b1",
    }
    for role, color in colors.items():
        p.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#9aa5b1"))
    return p


def apply_theme(dark: bool) -> None:
    """Switch the whole application to the light or dark palette (Fusion style keeps both readable)."""
    app = QApplication.instance()
    if app is None:
        return
    if app.style().name().lower() != "fusion":  # a new style replaces (and deletes) the one every widget uses
        app.setStyle("Fusion")
    palette = dark_palette() if dark else light_palette()
    app.setPalette(palette)
    import pyqtgraph as pg

    # plots made from now on take the palette's colours; theme_plots() repaints those already open
    pg.setConfigOptions(background=palette.color(QPalette.ColorRole.Base),
                        foreground=palette.color(QPalette.ColorRole.Text))


def theme_plots(root: QWidget) -> None:
    """Give the pyqtgraph views under ``root`` the application palette's colours (they keep their own)."""
    import pyqtgraph as pg

    palette = QApplication.palette()
    base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
    legend_brush = QColor(base)
    legend_brush.setAlpha(190)
    for widget in root.findChildren(pg.PlotWidget):
        widget.setBackground(base)
        item = widget.getPlotItem()
        for name in ("left", "bottom", "right", "top"):
            axis = item.getAxis(name)
            axis.setPen(text)
            axis.setTextPen(text)
        if item.legend is not None:
            item.legend.setBrush(legend_brush)
            item.legend.setLabelTextColor(text)
            for _sample, label in item.legend.items:  # existing labels keep their colour otherwise
                label.setText(label.text, color=text)
            item.legend.update()
