"""File → Export Training Animation: the time-travel range as an APNG of the expected frames, with cancel."""

import dataclasses
import struct

import pytest

from nnstudio.io.apng import chunks, png_frames
from nnstudio.ui.learning.animation import AnimationSpec, frame_epochs
from nnstudio.ui.training.controller import IDLE


@pytest.fixture
def trained(qtbot, window):
    doc, controller = window.document, window.training.controller
    doc.set_settings(dataclasses.replace(doc.settings, epochs=200, target_error=0.0))
    with qtbot.waitSignal(controller.runFinished, timeout=60_000):
        assert controller.train()
    assert controller.state == IDLE
    return window


def test_frames_spread_evenly_over_the_range(trained):
    store = trained.learning_tools.time_travel.store
    epochs, params = frame_epochs(store, AnimationSpec(0, 200, seconds=2, fps=5))
    assert len(epochs) == len(params) == 10 and epochs[0] == 0 and epochs[-1] == 200
    assert epochs == sorted(epochs) and len(set(epochs)) == 10


def test_an_exported_animation_decodes_to_the_expected_frames(trained, tmp_path):
    dialog = trained.learning_tools.open_animation_export()
    assert (dialog.first_epoch.value(), dialog.last_epoch.value()) == (0, 200)
    dialog.width_box.setValue(400)
    dialog.seconds.setValue(3)
    dialog.fps.setValue(8)
    path = tmp_path / "clip.png"
    dialog.path.setText(str(path))
    assert dialog.record(wait=True) is None
    data = path.read_bytes()
    frames = png_frames(data)
    assert len(frames) == 24
    actl = next(body for kind, body in chunks(data) if kind == b"acTL")
    assert struct.unpack(">II", actl) == (24, 0)  # 24 frames, looping forever
    width, height = struct.unpack(">II", chunks(frames[0])[0][1][:8])
    assert width == 400 and height > 200  # the canvas and the error curve under it
    assert frames[0] != frames[-1]  # the network changed between the first epoch and the last
    assert any(kind == b"PLTE" for kind, _ in chunks(data))  # 256 colours unless full colour is asked for
    assert "Wrote" in trained.training.status_label.text()


def test_cancelling_writes_nothing(qtbot, trained, tmp_path):
    dialog = trained.learning_tools.open_animation_export()
    dialog.width_box.setValue(200)
    path = tmp_path / "never.png"
    dialog.path.setText(str(path))
    assert dialog.record() is None
    recorder = dialog.recorder
    with qtbot.waitSignal(recorder.progressed, timeout=30_000):
        pass
    with qtbot.waitSignal(recorder.failed, timeout=30_000) as failed:
        dialog.cancel_or_close()
    assert failed.args == ["cancelled"] and not path.exists() and dialog.recorder is None
    assert "nothing was written" in dialog.estimate.text()


def test_nothing_to_record_before_training(window):
    dialog = window.learning_tools.open_animation_export()
    assert not dialog.record_button.isEnabled()
    assert "train the network first" in dialog.record()
