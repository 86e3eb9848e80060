"""Parameter snapshots for time travel, in bounded memory.

A :class:`SnapshotStore` keeps copies of the flat parameter vector at chosen
epochs.  The first ``dense`` snapshots are all kept (the start of training,
where most changes); after that a snapshot is kept only when it is at least
``stride`` epochs after the previous one, and whenever the store is full every
other snapshot after the dense start is dropped and the stride doubles.  So
the spacing grows geometrically with the length of the run while the memory
never exceeds ``max_bytes``; the newest snapshot is always kept as well, so
the end of the run can be shown.

Scrubbing returns exactly the parameters recorded at a stored epoch.  The
store is thread-safe: a training worker may add while the GUI thread reads.
"""

from __future__ import annotations

import base64
import math
import threading

import numpy as np

Array = np.ndarray
FORMAT = "nnstudio-snapshots"
_ROW_OVERHEAD = 16  # bytes per snapshot besides its parameters: the epoch and the error


class SnapshotStore:
    """Parameter snapshots: dense at the start, thinner later, at most ``max_bytes``."""

    def __init__(self, n_params: int, max_bytes: int = 50 * 2**20, dense: int | None = None):
        if n_params < 1:
            raise ValueError("a snapshot store needs at least one parameter")
        self.n_params = int(n_params)
        self.max_bytes = int(max_bytes)
        self.row_bytes = 8 * self.n_params + _ROW_OVERHEAD
        # one row stays free for the newest snapshot when it falls between kept ones
        self.capacity = self.max_bytes // self.row_bytes - 1
        if self.capacity < 4:
            raise ValueError(f"{max_bytes} bytes hold fewer than 5 snapshots of {n_params} parameters")
        self.dense = self.capacity // 2 if dense is None else max(1, min(int(dense), self.capacity - 2))
        self.stride = 1
        self._epochs = np.empty(0, dtype=np.int64)
        self._errors = np.empty(0)
        self._params = np.empty((0, self.n_params))
        self._count = 0
        self._latest_params = np.empty(self.n_params)
        self._latest: tuple[int, float] | None = None  # newest add when it was not kept
        # a training thread adds while the GUI thread scrubs
        self._lock = threading.RLock()

    # -- recording ------------------------------------------------------------------------
    def add(self, epoch: int, params: Array, error: float = math.nan) -> None:
        """Record the parameters after ``epoch`` (epochs must increase; branch with :meth:`truncate_after`)."""
        with self._lock:
            epoch = int(epoch)
            if epoch <= self.last_epoch:
                raise ValueError(f"epoch {epoch} is not after the last recorded epoch {self.last_epoch}")
            n = self._count
            if n < self.dense or epoch >= self._epochs[n - 1] + self.stride:
                if n == self.capacity:
                    self._thin()
                    n = self._count
                if n < self.dense or epoch >= self._epochs[n - 1] + self.stride:
                    self._append(epoch, params, error)
                    self._latest = None
                    return
            self._latest_params[:] = params
            self._latest = (epoch, float(error))

    def _append(self, epoch: int, params: Array, error: float) -> None:
        n = self._count
        if n == len(self._epochs):
            size = min(self.capacity, max(16, 2 * n))
            self._epochs = np.resize(self._epochs, size)
            self._errors = np.resize(self._errors, size)
            grown = np.empty((size, self.n_params))
            grown[:n] = self._params[:n]
            self._params = grown
        self._epochs[n] = epoch
        self._errors[n] = error
        self._params[n] = params
        self._count = n + 1

    def _thin(self) -> None:
        """Drop every other snapshot after the dense start and double the stride."""
        keep = np.concatenate([np.arange(self.dense), np.arange(self.dense, self._count, 2)])
        self._compact(keep)
        self.stride *= 2

    def _compact(self, keep: Array) -> None:
        m = len(keep)
        self._epochs[:m] = self._epochs[keep]
        self._errors[:m] = self._errors[keep]
        self._params[:m] = self._params[keep]
        self._count = m

    # -- reading --------------------------------------------------------------------------
    def __len__(self) -> int:
        with self._lock:
            return self._count + (self._latest is not None)

    @property
    def last_epoch(self) -> int:
        """The newest recorded epoch (-1 when empty)."""
        with self._lock:
            if self._latest is not None:
                return self._latest[0]
            return int(self._epochs[self._count - 1]) if self._count else -1

    @property
    def next_kept_epoch(self) -> int:
        """The first epoch :meth:`add` would keep; earlier ones are only held as the newest snapshot.

        A recorder may skip the epochs before it and add the newest one only
        when it is needed (a pause, the end of a run): adding every epoch costs
        a lock and a copy each time.
        """
        with self._lock:
            n = self._count
            if n < self.dense:
                return self.last_epoch + 1
            return int(self._epochs[n - 1]) + self.stride

    @property
    def epochs(self) -> Array:
        """Every recorded epoch, ascending."""
        with self._lock:
            kept = self._epochs[: self._count]
            return np.append(kept, self._latest[0]) if self._latest is not None else kept.copy()

    @property
    def errors(self) -> Array:
        """The error recorded with each snapshot, in the order of :attr:`epochs`."""
        with self._lock:
            kept = self._errors[: self._count]
            return np.append(kept, self._latest[1]) if self._latest is not None else kept.copy()

    @property
    def nbytes(self) -> int:
        """Memory held by the snapshots (allocated rows, including the newest-snapshot slot)."""
        return (len(self._epochs) + 1) * self.row_bytes

    def nearest(self, epoch: float) -> tuple[int, Array]:
        """The recorded snapshot closest to ``epoch`` (the earlier on a tie): (its epoch, a copy of its params)."""
        with self._lock:
            epochs = self.epochs
            if not len(epochs):
                raise LookupError("no snapshots recorded")
            i = int(np.searchsorted(epochs, epoch))
            if i == len(epochs) or (i > 0 and epoch - epochs[i - 1] <= epochs[i] - epoch):
                i -= 1
            return int(epochs[i]), self._row(i)

    def _row(self, i: int) -> Array:
        return self._params[i].copy() if i < self._count else self._latest_params.copy()

    # -- branching ---------------------------------------------------------------------------
    def truncate_after(self, epoch: int) -> tuple[Array, Array]:
        """Forget the snapshots after ``epoch`` ("continue from here"); returns their (epochs, errors).

        The returned tail is what a view draws faintly as the abandoned branch.
        """
        with self._lock:
            epochs, errors = self.epochs, self.errors
            cut = int(np.searchsorted(epochs, epoch, side="right"))
            tail = (epochs[cut:].copy(), errors[cut:].copy())
            if self._latest is not None and self._latest[0] > epoch:
                self._latest = None
            self._count = min(self._count, cut)
            if self._count < self.dense:
                self.stride = 1
            return tail

    def clear(self) -> None:
        with self._lock:
            self._count, self._latest, self.stride = 0, None, 1

    # -- saving ------------------------------------------------------------------------------
    def to_dict(self, max_bytes: int | None = None) -> dict:
        """A JSON-ready dict (parameters as base64 of little-endian float64) of at most ``max_bytes``.

        When the encoded snapshots would be larger, later snapshots are thinned
        as the store itself thins them.
        """
        with self._lock:
            budget = self.max_bytes if max_bytes is None else int(max_bytes)
            epochs, errors = self.epochs, self.errors
            params = self._params[: self._count]
            if self._latest is not None:
                params = np.vstack([params, self._latest_params])
            # base64 takes 4 bytes per 3; each epoch and error costs at most ~26 characters of JSON
            per_row = math.ceil(8 * self.n_params * 4 / 3) + 52
            index = np.arange(len(epochs))
            while len(index) * per_row + 200 > budget and len(index) > 2:
                head = index[: min(self.dense, len(index) // 2)]
                rest = index[len(head) :]
                index = np.concatenate([head, rest[::2], rest[-1:] if len(rest) % 2 == 0 else rest[:0]])
            return {
                "format": FORMAT,
                "n_params": self.n_params,
                "max_bytes": self.max_bytes,
                "dense": self.dense,
                "stride": self.stride,
                "epochs": epochs[index].tolist(),
                "errors": [None if not math.isfinite(e) else float(e) for e in errors[index]],
                "params": base64.b64encode(np.ascontiguousarray(params[index], dtype="<f8").tobytes()).decode("ascii"),
            }

    @classmethod
    def from_dict(cls, data: dict) -> SnapshotStore:
        """Rebuild a store saved by :meth:`to_dict`; a ValueError names the faulty field."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"snapshots.format: expected {FORMAT!r}")
        try:
            store = cls(int(data["n_params"]), int(data["max_bytes"]), int(data["dense"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"snapshots: {exc}") from None
        epochs = np.asarray(data.get("epochs", []), dtype=np.int64)
        errors = np.array([math.nan if e is None else e for e in data.get("errors", [])], dtype=float)
        try:
            raw = base64.b64decode(data.get("params", ""), validate=True)
        except ValueError:
            raise ValueError("snapshots.params: not valid base64") from None
        params = np.frombuffer(raw, dtype="<f8").astype(float)
        if len(errors) != len(epochs) or params.size != len(epochs) * store.n_params:
            raise ValueError(
                f"snapshots.params: {len(epochs)} epochs and {len(errors)} errors need "
                f"{len(epochs) * store.n_params} numbers, found {params.size}"
            )
        if len(epochs) > 1 and (np.diff(epochs) <= 0).any():
            raise ValueError("snapshots.epochs: must increase")
        if len(epochs) > store.capacity + 1:
            raise ValueError(f"snapshots.epochs: {len(epochs)} snapshots exceed the store's bound")
        params = params.reshape(len(epochs), store.n_params)
        for epoch, row, error in zip(epochs[: store.capacity], params, errors, strict=False):
            store._append(int(epoch), row, float(error))
        if len(epochs) > store.capacity:
            store._latest_params[:] = params[-1]
            store._latest = (int(epochs[-1]), float(errors[-1]))
        store.stride = max(1, int(data.get("stride", 1)))
        return store


#: the most bytes of parameters one compiled chunk copies aside before they go to the store
CHUNK_RECORD_BYTES = 2**21
#: and the most rows
CHUNK_RECORD_ROWS = 256


class ChunkRecorder:
    """Lets a compiled chunk of epochs record the parameters a :class:`SnapshotStore` keeps, with no Python
    between its epochs: :meth:`plan` says after which epochs to copy them (the store's next kept epoch
    and every ``stride`` after it), :meth:`take` adds the copies to the store.

    ``epoch_offset``: the store's epoch of the run's epoch 0 (a run continued from history).
    """

    def __init__(self, store: SnapshotStore, epoch_offset: int = 0):
        self.store = store
        self.epoch_offset = int(epoch_offset)
        self.rows = max(1, min(CHUNK_RECORD_ROWS, CHUNK_RECORD_BYTES // (8 * store.n_params)))
        self._records = np.empty((0, store.n_params))
        self._after = np.empty(0, dtype=np.int64)

    def plan(self, epochs_done: int, epochs: int, dtype: np.dtype) -> tuple[int, Array, Array]:
        """For a chunk of up to ``epochs`` epochs after the run's ``epochs_done``: (the epochs it may run,
        after which of them, counted from 1, to copy the parameters, the rows to copy them into)."""
        if self._records.dtype != dtype or not len(self._records):
            self._records = np.empty((self.rows, self.store.n_params), dtype=dtype)
        store = self.store
        first = max(1, store.next_kept_epoch - self.epoch_offset - epochs_done)
        after = first + store.stride * np.arange(self.rows, dtype=np.int64)
        if after[-1] < epochs:
            epochs = int(after[-1])  # no more than the rows hold
        self._after = after[after <= epochs]
        return epochs, self._after, self._records

    def take(self, epochs_done: int, errors: Array, recorded: int) -> None:
        """Add the first ``recorded`` rows of the chunk that began after the run's ``epochs_done`` and ran
        ``errors`` epochs; a diverged epoch and everything after it are left out."""
        store = self.store
        for k in range(recorded):
            after = int(self._after[k])
            error, row = float(errors[after - 1]), self._records[k]
            with np.errstate(over="ignore", invalid="ignore"):
                if not (math.isfinite(error) and math.isfinite(row @ row)):  # the run's divergence test
                    return
            epoch = self.epoch_offset + epochs_done + after
            if epoch > store.last_epoch:
                store.add(epoch, row, error)
