"""settings.speed: in the project file (old files load with 0), the dock, one click to as fast as possible."""

from __future__ import annotations

import dataclasses
import json

import pytest

from nnstudio.io.project import ProjectError, default_project, load_project, save_project
from nnstudio.ui.training.controller import IDLE, RUNNING


def test_speed_round_trips_and_old_files_load_as_fast_as_possible(tmp_path):
    project = default_project()
    project.settings = dataclasses.replace(project.settings, speed=250.0)
    path = tmp_path / "paced.nnstudio"
    save_project(project, path)
    assert load_project(path).settings.speed == 250.0
    data = json.loads(path.read_text())
    del data["settings"]["speed"]  # a file written before the setting existed
    path.write_text(json.dumps(data))
    assert load_project(path).settings.speed == 0.0
    data["settings"]["speed"] = -5
    path.write_text(json.dumps(data))
    with pytest.raises(ProjectError, match="speed"):
        load_project(path)


def test_the_dock_sets_the_pace_and_fastest_is_one_click(qtbot, window):
    dock, doc = window.training.training_dock, window.document
    dock.speed.setCurrentIndex(dock.speed.findData(30.0))
    assert doc.settings.speed == 30.0
    dock.speed_choice.fastest.click()
    assert doc.settings.speed == 0.0 and dock.speed.currentData() == 0.0
    doc.set_settings(dataclasses.replace(doc.settings, speed=42.0))  # a project's own pace gets an entry
    assert dock.speed.currentText() == "42 epochs/s"


def test_a_running_worker_takes_a_new_pace_at_once(qtbot, window):
    """From 1 epoch a second (a second's wait per epoch) to as fast as possible: the wait ends at once."""
    doc, controller = window.document, window.training.controller
    doc.set_settings(dataclasses.replace(doc.settings, epochs=10**9, target_error=0.0, speed=1.0))
    controller.train()
    qtbot.waitUntil(lambda: controller.state == RUNNING)
    controller.set_speed(0.0)
    qtbot.waitUntil(lambda: doc.history.last_epoch > 500, timeout=20000)
    controller.stop()
    assert controller.state == IDLE
