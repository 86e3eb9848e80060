"""The Qt front end.  Only the entry points import this package."""

from .main_window import MainWindow

__all__ = ["MainWindow"]
