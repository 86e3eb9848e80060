"""Every action of the window in one table: name, text, icon, shortcut and tooltip.

An action's objectName is ``action`` + its name with a capital first letter
(``train`` -> ``actionTrain``); scripts find actions by those names.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QIcon, QKeySequence

from ..paths import icon_path

Key = QKeySequence.StandardKey

# name, text, icon, shortcut, tooltip
ACTIONS: list[tuple[str, str, str, Key | str, str]] = [
    ("new", "&New", "new", Key.New, "Start a new project (the XOR 2-3-1 network)"),
    ("open", "&Open…", "open", Key.Open, "Open a project file"),
    ("save", "&Save", "save", Key.Save, "Save the project"),
    ("saveAs", "Save &As…", "save-as", Key.SaveAs, "Save the project under a new name"),
    ("export", "&Export…", "export", "Ctrl+E", "Export weights, a model, code, the error history or a canvas image"),
    ("exportImage", "Export Canvas &Image…", "image", "", "Save the canvas as PNG or SVG"),
    ("exportSynaptic", "Export to S&ynaptic.js…", "", "",
     "Write the network as Synaptic.js Network.fromJSON loads it (raw inputs: the scaling is built in)"),
    ("exportBrain", "Export to &brain.js…", "", "",
     "Write the network as brain.js NeuralNetwork.fromJSON loads it (raw inputs: the scaling is built in)"),
    ("import", "&Import…", "import", "Ctrl+I", "Import a Synaptic.js / brain.js network, an ONNX model or weights"),
    ("loadData", "Load &Data…", "", "Ctrl+L",
     "Load a dataset from a CSV, .npz or MNIST file: choose the targets, the test split and the scaling"),
    ("quit", "&Quit", "", Key.Quit, "Close nnstudio"),
    ("undo", "&Undo", "undo", Key.Undo, "Undo the last edit"),
    ("redo", "&Redo", "redo", Key.Redo, "Redo the edit just undone"),
    ("delete", "&Delete", "delete", Key.Delete, "Delete the selected layers and connections"),
    ("duplicate", "D&uplicate", "duplicate", "Ctrl+D", "Copy the selected layers and the connections among them"),
    ("rename", "Re&name…", "rename", "F2", "Rename the selected layer"),
    ("selectAll", "Select &All", "", Key.SelectAll, "Select every layer and connection"),
    ("connect", "&Connect Selected Layers", "connect", "Ctrl+K", "Connect two selected layers (left to right)"),
    ("autoLayout", "&Auto-Layout", "layout", "Ctrl+Shift+L", "Arrange layers by depth, left to right"),
    ("snapToGrid", "&Snap to Grid", "grid", "", "Snap moved layers to a 20-pixel grid"),
    ("zoomIn", "Zoom &In", "zoom-in", Key.ZoomIn, "Zoom in on the canvas"),
    ("zoomOut", "Zoom &Out", "zoom-out", Key.ZoomOut, "Zoom out of the canvas"),
    ("zoomFit", "&Fit to Window", "zoom-fit", "Ctrl+0", "Show the whole network"),
    ("zoomReset", "&Actual Size", "", "Ctrl+1", "Zoom to 100 %"),
    ("showLegend", "Weight &Legend", "", "", "Show the colour legend of synapse weights on the canvas"),
    ("darkTheme", "&Dark Theme", "", "", "Switch between the light and the dark look"),
    ("train", "&Train", "train", "F5", "Train the network on the dataset"),
    ("pause", "&Pause", "pause", "F6", "Pause training"),
    ("step", "&Step", "step", "F10", "Train one epoch"),
    ("stop", "S&top", "stop", "Shift+F5", "Stop training"),
    ("reset", "&Reset Weights", "reset", "Ctrl+R", "Draw the initial weights again and clear the history"),
    ("restarts", "Train &Restarts…", "", "",
     "Train many copies of this network from different initial weights at once, and keep the best"),
    ("about", "&About nnstudio", "", "", "What nnstudio is"),
]
TRAINING_ACTIONS = ("train", "pause", "step", "stop", "reset")
CHECKABLE_ACTIONS = ("snapToGrid", "showLegend", "darkTheme")


def object_name(name: str) -> str:
    """``train`` -> ``actionTrain``."""
    return f"action{name[0].upper()}{name[1:]}"


def build_actions(parent: QObject) -> dict[str, QAction]:
    """One QAction per table row, owned by ``parent``; the tooltip names the shortcut."""
    actions: dict[str, QAction] = {}
    for name, text, icon, shortcut, tip in ACTIONS:
        action = QAction(text, parent)
        action.setObjectName(object_name(name))
        if icon:
            action.setIcon(QIcon(str(icon_path(icon))))
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            tip = f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.setWhatsThis(tip)
        actions[name] = action
    actions["delete"].setShortcuts([QKeySequence(Key.Delete), QKeySequence("Backspace")])
    for name in CHECKABLE_ACTIONS:
        actions[name].setCheckable(True)
    for name in TRAINING_ACTIONS:
        actions[name].setEnabled(False)  # the training panel enables what it drives
    return actions
