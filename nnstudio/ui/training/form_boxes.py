"""Small builders for the training dock's form: named, tool-tipped boxes, and showing values in them."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox


def combo_box(name: str, tip: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setToolTip(tip)
    combo.setAccessibleName(tip.split(":")[0])
    return combo


def choice_box(name: str, tip: str, items, slot) -> QComboBox:
    combo = combo_box(name, tip)
    for label, value in items:
        combo.addItem(label, value)
    combo.currentIndexChanged.connect(slot)
    return combo


def int_box(name: str, tip: str, low: int, high: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setToolTip(tip)
    spin.setAccessibleName(tip)
    spin.setRange(low, high)
    spin.setGroupSeparatorShown(True)
    return spin


def double_box(name: str, tip: str, low: float, high: float, step: float, decimals: int) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setObjectName(name)
    spin.setToolTip(tip)
    spin.setAccessibleName(tip)
    spin.setRange(low, high)
    spin.setDecimals(decimals)
    spin.setSingleStep(step)
    return spin


def show_value(spin: QSpinBox | QDoubleSpinBox, value: float) -> None:
    """Show ``value`` unless the box holds it already: setting it again rewrites the text being typed."""
    if spin.value() == value:
        return
    if isinstance(spin, QSpinBox):
        spin.setValue(int(value))
    else:
        spin.setValue(float(value))


def number_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def select_data(combo: QComboBox, value) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)
