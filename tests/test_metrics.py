"""Accuracy reads the task from the targets."""

import numpy as np
import pytest

from nnstudio.core.datasets import logic_gates, xor
from nnstudio.core.metrics import accuracy


def test_binary_single_output() -> None:
    assert accuracy([[0.1], [0.9], [0.6], [0.4]], xor().Y) == 1.0
    assert accuracy([[0.1], [0.2], [0.6], [0.4]], xor().Y) == 0.75


def test_one_class_only_still_uses_the_label_midpoint() -> None:
    assert accuracy([[0.0001]], [[0.0]]) == 1.0
    assert accuracy([[0.7]], [[0.0]]) == 0.0
    assert accuracy([[-0.2], [0.3]], [[-1.0], [1.0]]) == 1.0  # tanh labels


def test_multi_label_counts_every_output() -> None:
    targets = logic_gates().Y  # AND, OR, XOR
    assert accuracy(targets * 0.9 + 0.05, targets) == 1.0
    wrong_xor = targets.copy()
    wrong_xor[:, 2] = 1 - wrong_xor[:, 2]
    assert accuracy(wrong_xor, targets) == pytest.approx(8 / 12)


def test_one_hot_uses_argmax() -> None:
    targets = np.eye(3)[[0, 1, 2, 1]]
    outputs = np.array([[0.5, 0.3, 0.2], [0.1, 0.8, 0.1], [0.4, 0.5, 0.1], [0.2, 0.7, 0.1]])
    assert accuracy(outputs, targets) == 0.75


def test_regression_has_no_accuracy() -> None:
    assert accuracy([[0.1], [0.2], [0.3]], [[0.0], [0.5], [1.0]]) is None


def test_confusion_matrix_counts_actual_by_predicted() -> None:
    from nnstudio.core.metrics import confusion_matrix, per_class_accuracy

    targets = np.eye(3)[[0, 0, 1, 2, 2, 2]]
    outputs = np.eye(3)[[0, 1, 1, 2, 0, 2]] * 0.8 + 0.1
    counts = confusion_matrix(outputs, targets)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert per_class_accuracy(counts).tolist() == pytest.approx([0.5, 1.0, 2 / 3])


def test_confusion_matrix_for_one_label_column_and_regression() -> None:
    from nnstudio.core.metrics import confusion_matrix, per_class_accuracy

    counts = confusion_matrix([[0.2], [0.7], [0.4], [0.6]], xor().Y)  # targets 0, 1, 1, 0
    assert counts.tolist() == [[1, 1], [1, 1]]
    assert confusion_matrix([[0.1], [0.2], [0.3]], [[0.1], [0.5], [0.9]]) is None
    assert np.isnan(per_class_accuracy(np.array([[0, 0], [1, 2]]))[0])


def test_percentages_are_never_rounded_up_to_all_right() -> None:
    from nnstudio.core.metrics import percent_text

    assert [percent_text(199 / 200), percent_text(1.0), percent_text(0.0), percent_text(57 / 100),
            percent_text(2 / 3), percent_text(1 - 1e-9), percent_text(0.75)] == [
        "99.5%", "100%", "0%", "57%", "66.6%", "99.9%", "75%"]
