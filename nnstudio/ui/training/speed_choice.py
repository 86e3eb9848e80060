"""The speed row of the training dock: a pace to watch, and "as fast as possible" one click away."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QToolButton, QWidget

SPEEDS = [("As fast as possible", 0.0), ("1000 epochs/s", 1000.0), ("300 epochs/s", 300.0),
          ("100 epochs/s", 100.0), ("30 epochs/s", 30.0), ("10 epochs/s", 10.0), ("1 epoch/s", 1.0)]


def speed_label(speed: float) -> str:
    """"As fast as possible", "1 epoch/s", "250 epochs/s"."""
    if speed <= 0:
        return "As fast as possible"
    return f"{speed:g} epoch/s" if speed == 1 else f"{speed:g} epochs/s"


class SpeedChoice(QWidget):
    """A combo box of paces (objectName ``speed``) and a ``fastest`` button; says ``speedChosen(epochs/s)``."""

    speedChosen = Signal(float)  # epochs per second, 0 = as fast as possible

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setObjectName("speed")
        self.combo.setToolTip("Epochs per second: slow enough to watch the error fall and the synapses change, "
                              "or as fast as the machine can")
        self.combo.setAccessibleName("Training speed")
        for label, value in SPEEDS:
            self.combo.addItem(label, value)
        self.combo.currentIndexChanged.connect(lambda _i: self.speedChosen.emit(float(self.combo.currentData())))
        self.fastest = QToolButton()
        self.fastest.setObjectName("fastest")
        self.fastest.setText("Fastest")
        self.fastest.setToolTip("Train as fast as possible")
        self.fastest.clicked.connect(lambda _checked=False: self.combo.setCurrentIndex(0))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.fastest)

    def speed(self) -> float:
        return float(self.combo.currentData())

    def show_speed(self, speed: float) -> None:
        """Select ``speed`` (a project's own pace gets an entry of its own), without saying speedChosen."""
        index = self.combo.findData(float(speed))
        if index < 0:
            self.combo.addItem(speed_label(speed), float(speed))
            index = self.combo.count() - 1
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        self.fastest.setEnabled(speed > 0)
