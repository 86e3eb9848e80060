"""An evaluation plan that takes raw inputs: a dataset's input scaling folded into the first weights.

With scaled inputs ``s = (x - offset) * factor``, a layer fed by an input layer computes
``s @ W + b = x @ (factor[:, None] * W) + (b - (offset * factor) @ W)``; exporters that write the folded plan
give models that take the raw values a user has, with no extra operations.  A layer without a bias that needs
one gets it.  :func:`raw_input_network` does the same to a whole :class:`Network` (a copy), for the exporters
that write from a network.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .network import Network
from .scaling import InputScaling
from .standalone import PlanStep, evaluation_plan, input_steps


def fold_scaling(plan: list[PlanStep], scaling: InputScaling | None) -> list[PlanStep]:
    """A copy of ``plan`` computing the same outputs from raw inputs (``plan`` itself when there is no scaling)."""
    if scaling is None:
        return plan
    inputs = input_steps(plan)
    if scaling.width != sum(s.size for s in inputs):
        raise ValueError(f"the scaling has {scaling.width} columns but the network {sum(s.size for s in inputs)} "
                         "inputs; fit the network to the data first")
    blocks, start = {}, 0
    for step in inputs:
        blocks[step.index] = (scaling.offset[start:start + step.size], scaling.factor[start:start + step.size])
        start += step.size
    folded = []
    for step in plan:
        if not any(src in blocks for src, _ in step.sources):
            folded.append(step)
            continue
        bias = np.zeros(step.size) if step.bias is None else step.bias.copy()
        sources = []
        for src, weights in step.sources:
            if src in blocks:
                offset, factor = blocks[src]
                bias -= (offset * factor) @ weights
                weights = factor[:, None] * weights
            sources.append((src, weights))
        folded.append(replace(step, bias=bias, sources=sources))
    return folded


def raw_input_network(net: Network, scaling: InputScaling | None) -> Network:
    """A copy of ``net`` that gives the same outputs for raw inputs as ``net`` gives for scaled ones."""
    if scaling is None:
        return net
    plan = fold_scaling(evaluation_plan(net), scaling)
    graph = net.graph.copy()
    blocks = {}
    for step in plan:
        layer = net.layers[step.index]
        if step.bias is not None:
            if not graph.layers[layer.id].bias:
                graph.set_layer(layer.id, bias=True)
            blocks["b:" + layer.id] = step.bias
        for src, weights in step.sources:
            conn = graph.find_connection(net.layers[src].id, layer.id)
            assert conn is not None  # the plan lists the graph's own connections
            blocks["W:" + conn.id] = weights
    raw = Network.from_graph(graph, seed=0)
    raw.load_param_dict(blocks)
    return raw
