"""The Qt front end.  Only the entry points import this package."""

from .app import MainWindow

__all__ = ["MainWindow"]
