"""Reference-guided prior: a*b* pulled toward the reference per lightness band."""

import numpy as np
import pytest

from chroma.colorization._reference import match_ab_by_lightness, sot_2d
from chroma.datasets import sample
from chroma.spaces import convert


def _sw_ab(lab1, lab2, n=64):
    """Sliced 2-Wasserstein distance between the a*b* of two Lab arrays."""
    p = np.asarray(lab1, np.float64)[..., 1:].reshape(-1, 2)
    q = np.asarray(lab2, np.float64)[..., 1:].reshape(-1, 2)
    theta = (np.arange(n) + 0.5) * np.pi / n
    levels = (np.arange(512) + 0.5) / 512
    w2 = [np.mean((np.quantile(p @ d, levels) - np.quantile(q @ d, levels)) ** 2)
          for d in np.stack([np.cos(theta), np.sin(theta)], -1)]
    return float(np.sqrt(np.mean(w2)))


def _ramp(n=400, ab=(5.0, 10.0)):
    lab = np.zeros((n, 3), np.float32)
    lab[:, 0] = np.linspace(5, 95, n)
    lab[:, 1:] = ab
    return lab


# --- the matching itself (no torch) ---------------------------------------------------
def test_sot_2d_matches_a_gaussian():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 2))
    y = rng.normal(size=(3000, 2)) @ np.array([[3.0, 1.0], [0.0, 0.5]]) + [20.0, -7.0]
    z = sot_2d(x, y, rng=np.random.default_rng(0))
    np.testing.assert_allclose(z.mean(0), y.mean(0), atol=0.1)
    np.testing.assert_allclose(np.cov(z.T), np.cov(y.T), rtol=0.1, atol=0.1)
    assert _sw_ab(np.c_[np.zeros(len(z)), z], np.c_[np.zeros(len(y)), y]) < 0.3
    assert np.array_equal(x, np.random.default_rng(0).normal(size=(2000, 2)))  # not modified


def test_lightness_unchanged_and_strength_zero_is_identity():
    rng = np.random.default_rng(1)
    pred = rng.uniform([0, -30, -30], [100, 30, 30], size=(24, 32, 3)).astype(np.float32)
    ref = rng.uniform([0, 0, 20], [100, 40, 60], size=(30, 30, 3)).astype(np.float32)
    before = pred.copy()
    out = match_ab_by_lightness(pred, ref)
    assert out.shape == pred.shape and out.dtype == np.float32
    assert np.array_equal(out[..., 0], pred[..., 0])
    assert np.array_equal(pred, before)  # input not modified
    assert np.array_equal(match_ab_by_lightness(pred, ref, strength=0.0), pred)
    half = match_ab_by_lightness(pred, ref, strength=0.5)
    np.testing.assert_allclose(half[..., 1:], 0.5 * (pred[..., 1:] + out[..., 1:]), atol=1e-4)
    assert _sw_ab(out, ref) < 0.25 * _sw_ab(pred, ref)


def test_single_color_reference_is_reached():
    pred = _ramp()
    ref = np.zeros((100, 3), np.float32)
    ref[:, 0] = np.linspace(40, 60, 100)  # only mid lightness: other bands borrow
    ref[:, 1:] = (-50.0, 40.0)  # green
    out = match_ab_by_lightness(pred, ref, n_bands=5, lightness="absolute")
    np.testing.assert_allclose(out[:, 1:], np.broadcast_to([-50.0, 40.0], (400, 2)), atol=1e-3)


