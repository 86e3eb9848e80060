"""The document the views mirror (graph, data, weights, training state) and the undo commands that edit it."""
