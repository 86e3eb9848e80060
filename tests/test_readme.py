"""The README's promises: its library example runs as shown, and CI runs its test command."""

import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, re.S)


def test_the_synaptic_example_learns_xor(capsys) -> None:
    tutorial, trainer = python_blocks()[:2]
    namespace: dict = {}
    exec(tutorial, namespace)
    net = namespace["net"]
    outputs = [net.activate(x)[0] for x in ([0, 0], [0, 1], [1, 0], [1, 1])]
    assert [round(o) for o in outputs] == [0, 1, 1, 0]
    printed = float(capsys.readouterr().out.strip().strip("[]"))
    assert abs(printed - 0.99) < 0.01  # the comment in the README says ≈ [0.99]
    exec(trainer, namespace)
    result = namespace["result"]
    assert result["reason"] == "target_error" and 50 < result["iterations"] < 5000 and result["error"] < 0.005


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_second() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick_start, re.S)
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert "nnstudio samples/xor.nnstudio" in commands[0]
    ci = (ROOT / ".ci" / "run").read_text()
    # CI puts the virtual environment in a temporary folder instead of .venv; otherwise the same words
    assert commands[1].replace(".venv", '"$venv"') in ci


def test_readme_screenshots_exist() -> None:
    for path in re.findall(r"\]\((docs/screenshots/[^)]+\.png)\)", README):
        assert (ROOT / path).is_file(), path
    assert np.unique(re.findall(r"docs/screenshots/[^)]+\.png", README)).size >= 1
