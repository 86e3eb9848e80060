"""File → Import… for weights files: an nnstudio weights ``.json`` or ``.npz`` goes into the open network.

Foreign networks (Synaptic.js, brain.js) still become new projects
(``nnstudio.io.importers.import_file``); :func:`is_weights_file` tells the
two apart so the window's import slot can route a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QUndoCommand

from ...io.importers import WeightsError, load_weights
from ...io.weights_json import FORMAT
from .document import Document

if TYPE_CHECKING:
    from ..main_window import MainWindow

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


class LoadWeightsCommand(QUndoCommand):
    """Replace every parameter of the open network with those read from a file."""

    def __init__(self, document: Document, old: np.ndarray, new: np.ndarray, name: str):
        super().__init__(f"Load weights from {name}")
        self.document, self.old, self.new = document, old, new
        self.was_trained = document.trained

    def redo(self) -> None:
        self.document.set_params(self.new)

    def undo(self) -> None:
        self.document.set_params(self.old, trained=False)
        self.document.trained = self.was_trained


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


def import_weights_file(window: MainWindow, path: str) -> bool:
    """The import slot's weights branch: load into ``window.document``, report the outcome on the window."""
    try:
        load_weights_into(window.document, path)
    except (ValueError, OSError) as error:
        window.show_error("Could not load weights", f"{path}:\n{error}")
        return False
    window.show_status(f"Loaded weights from {path} into the open network (Undo restores the previous ones).")
    return True
