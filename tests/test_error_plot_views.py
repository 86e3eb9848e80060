"""The error plot's faint previous run (same data only, drawn right on a log axis), uncrowded log labels, and a
legend that gets out of a curve's way."""

from __future__ import annotations

import numpy as np
import pytest

from nnstudio.core import datasets
from nnstudio.ui.model.document import Document
from nnstudio.ui.training.error_axis import ErrorAxis
from nnstudio.ui.training.error_plot import ErrorPlot

FIRST_RUN = 0.25 * np.exp(-np.arange(1, 401) / 60) + 0.002


@pytest.fixture
def plot(qtbot):
    view = ErrorPlot(Document())
    qtbot.addWidget(view)
    view.resize(520, 260)
    view.show()
    qtbot.waitExposed(view)
    return view


def run(document: Document, errors: np.ndarray) -> None:
    document.history.extend(1, errors)
    document.historyChanged.emit()


def restart(document: Document) -> None:
    document.history.clear()
    document.historyChanged.emit()


def test_the_previous_run_on_a_log_axis_is_the_run_itself(plot):
    doc = plot.document
    plot.set_log(True)
    run(doc, FIRST_RUN)
    restart(doc)
    x, y = plot.previous_curve.getOriginalDataset()
    assert np.array_equal(x, np.arange(1, 401)) and np.allclose(y, FIRST_RUN)
    _drawn_x, drawn_y = plot.previous_curve.getData()
    assert np.allclose(drawn_y, np.log10(FIRST_RUN))  # drawn once through the log, not twice (into NaN)
    plot.set_log(False)
    assert np.allclose(plot.previous_curve.getData()[1], FIRST_RUN)


def test_new_data_clears_the_previous_run_and_the_run_on_the_old_data(plot):
    doc = plot.document
    run(doc, FIRST_RUN)
    restart(doc)
    run(doc, FIRST_RUN[:50])
    assert len(plot.previous_curve.getOriginalDataset()[0]) == 400
    doc.set_dataset(datasets.truth_table("and"))
    assert plot.previous_curve.getOriginalDataset()[0] is None or not len(plot.previous_curve.getOriginalDataset()[0])
    assert "previous run" not in plot._legend_names
    restart(doc)  # the 50 epochs were trained on XOR: no comparison for AND
    assert not len(plot.previous_curve.getOriginalDataset()[0] or [])
    run(doc, FIRST_RUN[:80])
    restart(doc)  # this run was on AND: it is the next one's comparison
    assert len(plot.previous_curve.getOriginalDataset()[0]) == 80


def test_log_labels_are_thinned_to_the_room_a_decade_has():
    axis = ErrorAxis("left")
    values = [v + np.log10(k) for v in (-3, -2, -1) for k in range(1, 10)] + [0.0]

    def labelled(pixels: float) -> list[str]:
        axis.logTickValues(-3.0, 0.0, 3 * pixels, [])
        return [text for text in axis.logTickStrings(values, 1.0, 1.0) if text]

    assert len(labelled(150)) == 10  # tall: 1, 2 and 5 of each decade, and the top
    assert len(labelled(60)) == 4  # decades only
    assert len(labelled(8)) == 2  # very short: every third decade (10⁻³ and 1)
    for pixels in (150, 60, 8):
        axis.logTickValues(-3.0, 0.0, 3 * pixels, [])
        assert axis.labels_tick(0.0) and not axis.labels_tick(-1 + np.log10(9))  # never 0.09 beside 0.1


def test_the_legend_moves_off_a_short_flat_curve_and_back(plot, qtbot):
    doc = plot.document
    run(doc, np.linspace(0.49, 0.44, 19))  # reaches the top-right corner of a 0…20 × 0…0.5 plot
    assert plot.legend_corner == "bottom left"
    restart(doc)
    run(doc, np.concatenate([np.linspace(0.45, 0.02, 150), np.full(250, 0.02)]))  # falls: top right is free
    restart(doc)
    run(doc, np.full(400, 0.01))  # low all along: the bottom left is taken
    assert plot.legend_corner == "top right"