def test_colors_follow_lightness_and_vary_smoothly():
    pred = _ramp(n=1000, ab=(0.0, 0.0))
    pred[:, 2] = 0.1 * (pred[:, 0] - 50)  # a faint trend with L*: ranks follow L*
    ref = np.zeros((2000, 3), np.float32)
    ref[:, 0] = np.linspace(5, 95, 2000)
    ref[:, 2] = 0.8 * (ref[:, 0] - 50)  # dark blue ... bright yellow
    out = match_ab_by_lightness(pred, ref, n_bands=6)
    dark, bright = out[:, 0] < 30, out[:, 0] > 70
    assert out[dark, 2].mean() < -20 and out[bright, 2].mean() > 20
    # the bands' results are blended by L*: no step where one band hands over to the next
    steps = np.abs(np.diff(out[:, 2]))
    assert steps.max() < 1.0, steps.max()  # range is 72; hard bands would jump by ~10
    hard = match_ab_by_lightness(pred, ref, n_bands=1)
    assert np.abs(np.diff(hard[:, 2])).max() < 1.0
    # conditioned on L*: a prediction trending the other way still gets dark pixels
    # blue and bright ones yellow (one global match would swap them)
    pred[:, 2] *= -1
    truth = 0.8 * (pred[:, 0] - 50)
    banded = np.abs(match_ab_by_lightness(pred, ref, n_bands=6)[:, 2] - truth).mean()
    global_ = np.abs(match_ab_by_lightness(pred, ref, n_bands=1)[:, 2] - truth).mean()
    assert banded < 0.3 * global_, (banded, global_)


def test_rank_bands_ignore_exposure_absolute_bands_do_not():
    pred = _ramp(n=600, ab=(0.0, 0.0))
    pred[:, 0] = np.linspace(5, 45, 600)  # a dark target
    pred[:, 2] = 0.01 * pred[:, 0]
    ref = np.zeros((1000, 3), np.float32)
    ref[:, 0] = np.linspace(55, 95, 1000)  # a bright reference: blue ... yellow with L*
    ref[:, 2] = np.where(ref[:, 0] < 75, -40.0, 40.0)
    rank = match_ab_by_lightness(pred, ref, lightness="rank")
    dark, bright = pred[:, 0] < 20, pred[:, 0] > 30
    assert rank[dark, 2].mean() < -35 and rank[bright, 2].mean() > 35
    absolute = match_ab_by_lightness(pred, ref, lightness="absolute", min_reference=100)
    assert (absolute[:, 2] < -35).all()  # every band borrows the darkest (blue) pixels
    with pytest.raises(ValueError, match="lightness"):
        match_ab_by_lightness(pred, ref, lightness="relative")


def test_reference_weights_select_pixels():
    pred = _ramp()
    ref = np.zeros((40, 40, 3), np.float32)
    ref[..., 0] = 50
    ref[:, :20, 1:] = (-40.0, 30.0)  # green half
    ref[:, 20:, 1:] = (50.0, 20.0)  # red half
    w = np.zeros((40, 40))
    w[:, :20] = 1
    green = match_ab_by_lightness(pred, ref, ref_weights=w)
    red = match_ab_by_lightness(pred, ref, ref_weights=1 - w)
    np.testing.assert_allclose(green[:, 1:].mean(0), [-40.0, 30.0], atol=1e-3)
    np.testing.assert_allclose(red[:, 1:].mean(0), [50.0, 20.0], atol=1e-3)
    with pytest.raises(ValueError, match="ref_weights"):
        match_ab_by_lightness(pred, ref, ref_weights=np.ones(3))
    with pytest.raises(ValueError, match="ref_weights"):
        match_ab_by_lightness(pred, ref, ref_weights=np.zeros((40, 40)))


def test_deterministic_and_argument_errors():
    rng = np.random.default_rng(2)
    pred = rng.uniform([0, -30, -30], [100, 30, 30], size=(500, 3)).astype(np.float32)
    ref = rng.uniform([0, -60, -60], [100, 60, 60], size=(30000, 3)).astype(np.float32)
    a = match_ab_by_lightness(pred, ref, random_state=3)
    assert np.array_equal(a, match_ab_by_lightness(pred, ref, random_state=3))
    with pytest.raises(ValueError, match="strength"):
        match_ab_by_lightness(pred, ref, strength=2.0)
    with pytest.raises(ValueError, match="n_bands"):
        match_ab_by_lightness(pred, ref, n_bands=0)
    with pytest.raises(ValueError, match="lab_ref"):
        match_ab_by_lightness(pred, ref[:, :2])
    with pytest.raises(TypeError, match="lab_pred"):
        match_ab_by_lightness(pred.astype(np.uint8), ref)


