"""Loading data in the window: target columns, classes, test split and scaling kept in the project; bad files
give one message and leave the open project as it was."""

from __future__ import annotations

import numpy as np
import pytest

from nnstudio.io.project import load_project
from nnstudio.paths import samples_dir
from nnstudio.ui.training.data_import import DataChoice, DataImportDialog, guess_classes, read_columns

IRIS = samples_dir() / "data" / "iris.csv"


def test_the_dialog_offers_every_column_and_guesses_classes(qtbot):
    dialog = DataImportDialog(read_columns(IRIS))
    names = [dialog.targets.item(k).text() for k in range(dialog.targets.count())]
    assert names[-1] == "species" and len(names) == 5
    assert dialog.choice() == DataChoice(["species"], False, 0.2, "standard")
    assert not dialog.classes.isEnabled()  # a text target is classes anyway
    digits = read_columns(samples_dir() / "data" / "digits.csv")
    assert guess_classes(digits, ["digit"]) and not guess_classes(read_columns(IRIS), ["petal width"])
    dialog.targets.item(0).setCheckState(dialog.targets.item(4).checkState())  # two targets
    assert dialog.choice().targets == ["sepal length", "species"] and dialog.ok_button.isEnabled()


def test_a_csv_with_a_class_target_loads_split_and_scaled_and_the_project_keeps_it(window, tmp_path, monkeypatch):
    dock, doc = window.training.training_dock, window.document
    asked = []
    monkeypatch.setattr(dock, "ask_data_choice", lambda file: asked.append(file.columns) or
                        DataChoice(["species"], False, 0.3, "minmax"))
    assert dock.import_csv(str(IRIS))
    assert asked and asked[0][-1] == "species"
    data = doc.dataset
    assert data.class_names == ["setosa", "versicolor", "virginica"]
    assert len(data) == 105 and len(data.X_test) == 45  # 30 % of each class held out
    assert data.scaling.method == "minmax" and data.X.min() == 0.0 and data.X.max() == 1.0
    assert "3 classes, minmax scaling" in dock.dataset_info.text()
    assert window.fit_bar.apply()  # the XOR network becomes 4-3-3, softmax
    path = tmp_path / "iris.nnstudio"
    assert window.save_to(str(path))
    back = load_project(path).dataset
    assert back.scaling.method == "minmax" and len(back.X_test) == 45 and back.class_names == data.class_names
    assert np.array_equal(back.X, data.X)


def test_several_target_columns_and_numeric_classes(window, tmp_path, monkeypatch):
    dock, doc = window.training.training_dock, window.document
    path = tmp_path / "two.csv"
    path.write_text("a,b,grade,score\n" + "".join(f"{k},{k % 3},{k % 4},{k / 10}\n" for k in range(40)))
    monkeypatch.setattr(dock, "ask_data_choice", lambda file: DataChoice(["score", "b"], False, 0.0, "none"))
    assert dock.import_csv(str(path))
    assert doc.dataset.output_names == ["score", "b"] and doc.dataset.n_inputs == 2 and not doc.dataset.has_test
    monkeypatch.setattr(dock, "ask_data_choice", lambda file: DataChoice(["grade"], True, 0.3, "standard"))
    assert dock.import_csv(str(path))
    assert doc.dataset.class_names == ["0", "1", "2", "3"] and len(doc.dataset.X_test) == 12


def test_cancelling_the_dialog_changes_nothing(window, monkeypatch):
    dock, doc = window.training.training_dock, window.document
    before, steps = doc.dataset, doc.undo_stack.count()
    monkeypatch.setattr(dock, "ask_data_choice", lambda file: None)
    assert not dock.import_csv(str(IRIS))
    assert doc.dataset is before and doc.undo_stack.count() == steps


BAD_FILES = [
    ("ragged.csv", b"a,b,y\n1,2,3\n4,5\n", "line 3 has 2 cells"),
    ("duplicate.csv", b"a,b,a\n1,2,3\n", "names column 'a' twice"),
    ("utf16.csv", "a,b\n1,2\n".encode("utf-16"), "UTF-16"),
    ("junk.csv", bytes(range(256)) * 40, "not text"),
    ("wide.csv", ("\n".join([",".join("1" for _ in range(100_000))] * 3) + "\n").encode(), "100000 columns"),
    ("field.csv", b"a,b\n1,2\n3," + b"7" * (50 * 2**20) + b"\n", "a cell is longer than"),
    ("one.csv", b"a\n1\n2\n", "at least an input and a target"),
    ("junk.npz", b"not a zip", "not a .npz archive"),
]


@pytest.mark.parametrize("name, raw, words", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_data_file_gives_one_message_and_leaves_the_project_untouched(window, tmp_path, monkeypatch, name,
                                                                          raw, words):
    dock, doc = window.training.training_dock, window.document
    path = tmp_path / name
    path.write_bytes(raw)
    before, graph, steps, modified = doc.dataset, doc.graph.to_dict(), doc.undo_stack.count(), doc.modified
    shown = []
    window.show_error = lambda title, text: shown.append((title, text))
    monkeypatch.setattr(dock, "ask_data_choice", lambda file: DataChoice(file.columns[-1:], False, 0.2, "standard"))
    assert not dock.import_csv(str(path))
    assert len(shown) == 1 and shown[0][0] == "Could not load the data"
    text = shown[0][1]
    assert words in text and text.startswith(f"Cannot use {name}: ") and "\n" not in text and len(text) < 300
    assert dock.message.text() == text
    assert doc.dataset is before and doc.graph.to_dict() == graph
    assert doc.undo_stack.count() == steps and doc.modified == modified


def test_file_load_data_asks_for_a_file_then_the_choices(window, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    dock, doc = window.training.training_dock, window.document
    action = window.findChild(type(window.actions["loadData"]), "actionLoadData")
    assert action is window.actions["loadData"] and action in window.findChild(object, "menuFile").actions()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(IRIS), ""))
    monkeypatch.setattr(dock, "ask_data_choice", lambda file: DataChoice(["species"], False, 0.2, "none"))
    action.trigger()
    assert doc.dataset.class_names == ["setosa", "versicolor", "virginica"] and doc.dataset.scaling is None
    doc.undo_stack.undo()
    assert doc.dataset.name == "XOR"


def test_the_file_is_read_off_the_gui_thread_and_its_errors_come_back(window, monkeypatch):
    import threading

    from nnstudio.core.datasets import DatasetError
    from nnstudio.ui.training import data_import

    dock, doc = window.training.training_dock, window.document
    readers = []
    real = data_import.read_columns

    def read(path):
        readers.append(threading.current_thread())
        return real(path)

    monkeypatch.setattr(data_import, "read_columns", read)
    monkeypatch.setattr(dock, "ask_data_choice", lambda file: DataChoice(["species"], False, 0.2, "standard"))
    assert dock.import_csv(str(IRIS)) and doc.dataset.class_names
    assert readers and readers[0] is not threading.main_thread()

    def refuse(path):
        raise DatasetError("line 7: something is off")

    monkeypatch.setattr(data_import, "read_columns", refuse)
    window.show_error = lambda title, text: None
    before = doc.dataset
    assert not dock.import_csv(str(IRIS))
    assert dock.message.text() == "Cannot use iris.csv: line 7: something is off" and doc.dataset is before
