"""The synapse colour scale means the same all run long; the legend says what applies."""

from __future__ import annotations

import numpy as np


def _set_largest(doc, value: float) -> None:
    params = doc.network.get_params()
    params[doc.network.specs["W:L1->L2"].slice] = np.linspace(-value, value, 6)
    params[doc.network.specs["W:L2->L3"].slice] = 0.1
    doc.set_params(params)


def test_the_scale_is_kept_during_a_run_and_only_doubles(window):
    doc, scene = window.document, window.scene
    _set_largest(doc, 0.9)
    scene.set_locked(True)  # a run starts: the scale comes from the weights now
    start = scene.weight_scale
    assert start >= 0.9
    _set_largest(doc, 0.2)  # the weights shrink: the colours keep their meaning
    assert scene.weight_scale == start
    _set_largest(doc, start * 1.5)  # they outgrow it: one visible step, a doubling
    assert scene.weight_scale == 2 * start
    _set_largest(doc, start * 5)
    assert scene.weight_scale == 8 * start
    assert "scale kept for this run (doubles if outgrown)" in window.view._legend_notes()
    scene.set_locked(False)
    assert window.view._legend_notes() == []  # nothing is dashed, nothing to explain


def test_the_legend_explains_dashes_only_when_some_are_drawn(window):
    doc, scene = window.document, window.scene
    assert not scene.any_fresh and "dashed: freshly initialised" not in window.view._legend_notes()
    doc.trained = True
    doc.graph.set_layer("L2", size=4)  # a trained network grows: the new synapses are fresh
    assert scene.any_fresh and "dashed: freshly initialised" in window.view._legend_notes()