# --- wired into colorize(method="prior") ----------------------------------------------
def _gray_of(rgb_u8):
    lab = convert(rgb_u8, "rgb", "lab")
    lab[..., 1:] = 0
    return np.rint(convert(lab, "lab", "rgb")[..., 0] * 255).astype(np.uint8)


@pytest.fixture(scope="module")
def pair():
    pytest.importorskip("torch")
    return _gray_of(sample("chelsea")[::6, ::6]), sample("coffee")[::6, ::6]


def _lab(img):
    return convert(img, "rgb", "lab").astype(np.float64)


def test_prior_reference_moves_colors_and_keeps_lightness(pair):
    from chroma import colorize
    gray, ref = pair
    unguided = colorize(gray)
    guided = colorize(gray, reference=ref)
    l_in = convert(np.repeat(gray[..., None], 3, -1), "rgb", "lab")[..., 0]
    assert np.abs(_lab(guided)[..., 0] - l_in).max() < 0.6  # 8-bit rounding only
    sw_u, sw_g = _sw_ab(_lab(unguided), _lab(ref)), _sw_ab(_lab(guided), _lab(ref))
    assert sw_g < 0.7 * sw_u  # the target: >= 30 % lower than unguided
    assert np.array_equal(guided, colorize(gray, reference=ref))  # deterministic


def test_reference_strength_zero_is_the_global_hint_only(pair):
    from chroma import colorize
    from chroma._core.validate import from_float
    from chroma.colorization._infer import load_auto_model
    from chroma.colorization._predict import AUTO_CONFIDENCE, predict_guided
    from chroma.colorization.prior import (
        AUTO_CORRECTION,
        DEFAULT_CORRECTION,
        DEFAULT_VIBRANCY,
        WORKING_SIZE,
        _reference_hist,
        _reference_sample,
        load_weights,
    )
    from chroma.spaces.gamut import lab_to_srgb_keep_lightness as lab_to_rgb_keep_lightness

    gray, ref = pair
    model = load_weights()
    lab = convert(np.repeat(gray[..., None], 3, -1).astype(np.float32) / 255, "rgb", "lab")
    from chroma.colorization._correspond import reference_grid

    hist = _reference_hist(model, *_reference_sample(*reference_grid(ref)))
    # strength 0: the network with the histogram hint, no correspondence hints
    lab[..., 1:] = predict_guided(model, lab[..., 0], temperature=1.0 - DEFAULT_VIBRANCY,
                                  correction=DEFAULT_CORRECTION, side=WORKING_SIZE,
                                  hist=hist, auto_model=load_auto_model(),
                                  auto_correction=AUTO_CORRECTION,
                                  auto_confidence=AUTO_CONFIDENCE)
    expected = from_float(lab_to_rgb_keep_lightness(lab), np.uint8)
    np.testing.assert_array_equal(colorize(gray, reference=ref, reference_strength=0.0),
                                  expected)
    with pytest.raises(ValueError, match="reference_strength"):
        colorize(gray, reference=ref, reference_strength=1.5)


def test_green_reference_and_reference_mask(pair):
    from chroma import colorize
    gray, _ = pair
    ref = np.zeros((20, 40, 3), np.uint8)
    ref[:, :20] = (30, 180, 40)  # green
    ref[:, 20:] = (200, 40, 40)  # red
    green_ab = _lab(ref[:1, :1])[0, 0, 1:]
    red_ab = _lab(ref[:1, -1:])[0, 0, 1:]
    m = np.zeros((20, 40))
    m[:, :20] = 1
    base = _lab(colorize(gray))[..., 1:]
    to_green = _lab(colorize(gray, reference=ref, reference_mask=m))[..., 1:]
    to_red = _lab(colorize(gray, reference=ref, reference_mask=1 - m))[..., 1:]

    def dist(ab, target):
        return np.linalg.norm(ab - target, axis=-1).mean()

    # strongly toward the selected color (gamut limits keep it from being exact)
    assert dist(to_green, green_ab) < 0.4 * dist(base, green_ab)
    assert dist(to_red, red_ab) < 0.4 * dist(base, red_ab)
    assert dist(to_green, red_ab) > 2 * dist(to_green, green_ab)
