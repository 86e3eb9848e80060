"""The rows a table shows, the training rows then the test rows, read in place instead of stacked.

A 60,000 × 784 dataset is 376 MB: stacking its training and test inputs to
show them copied that much, and took seconds, each time the data table or a
frame builder loaded it.  :class:`TableRows` indexes the two arrays as one.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


class TableRows:
    """Rows ``0 … len(train) − 1`` are ``train``'s, the ones after them ``test``'s (None or empty: none)."""

    def __init__(self, train: Array, test: Array | None):
        self.train = train
        self.test = test if test is not None and len(test) else None
        self.n_train = len(train)

    def __len__(self) -> int:
        return self.n_train + (0 if self.test is None else len(self.test))

    def __getitem__(self, key: int | tuple[int, int]):
        """A row (``rows[r]``) or one value (``rows[r, c]``), as of the stacked array."""
        row, column = key if isinstance(key, tuple) else (key, None)
        if not 0 <= row < len(self):
            raise IndexError(f"row {row} of {len(self)}")
        part, r = (self.train, row) if row < self.n_train else (self.test, row - self.n_train)
        assert part is not None
        return part[r] if column is None else part[r, column]

    def take(self, index: Array) -> Array:
        """The rows ``index`` (ascending) as one new array."""
        index = np.asarray(index, dtype=np.int64)
        train = self.train[index[index < self.n_train]]
        if self.test is None:
            return train
        return np.concatenate([train, self.test[index[index >= self.n_train] - self.n_train]])

    def stacked(self) -> Array:
        """Every row in one new array (for an edit, which makes a new dataset anyway)."""
        return self.train.copy() if self.test is None else np.concatenate([self.train, self.test])
