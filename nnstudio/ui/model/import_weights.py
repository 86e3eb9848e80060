"""Weights files into the open network: an nnstudio weights ``.json`` or ``.npz`` becomes one undoable step.

Foreign networks (Synaptic.js, brain.js) still become new projects
(``nnstudio.io.importers.import_file``); :func:`is_weights_file` tells the
two apart so File → Import… can route a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ...io.importers import WeightsError, load_weights
from ...io.weights_json import FORMAT
from .commands import LoadWeightsCommand
from .document import Document

SNIFF_BYTES = 4096  # the format key is written first, so the head of the file is enough


def is_weights_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is (or claims to be) an nnstudio weights file rather than a foreign network."""
    path = Path(path)
    if path.suffix.lower() == ".npz":
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    if f'"{FORMAT}"' not in head:
        return False
    try:
        return json.loads(path.read_bytes().decode("utf-8")).get("format") == FORMAT
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, AttributeError, OSError):
        return True  # it says it is one: let the weights reader explain what is wrong with it


def load_weights_into(document: Document, path: str | os.PathLike) -> None:
    """Load a weights file into the document's network as one undoable step.

    Raises :class:`WeightsError` (a ValueError) when there is no working
    network, the file cannot be read, or a layer's shape differs (the message
    names the layer and both shapes); the network is then unchanged.
    """
    net = document.network
    if net is None:
        problems = "; ".join(document.network_problems()) or "the network is not complete"
        raise WeightsError(f"weights need a working network to go into: {problems}")
    if document.training:
        raise WeightsError("stop training before loading weights")
    old = net.get_params()
    try:
        load_weights(net, path)
        new = net.get_params()
    finally:
        net.set_params(old)  # the command sets them, so undo and the views see the change
    document.undo_stack.push(LoadWeightsCommand(document, old, new, Path(path).name))
