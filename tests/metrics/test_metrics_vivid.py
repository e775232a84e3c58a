"""chroma.metrics.vivid_wrong: the share of confidently wrong colors (issue 12)."""

import numpy as np
import pytest

from chroma import metrics
from chroma.spaces import convert


def _rgb_from_lab(lab):
    return np.clip(convert(np.asarray(lab, np.float32), "lab", "rgb"), 0, 1)


def test_identical_and_gray_outputs_score_zero():
    rng = np.random.default_rng(0)
    truth = rng.random((12, 10, 3)).astype(np.float32)
    assert metrics.vivid_wrong(truth, truth) == 0.0
    gray = np.repeat(truth.mean(-1, keepdims=True), 3, -1)
    assert metrics.vivid_wrong(gray, truth) == 0.0


def test_counts_neutral_truth_and_wrong_hue_but_not_right_hue():
    # one row of 4 pixels at L* 60: truth neutral / red / red / red
    truth = _rgb_from_lab([[[60, 0, 0], [60, 40, 10], [60, 40, 10], [60, 40, 10]]])
    out = _rgb_from_lab([[[60, 30, 0],  # vivid on neutral truth: wrong
                          [60, -30, -5],  # opposite hue: wrong
                          [60, 35, 20],  # same hue (about 16 deg off): right
                          [60, 5, 2]]])  # not vivid: not counted
    assert metrics.vivid_wrong(out, truth) == pytest.approx(0.5)
    # a hue tolerance under the third pixel's 16 deg offset makes it wrong too
    assert metrics.vivid_wrong(out, truth, hue_deg=10) == pytest.approx(0.75)
    # a higher vividness threshold drops everything
    assert metrics.vivid_wrong(out, truth, chroma_min=50) == 0.0


def test_uint8_and_float_agree():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    assert metrics.vivid_wrong(a, b) == pytest.approx(
        metrics.vivid_wrong(a.astype(np.float32) / 255, b.astype(np.float32) / 255))
    assert 0.0 < metrics.vivid_wrong(a, b) < 1.0


def test_bad_input_errors():
    x = np.zeros((4, 4, 3), np.float32)
    with pytest.raises(ValueError, match="same height and width"):
        metrics.vivid_wrong(x, np.zeros((4, 5, 3), np.float32))
    with pytest.raises(ValueError, match="hue_deg"):
        metrics.vivid_wrong(x, x, hue_deg=200)
    with pytest.raises(TypeError, match="chroma_min"):
        metrics.vivid_wrong(x, x, chroma_min="20")
    assert "vivid_wrong" in metrics.__all__
