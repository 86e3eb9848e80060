"""Live training: the worker thread, its controller, and the docks that watch a run."""
