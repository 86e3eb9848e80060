"""What an undoable edit remembers of the trained document: weights, error history, status, snapshots.

Undoing an edit made after training must bring back the trained network, not
fresh initial weights.  So an edit that can change the weights or what they
were trained on captures a :class:`TrainedState` before it runs, and the
state is put back when it is undone.

Memory: a parameter block that has not changed since the previous capture is
shared, not copied (edits in a row without training in between cost nothing);
the history is kept as compact arrays.  All captured states together stay
within a byte budget (:data:`UNDO_MEMORY_BUDGET`); when it is exceeded the
states used longest ago give up their time-travel snapshots first (the big
part: up to 50 MB a run), then their weights and history too
(:meth:`TrainedState.release`); the newest state, and the one an undo is about
to put back, are always kept whole.  Undoing an edit whose state was released
still restores the structure, and says that its trained weights were not kept.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...core.history import ErrorHistory

#: bytes the captured states but the newest may hold together: the edits of a small network keep their runs
#: for dozens of steps; a 784-512-512-10 network's weights (5.4 MB) stay with the newest step only
UNDO_MEMORY_BUDGET = 4 * 2**20


@dataclass
class HistoryCopy:
    """An :class:`ErrorHistory` as compact arrays (the live one preallocates its capacity)."""

    capacity: int
    stride: int
    epochs: np.ndarray
    train: np.ndarray
    test_epochs: list[int]
    test: list[float]
    last_epoch: int
    last_error: float

    @classmethod
    def of(cls, history: ErrorHistory) -> HistoryCopy:
        return cls(history.capacity, history.stride, history.epochs.copy(), history.train.copy(),
                   list(history.test_epochs), list(history.test), history.last_epoch, history.last_error)

    def history(self) -> ErrorHistory:
        """A live history with exactly this content."""
        restored = ErrorHistory.from_dict(
            {"stride": self.stride, "epochs": self.epochs, "train": self.train, "test_epochs": self.test_epochs,
             "test": self.test}, capacity=self.capacity)
        restored.last_epoch, restored.last_error = self.last_epoch, self.last_error
        return restored

    @property
    def nbytes(self) -> int:
        return self.epochs.nbytes + self.train.nbytes + 16 * len(self.test)


@dataclass(eq=False)
class TrainedState:
    """The trained part of a document at one moment; ``kept`` holds what other parts keep (snapshots)."""

    blocks: dict[str, np.ndarray] | None
    trained: bool
    fresh_keys: frozenset[str]
    history: HistoryCopy | None
    status: str
    kept: dict[str, Any] = field(default_factory=dict)

    @property
    def released(self) -> bool:
        return self.blocks is None

    @property
    def kept_nbytes(self) -> int:
        return sum(int(getattr(part, "nbytes", 0)) for part in self.kept.values())

    @property
    def nbytes(self) -> int:
        """An upper bound: shared blocks are counted in every state that holds them."""
        if self.blocks is None:
            return 0
        history = self.history.nbytes if self.history else 0
        return sum(b.nbytes for b in self.blocks.values()) + history + self.kept_nbytes

    def release(self) -> None:
        """Give up the contents (the memory budget is exceeded); restoring then keeps the current weights."""
        self.blocks, self.history, self.kept = None, None, {}


class StateArchive:
    """Every live captured state, oldest first, held to a byte budget (states of dropped commands vanish)."""

    def __init__(self, budget: int = UNDO_MEMORY_BUDGET):
        self.budget = budget
        self._states: list[weakref.ref[TrainedState]] = []
        self._last: TrainedState | None = None  # the newest capture, whose blocks the next one may share

    def capture(self, blocks: dict[str, np.ndarray], trained: bool, fresh_keys: set[str], history: ErrorHistory,
                status: str, kept: dict[str, Any], protect: tuple[TrainedState, ...] = ()) -> TrainedState:
        """A new state; blocks equal to the previous capture's are shared with it.  ``protect``: states
        the budget must not release now (the one an undo puts back next)."""
        previous = self._last.blocks if self._last is not None and self._last.blocks is not None else {}
        shared = {}
        for key, values in blocks.items():
            old = previous.get(key)
            shared[key] = old if old is not None and old.shape == values.shape and np.array_equal(old, values) \
                else values
        state = TrainedState(shared, trained, frozenset(fresh_keys), HistoryCopy.of(history), status, kept)
        self._last = state
        self._states = [weakref.ref(s) for s in self._alive() if not s.released]
        self._states.append(weakref.ref(state))
        self._enforce(protect)
        return state

    def touch(self, state: TrainedState) -> None:
        """``state`` was just used: it is the last to be released."""
        self._states = [weakref.ref(s) for s in self._alive() if s is not state]
        self._states.append(weakref.ref(state))

    def _alive(self) -> list[TrainedState]:
        return [s for s in (ref() for ref in self._states) if s is not None]

    def _enforce(self, protect: tuple[TrainedState, ...]) -> None:
        """Over budget: first the time-travel snapshots of the states used longest ago go, then whole states."""
        states = self._alive()
        total = sum(s.nbytes for s in states)
        candidates = [s for s in states[:-1] if not any(s is kept for kept in protect)]  # never the newest
        for state in candidates:
            if total <= self.budget:
                return
            total -= state.kept_nbytes
            state.kept = {}
        for state in candidates:
            if total <= self.budget:
                return
            total -= state.nbytes
            state.release()

    @property
    def nbytes(self) -> int:
        return sum(s.nbytes for s in self._alive())

    def clear(self) -> None:
        self._states, self._last = [], None
