"""Time travel in the window: record every run's parameters, scrub them, branch from the past.

The training worker records into a :class:`SnapshotStore` (see the
controller's ``snapshot_store``); a :class:`TimeTravelSlider` under the error
plot scrubs it.  Showing the past puts the recorded parameters into the
document (so the canvas colours, heatmaps, outputs table and try-it panel
follow) and keeps the newest parameters aside as the *present*: moving the
slider back to its end restores them.  "Continue from here" cuts the store and
the error history after the chosen epoch, leaves the cut-off curve faint on
the plot and trains on from the recorded parameters with the current settings.
The snapshots are saved with the project (its ``snapshots`` section).

An undoable edit keeps the store it replaces (the document's state keepers);
a store that an undo step holds is never written to again: the next run, cut
or record works on a copy of it.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QObject, Signal

from ...core import Network
from ...core.snapshots import SnapshotStore
from ..model.document import Document
from ..training.controller import RUNNING, TrainingController
from ..training.error_plot import ErrorPlot
from ..training.throttle import SLOW_VIEW_MS, Throttle
from .time_travel_slider import TimeTravelSlider

#: the memory bound of a run's snapshots (issue 6: at most ~50 MB)
MAX_SNAPSHOT_BYTES = 50 * 2**20
#: snapshots worth keeping for a slider: a small network need not fill 50 MB (nor pay for copying every epoch)
SNAPSHOTS_WANTED = 4_000
#: the snapshots' share of a project file; the store thins them to fit
SAVED_SNAPSHOT_BYTES = 5 * 2**20
SECTION = "snapshots"


def new_store(net: Network | None) -> SnapshotStore | None:
    """An empty store sized for ``net`` (None when there is no network or it is too big to keep 5 copies)."""
    if net is None:
        return None
    row_bytes = 8 * net.n_params + 16
    try:
        return SnapshotStore(net.n_params, min(MAX_SNAPSHOT_BYTES, SNAPSHOTS_WANTED * row_bytes))
    except ValueError:
        return None


def _layout(net: Network | None) -> tuple | None:
    """What the parameter vector means: (key, shape) of every block; snapshots only fit the same layout."""
    return None if net is None else tuple((key, spec.shape) for key, spec in net.specs.items())


class TimeTravel(QObject):
    """Connects the document, the training controller, the error plot and the slider."""

    messaged = Signal(str)  # something the status bar should say

    def __init__(self, document: Document, controller: TrainingController, error_plot: ErrorPlot,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.controller = controller
        self.error_plot = error_plot
        self.slider = TimeTravelSlider()
        self.slider.setAccessibleName("Time travel through the recorded epochs")
        self.error_plot.layout().addWidget(self.slider)
        self.store: SnapshotStore | None = None
        self.present: np.ndarray | None = None  # the newest parameters while the slider shows the past
        self._layout: tuple | None = None
        self._applying = False  # the document's weights are being set by us, not edited
        self._store_kept = False  # an undo step holds the store: copy it before writing
        self._load_saved()
        self.slider.paramsSelected.connect(self._show)
        self.slider.continueRequested.connect(self.continue_from)
        self.controller.aboutToStart.connect(self.back_to_present)
        self.controller.aboutToStart.connect(self._own_store)
        # a few times a second is enough for a slider; each frame the worker waits for the GUI to draw
        self.controller.frameApplied.connect(Throttle(self._frame_applied, SLOW_VIEW_MS, self))
        self.controller.stateChanged.connect(self._state_changed)
        document.graphChanged.connect(self._graph_changed)
        document.networkChanged.connect(self._network_changed)
        document.historyChanged.connect(self._history_changed)
        document.weightsChanged.connect(self._weights_changed)
        document.section_writers[SECTION] = self.saved_section
        document.section_checks[SECTION] = SnapshotStore.from_dict  # a malformed section refuses the project
        document.state_keepers[SECTION] = (self._keep, self._restore_kept)
        document.present_params = lambda: self.present

    # -- the store -----------------------------------------------------------------------------
    def _use(self, store: SnapshotStore | None) -> None:
        self.store = store
        self._store_kept = False
        self._layout = _layout(self.document.network)
        self.controller.snapshot_store = store
        self.present = None
        self.error_plot.set_marker(None)
        self.slider.set_store(store)
        self._fit_slider()

    def _load_saved(self) -> None:
        """The snapshots saved with the project, when they fit its network; else an empty store."""
        net, saved = self.document.network, self.document.extra.get(SECTION)
        store = None
        if saved is not None and net is not None:
            try:
                store = SnapshotStore.from_dict(saved)
            except ValueError as exc:
                self.messaged.emit(f"Time-travel snapshots not loaded: {exc}")
            if store is not None and store.n_params != net.n_params:
                self.messaged.emit("Time-travel snapshots not loaded: they do not fit the network.")
                store = None
        self._use(store or new_store(net))

    def _keep(self) -> SnapshotStore | None:
        """The store, for an undo step that may bring it back (it is not written to from now on)."""
        self._store_kept = self.store is not None
        return self.store

    def _restore_kept(self, store: SnapshotStore | None) -> None:
        """An undo step brings back its store (an empty one when it was not kept or does not fit)."""
        net = self.document.network
        if store is None or net is None or store.n_params != net.n_params:
            self._use(new_store(net))
            return
        self._use(store)
        self._store_kept = True

    def _own_store(self) -> None:
        """Before writing: a store an undo step holds is replaced by a copy."""
        if self._store_kept and self.store is not None:
            self._use(SnapshotStore.from_dict(self.store.to_dict()))

    def saved_section(self) -> dict | None:
        """The project's ``snapshots`` section (None: nothing recorded)."""
        if self.store is None or not len(self.store):
            return None
        return self.store.to_dict(SAVED_SNAPSHOT_BYTES)

    def record_present(self, epoch: int, error: float = math.nan) -> None:
        """Record the document's current parameters at ``epoch`` (after the history was replaced)."""
        net = self.document.network
        self._own_store()
        if self.store is not None and net is not None and epoch > self.store.last_epoch:
            self.store.add(epoch, net.params, error)
        self._fit_slider(follow=True)

    # -- scrubbing -----------------------------------------------------------------------------
    def _show(self, epoch: int, params: np.ndarray) -> None:
        net = self.document.network
        if self.controller.state == RUNNING or net is None or params.size != net.n_params:
            return
        if self.slider.live:
            self.back_to_present()
            return
        if self.present is None:
            self.present = net.params.copy()
        self._apply(params)
        self.error_plot.set_marker(epoch)
        self.messaged.emit(f"Showing the network as it was at epoch {epoch:,}: move the slider to its end for "
                           "the latest weights, or continue training from here.")

    def back_to_present(self) -> None:
        """Show the newest parameters again (the slider goes to its end)."""
        present, self.present = self.present, None
        self.error_plot.set_marker(None)
        if present is not None and self.document.network is not None:
            self._apply(present)
        self._fit_slider(follow=True)

    def _apply(self, params: np.ndarray) -> None:
        self._applying = True
        try:
            self.document.set_params(params)
        finally:
            self._applying = False

    # -- branching -----------------------------------------------------------------------------
    def continue_from(self, epoch: int) -> bool:
        """Train on from the parameters recorded at ``epoch``; the later history is cut and stays faint."""
        doc, store = self.document, self.store
        if store is None or doc.network is None or not len(store):
            return False
        if self.controller.is_active:
            self.controller.stop()  # a paused run: its progress is the branch being left
        self._own_store()
        store = self.store
        shown, params = store.nearest(epoch)
        error = float(store.errors[np.searchsorted(store.epochs, shown)])
        store.truncate_after(shown)
        tail = doc.history.truncate_after(shown, error)
        self.present = None
        self.error_plot.set_marker(None)
        self._apply(params)
        doc.historyChanged.emit()
        if len(doc.history):
            self.error_plot.add_abandoned(*tail)
        doc.mark_modified()
        self._fit_slider(follow=True)
        self.messaged.emit(f"Continuing from epoch {shown:,}; the abandoned branch stays faint on the plot.")
        return self.controller.train()

    # -- following the document and the controller ----------------------------------------------
    def _fit_slider(self, follow: bool | None = None) -> None:
        # during a run the slider only follows the newest epoch
        self.slider.locked = self.controller.state == RUNNING or self.document.network is None
        self.slider.refresh(follow)

    def _frame_applied(self) -> None:
        self._fit_slider(follow=True if self.present is None else None)

    def _state_changed(self, state: str) -> None:
        if state == RUNNING:
            self.back_to_present()
        else:
            self._fit_slider()

    def _weights_changed(self) -> None:
        if self.present is not None and not self._applying:
            # the weights were changed while the past was shown (a run's frame, an edit): they are the present
            self.present = None
            self.error_plot.set_marker(None)
            self._fit_slider(follow=True)

    def _history_changed(self) -> None:
        history = self.document.history
        if self.store is not None and len(self.store) and not len(history) and history.last_epoch == 0:
            self._use(new_store(self.document.network))  # weights reset: the recorded run is gone with its curve
            self._fit_slider(follow=True)

    def _network_changed(self) -> None:
        layout = _layout(self.document.network)
        if layout is not None and layout != self._layout:
            self._use(new_store(self.document.network))  # a structural edit: old snapshots no longer fit
        else:
            self._fit_slider()

    def _graph_changed(self, event: str, _info: dict) -> None:
        if event == "reset":  # another project was loaded
            self.error_plot.clear_abandoned()
            self._load_saved()
