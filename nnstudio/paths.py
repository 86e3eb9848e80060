"""Where nnstudio finds its bundled files (icons, styles, samples, documentation).

In a wheel they are packaged inside ``nnstudio/`` (``_resources``,
``_samples``, ``_docs``); in a source checkout they sit beside the package, at
the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(bundled: str, top_level: str) -> Path:
    inside = _PACKAGE / bundled
    return inside if inside.is_dir() else _PACKAGE.parent / top_level


def resources_dir() -> Path:
    return _find("_resources", "resources")


def samples_dir() -> Path:
    return _find("_samples", "samples")


def docs_dir() -> Path:
    """Where README.md and docs/*.md are (``_docs`` in a wheel: the same tree as the repository's top)."""
    inside = _PACKAGE / "_docs"
    return inside if inside.is_dir() else _PACKAGE.parent


def icon_path(name: str) -> Path:
    """The SVG icon called ``name`` (without extension)."""
    return resources_dir() / "icons" / f"{name}.svg"


def sample_path(name: str) -> Path:
    """A sample project by file stem, e.g. ``sample_path("xor")``."""
    return samples_dir() / f"{name}.nnstudio"
