"""The stops of the first-run tour: the palette, a port, Train, the error plot, the synapses, and what next."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QDockWidget, QWidget

from ..canvas.scene import CanvasScene
from ..canvas.view import CanvasView
from .tour import TourStep

PORT_BOX = 30  # px around a port


def first_run_steps(window: QWidget, docks: dict[str, QDockWidget], view: CanvasView, scene: CanvasScene,
                    train_button: QWidget) -> list[TourStep]:
    """The tour over ``window``: each step finds its target when it is shown (docks are brought to the front)."""

    def in_window(widget: QWidget, rect: QRect | None = None) -> QRect:
        rect = widget.rect() if rect is None else rect
        return QRect(widget.mapTo(window, rect.topLeft()), rect.size())

    def dock(name: str):
        def target() -> QRect | None:
            panel = docks[name]
            panel.show()
            panel.raise_()
            return in_window(panel) if panel.isVisible() else None
        return target

    def canvas_part(rect: QRect | None) -> QRect:
        shown = view.viewport().rect()
        return in_window(view.viewport(), rect.intersected(shown) if rect is not None else shown)

    def port() -> QRect | None:
        inputs = [item for item in scene.layer_items() if item.layer.role == "input"] or scene.layer_items()
        if not inputs:
            return canvas_part(None)
        at = view.mapFromScene(inputs[0].output_port())
        return canvas_part(QRect(at - QPoint(PORT_BOX // 2, PORT_BOX // 2), QRect(0, 0, PORT_BOX, PORT_BOX).size()))

    def synapses() -> QRect | None:
        items = scene.connection_items()
        if not items:
            return canvas_part(None)
        return canvas_part(view.mapFromScene(items[0].sceneBoundingRect()).boundingRect())

    return [
        TourStep("Layers come from the palette",
                 "Drag an input, hidden or output layer onto the canvas, or double-click it. The entries below "
                 "them build whole networks at once.", dock("palette")),
        TourStep("Connect layers by their ports",
                 "Drag from a layer's output port (the dot on its right edge) to another layer's input port. "
                 "Select a layer to set its size and activation in Properties.", port),
        TourStep("Train",
                 "Train (F5) starts learning on the dataset chosen in the Training panel; Pause, Step and Reset "
                 "are beside it. The learning rate and the speed can change while it runs.",
                 lambda: in_window(train_button) if train_button.isVisible() else None),
        TourStep("Watch the error fall",
                 "The error plot shows the error after every epoch, on the training data and the test data. "
                 "The time-travel slider under it goes back through the run.", dock("errorPlot")),
        TourStep("Synapses show their weights",
                 "Every line is a synapse: orange for a negative weight, blue for a positive one, thicker when "
                 "larger. Point at one to read its weight, double-click it to type one; click a neuron to see its "
                 "arithmetic.", synapses),
        TourStep("Build, train, watch, change",
                 "That is the whole loop. View → Layout switches between Simple, Full and Presentation; "
                 "Help → Documentation has the rest, offline.", lambda: None),
    ]
