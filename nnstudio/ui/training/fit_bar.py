"""The "fit network to data" bar over the canvas: offered whenever the loaded data do not fit the network.

The data do not fit when the input or output layer sizes differ from the data's columns, when the loss cannot
work with the outputs or targets, or when a regression's targets lie outside what the output activation can
produce.  Pressing the button sizes the input and output layers and picks the output activation and the loss
(:func:`nnstudio.core.fitting.plan_fit`) as one undo step; Undo brings back the network as it was, trained
weights included.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ...core.fitting import NetworkFit, plan_fit
from ...core.graph import TopologyError
from ..model.commands import FitNetworkCommand, push_with_state
from ..model.document import Document


def planned_fit(document: Document) -> tuple[NetworkFit | None, str]:
    """(the fit to offer, or None, and why the data do not fit; "" when they do)."""
    if document.graph.problems():
        return None, ""  # an unfinished network: the validation list says what to do first
    problems = document.network_problems()
    try:
        fit = plan_fit(document.graph, document.dataset, document.settings)
    except TopologyError as exc:
        return None, f"The data do not fit the network ({'; '.join(problems)}), and it cannot be fitted: {exc}" \
            if problems else ""
    unreachable = fit.activation is not None and document.dataset.kind == "regression"
    if fit.empty or not (problems or unreachable):
        return None, ""
    why = problems[0] if problems else "the targets lie outside what the output activation can produce"
    return fit, f"The data do not fit the network: {why}."


class FitBar(QFrame):
    """A message and a "Fit network to data" button (objectName ``fitNetwork``); hidden while the data fit."""

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("fitBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.document = document
        self.fit: NetworkFit | None = None
        self.message = QLabel()
        self.message.setObjectName("fitMessage")
        self.message.setWordWrap(True)
        self.button = QPushButton("Fit network to data")
        self.button.setObjectName("fitNetwork")
        self.button.clicked.connect(self.apply)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.button)
        for signal in (document.graphChanged, document.datasetChanged, document.settingsChanged,
                       document.trainingChanged):
            signal.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        """Offer the fit when the data do not fit (not during a run: the structure is locked)."""
        self.fit, text = planned_fit(self.document)
        self.setVisible(bool(text) and not self.document.training)
        if not text:
            return
        self.message.setText(text)
        self.button.setVisible(self.fit is not None)
        if self.fit is not None:
            self.button.setToolTip("One undo step: " + "; ".join(self.fit.reasons))

    def apply(self) -> bool:
        """Fit the network to the data as one undo step (False when there is nothing to fit)."""
        self.refresh()
        fit = self.fit
        if fit is None or self.document.training:
            return False
        push_with_state(self.document, FitNetworkCommand(self.document, fit))
        self.document.set_status("Fitted the network to the data: " + "; ".join(fit.reasons) +
                                 " (Undo brings the previous network back).")
        return True
