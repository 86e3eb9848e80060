"""The one error every data loader and dataset check raises (re-exported by :mod:`nnstudio.core.datasets`)."""

from __future__ import annotations


class DatasetError(ValueError):
    """A dataset or data file that cannot be used; the message says where and why."""
