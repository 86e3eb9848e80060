"""Status-bar text for training: progress while it runs, and why it ended."""

from __future__ import annotations

import math


def _error(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else str(value)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_text(epoch: int, error: float, epochs_per_second: float, elapsed: float,
                  test_error: float | None = None, state: str = "running") -> str:
    """"Training — epoch 1,234 · error 0.0123 · 25,000 epochs/s · 0:04"."""
    parts = [f"epoch {epoch:,}", f"error {_error(error)}"]
    if test_error is not None:
        parts.append(f"test error {_error(test_error)}")
    if state == "running":
        parts.append(f"{epochs_per_second:,.0f} epochs/s")
    parts.append(_duration(elapsed))
    label = {"running": "Training", "paused": "Paused"}.get(state, "Trained")
    return f"{label} — " + " · ".join(parts)


def end_text(reason: str, epoch: int, error: float) -> str:
    """Why training ended, in words a person can act on."""
    if reason == "target_error":
        return f"Target error reached at epoch {epoch:,} (error {_error(error)})."
    if reason == "max_epochs":
        return f"Stopped at the maximum number of epochs ({epoch:,}); error {_error(error)}. Press Train to go on."
    if reason == "plateau":
        return f"The error stopped improving (plateau) at epoch {epoch:,}; error {_error(error)}."
    if reason == "time_limit":
        return f"Time limit reached at epoch {epoch:,}; error {_error(error)}."
    if reason == "stopped":
        return f"Stopped by the user at epoch {epoch:,}; error {_error(error)}."
    if reason == "diverged":
        return (f"Diverged at epoch {epoch:,}: the error became NaN or infinite. The last finite weights are kept; "
                f"lower the learning rate (or press Reset) and train again.")
    return f"Training ended at epoch {epoch:,} ({reason})."
