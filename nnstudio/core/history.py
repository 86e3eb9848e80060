"""Error history with bounded memory.

Every epoch's error is offered to :meth:`ErrorHistory.extend`; it keeps every
``stride``-th epoch and, when ``capacity`` points are stored, drops every other
point and doubles the stride.  Ten million epochs therefore cost the same
memory as ten thousand, and the curve keeps its shape from start to end.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


class ErrorHistory:
    def __init__(self, capacity: int = 8192):
        if capacity < 16 or capacity % 2:
            raise ValueError("capacity must be an even number ≥ 16")
        self.capacity = capacity
        self.stride = 1
        self._epochs = np.empty(capacity, dtype=np.int64)
        self._train = np.empty(capacity)
        self._n = 0
        self.test_epochs: list[int] = []
        self.test: list[float] = []
        self.last_epoch = 0
        self.last_error = float("nan")

    def __len__(self) -> int:
        return self._n

    @property
    def epochs(self) -> Array:
        return self._epochs[: self._n]

    @property
    def train(self) -> Array:
        return self._train[: self._n]

    def extend(self, first_epoch: int, errors: Array) -> None:
        """Record ``errors`` for epochs ``first_epoch``, ``first_epoch + 1``, …"""
        errors = np.asarray(errors, dtype=float)
        if not errors.size:
            return
        epochs = np.arange(first_epoch, first_epoch + errors.size)
        self.last_epoch, self.last_error = int(epochs[-1]), float(errors[-1])
        keep = (epochs - 1) % self.stride == 0
        epochs, errors = epochs[keep], errors[keep]
        while epochs.size:
            room = self.capacity - self._n
            take = min(room, epochs.size)
            self._epochs[self._n : self._n + take] = epochs[:take]
            self._train[self._n : self._n + take] = errors[:take]
            self._n += take
            epochs, errors = epochs[take:], errors[take:]
            if self._n == self.capacity:
                self._thin()
                keep = (epochs - 1) % self.stride == 0
                epochs, errors = epochs[keep], errors[keep]

    def _thin(self) -> None:
        self.stride *= 2
        keep = (self.epochs - 1) % self.stride == 0
        n = int(keep.sum())
        self._epochs[:n] = self.epochs[keep]
        self._train[:n] = self.train[keep]
        self._n = n
        if len(self.test) > self.capacity:
            self.test_epochs = self.test_epochs[::2]
            self.test = self.test[::2]

    def add_test(self, epoch: int, error: float) -> None:
        self.test_epochs.append(int(epoch))
        self.test.append(float(error))
        if len(self.test) > self.capacity:
            self.test_epochs = self.test_epochs[::2]
            self.test = self.test[::2]

    def truncate_after(self, epoch: int, error: float | None = None) -> tuple[Array, Array]:
        """Forget the errors after ``epoch`` (training branches from there); returns the cut (epochs, train).

        ``error`` is the error at ``epoch`` when known (a thinned history may not hold that epoch).
        """
        epoch = int(epoch)
        cut = int(np.searchsorted(self.epochs, epoch, side="right"))
        tail = self.epochs[cut:].copy(), self.train[cut:].copy()
        self._n = cut
        kept = [k for k, e in enumerate(self.test_epochs) if e <= epoch]
        self.test_epochs = [self.test_epochs[k] for k in kept]
        self.test = [self.test[k] for k in kept]
        self.last_epoch = epoch
        if error is not None:
            self.last_error = float(error)
        else:
            self.last_error = float(self._train[cut - 1]) if cut else float("nan")
        return tail

    def clear(self) -> None:
        ErrorHistory.__init__(self, self.capacity)  # this class's fresh state, whatever a subclass adds

    def nbytes(self) -> int:
        return self._epochs.nbytes + self._train.nbytes + 16 * len(self.test)

    def to_dict(self) -> dict:
        return {
            "stride": self.stride,
            "epochs": self.epochs.tolist(),
            "train": [_json_float(v) for v in self.train],
            "test_epochs": list(self.test_epochs),
            "test": [_json_float(v) for v in self.test],
        }

    @classmethod
    def from_dict(cls, d: dict, capacity: int = 8192) -> ErrorHistory:
        h = cls(max(capacity, _even(len(d["epochs"]))))
        epochs = np.asarray(d["epochs"], dtype=np.int64)
        train = np.array([np.nan if v is None else v for v in d["train"]], dtype=float)
        if epochs.shape != train.shape:
            raise ValueError("history.epochs and history.train differ in length")
        h.stride = int(d.get("stride", 1))
        h._n = len(epochs)
        h._epochs[: h._n], h._train[: h._n] = epochs, train
        h.test_epochs = [int(e) for e in d.get("test_epochs", [])]
        h.test = [np.nan if v is None else float(v) for v in d.get("test", [])]
        if len(h.test_epochs) != len(h.test):
            raise ValueError("history.test_epochs and history.test differ in length")
        if h._n:
            h.last_epoch, h.last_error = int(epochs[-1]), float(train[-1])
        return h


def _even(n: int) -> int:
    return max(16, n + 2 + n % 2)


def _json_float(v: float) -> float | None:
    return None if not np.isfinite(v) else float(v)
