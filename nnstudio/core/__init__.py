"""nnstudio's NumPy core: graph, network, activations, losses, optimizers, training, datasets.

It imports only NumPy and the standard library, never Qt::

    from nnstudio.core import Layer, Network, Trainer, datasets
"""

from . import datasets
from .activations import ACTIVATIONS
from .datasets import Dataset, DatasetError
from .graph import Connection, Graph, Layer, TopologyError
from .losses import LOSSES
from .network import Network
from .synaptic import Architect, Neuron
from .trainer import Trainer
from .training import STOP_REASONS, Snapshot, TrainingRun, TrainSettings

__all__ = [
    "ACTIVATIONS", "LOSSES", "STOP_REASONS", "Architect", "Connection", "Dataset", "DatasetError", "Graph", "Layer",
    "Network", "Neuron", "Snapshot", "Trainer", "TrainingRun", "TrainSettings", "TopologyError", "datasets",
]
