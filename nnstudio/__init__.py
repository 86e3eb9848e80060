"""nnstudio: build and train small neural networks visually."""

__version__ = "0.1.0"
