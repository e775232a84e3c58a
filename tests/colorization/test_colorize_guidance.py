"""Colorizer v2 (issue 12): decoding, guided upsampling, residual hints, correspondences."""

import numpy as np
import pytest

from chroma.colorization._residual import propagate_residuals
from chroma.datasets import sample
from chroma.spaces import convert


def _lab(img):
    return convert(img, "rgb", "lab").astype(np.float64)


# --- residual propagation (no torch) ---------------------------------------------------
def test_residuals_pin_hints_and_fade_with_screening():
    light = np.full((30, 30), 50.0)
    light[:, 15:] = 90.0  # an edge down the middle
    prior = np.zeros((30, 30, 2))
    prior[..., 1] = 10.0
    hint = np.zeros((30, 30, 2))
    known = np.zeros((30, 30), bool)
    hint[5, 3] = (40.0, -20.0)
    known[5, 3] = True
    screened = propagate_residuals(light, prior, hint, known, lam=1e-2)
    assert np.allclose(screened[5, 3], (40.0, -20.0))  # the hint pixel takes its hint
    # near the hint most of the residual remains; across the edge the prior is kept
    assert screened[6, 4, 0] > 25
    assert np.abs(screened[:, 20:] - prior[:, 20:]).max() < 1.0
    # without screening the residual reaches the far corner of the hint's side
    harmonic = propagate_residuals(light, prior, hint, known, lam=0.0)
    assert harmonic[29, 0, 0] > 30
    assert screened[29, 0, 0] < harmonic[29, 0, 0]
    # no hint: the prior unchanged
    assert np.array_equal(propagate_residuals(light, prior, hint, known & False, lam=0.0),
                          prior.astype(np.float32))


def test_residuals_on_a_coarse_level_for_big_images():
    rng = np.random.default_rng(0)
    light = np.full((64, 64), 60.0) + rng.normal(0, 0.1, (64, 64))
    prior = np.zeros((64, 64, 2))
    hint = np.zeros((64, 64, 2))
    known = np.zeros((64, 64), bool)
    hint[10, 10] = hint[50, 50] = (20.0, 20.0)
    known[10, 10] = known[50, 50] = True
    fine = propagate_residuals(light, prior, hint, known, lam=0.0)
    coarse = propagate_residuals(light, prior, hint, known, lam=0.0, max_pixels=600)
    assert np.allclose(coarse[known], 20.0)
    assert np.abs(coarse - fine).mean() < 1.0  # a flat image: both fill in ~20


def test_prior_weight_zero_is_the_scribble_propagation():
    from chroma.colorization.scribble import _solve_direct

    rng = np.random.default_rng(1)
    light = rng.uniform(20, 80, (20, 24))
    prior = rng.normal(0, 20, (20, 24, 2))
    hint = rng.normal(0, 20, (20, 24, 2))
    known = rng.random((20, 24)) < 0.05
    out = propagate_residuals(light, prior, hint, known, lam=0.0, prior_weight=0.0)
    levin = _solve_direct(light / 100.0, hint, known, 0.03)
    np.testing.assert_allclose(out, levin, atol=1e-3)


# --- decoding and upsampling (torch) -----------------------------------------------------
@pytest.fixture(scope="module")
def model():
    pytest.importorskip("torch")
    from chroma.colorization import load_weights

    return load_weights()


def test_decode_confidence_zero_is_the_annealed_mean_and_spread_hues_fade(model):
    from chroma.colorization._decode import decode

    bins = model.bins
    red = int(np.argmin(((bins - (40, 30)) ** 2).sum(1)))
    green = int(np.argmin(((bins - (-40, 30)) ** 2).sum(1)))
    raw = np.full((len(bins), 1, 2), -20.0, np.float32)
    raw[red, 0, 0] = 10.0  # cell 0: sure it is red
    raw[red, 0, 1] = raw[green, 0, 1] = 10.0  # cell 1: red or green
    plain = decode(model, raw, temperature=1.0, correction=0.0, confidence=0.0)
    np.testing.assert_allclose(plain[0, 0], bins[red], atol=0.5)
    sure = decode(model, raw, temperature=1.0, correction=0.0, confidence=2.0)
    # the sure cell keeps its chroma, the split one (already muddy) loses most of its
    assert np.hypot(*sure[0, 0]) > 0.95 * np.hypot(*plain[0, 0])
    assert np.hypot(*sure[0, 1]) < 0.5 * np.hypot(*plain[0, 1])


def test_guided_upsample_radius_zero_is_bilinear_and_follows_edges(model):
    import torch

    from chroma.colorization._decode import guided_upsample
    from chroma.colorization._infer import resize_plane

    rng = np.random.default_rng(2)
    ab = rng.normal(0, 20, (6, 8, 2)).astype(np.float32)
    light = rng.uniform(0, 100, (24, 32)).astype(np.float32)
    up = guided_upsample(ab, light, radius=0)
    ref = resize_plane(torch, torch.from_numpy(np.moveaxis(ab, -1, 0))[None], (24, 32))
    np.testing.assert_allclose(up, np.moveaxis(ref[0].numpy(), 0, -1), atol=1e-5)
    # a color edge on a lightness edge stays sharp with the guide, not with bilinear
    light = np.zeros((32, 32), np.float32)
    light[:, 13:] = 80
    ab = np.zeros((8, 8, 2), np.float32)
    ab[:, 3:] = 40
    guided = guided_upsample(ab, light, radius=1, eps=1.0)
    bilinear = guided_upsample(ab, light, radius=0)
    assert np.abs(guided[:, 12, 0]).max() < np.abs(bilinear[:, 12, 0]).max()


# --- the public path (torch) -----------------------------------------------------------
@pytest.fixture(scope="module")
def photo():
    pytest.importorskip("torch")
    return sample("chelsea")[::3, ::3]


def test_hint_pixels_land_on_their_hint_and_more_hints_help(photo):
    from chroma import colorize, metrics
    from chroma.colorization.hints import sample_hints

    gray = photo.mean(-1).astype(np.uint8)
    truth_gray = np.repeat(gray[..., None], 3, -1)
    # the truth: the photo's colors on the gray's lightness (hints then fit the L* exactly)
    lab = _lab(photo)
    lab[..., 0] = _lab(truth_gray)[..., 0]
    truth = np.rint(np.clip(convert(lab.astype(np.float32), "lab", "rgb"), 0, 1) * 255
                    ).astype(np.uint8)
    scores = []
    for n in (0, 20, 200):
        hints = sample_hints(truth, n, random_state=0)
        out = colorize(gray, hints=hints if n else None)
        scores.append(metrics.psnr(out, truth))
        if n:
            de = metrics.ciede2000(_lab(out)[hints.rows, hints.cols], hints.lab)
            assert de.max() < 3.0
    assert scores[0] < scores[1] < scores[2]


def test_same_scene_reference_is_followed(photo):
    from chroma import colorize, metrics

    truth = photo
    gray = convert(truth, "rgb", "lab")
    gray[..., 1:] = 0
    gray = np.rint(np.clip(convert(gray, "lab", "rgb"), 0, 1) * 255).astype(np.uint8)
    h, w = truth.shape[:2]
    ref = truth[:, ::-1][h // 6: h - h // 6, w // 6: w - w // 6]
    auto = colorize(gray)
    full = colorize(gray, reference=ref)
    half = colorize(gray, reference=ref, reference_strength=0.5)
    p_auto, p_half, p_full = (metrics.psnr(x, truth) for x in (auto, half, full))
    assert p_full > p_auto + 1.0
    assert min(p_auto, p_full) - 0.5 < p_half < max(p_auto, p_full) + 0.5
    assert metrics.vivid_wrong(full, truth) < 0.1


def test_correspondence_hints_come_from_the_reference_and_respect_its_mask(model, photo):
    from chroma.colorization._correspond import correspondence_hints

    lab = convert(photo, "rgb", "lab")
    ref_lab = lab[:, ::-1].copy()
    ab, known = correspondence_hints(model, lab[..., 0], ref_lab, side=112)
    assert known.sum() >= 20
    # matched colors are close to the truth where they land (same scene, mirrored)
    err = np.hypot(*(ab[known] - lab[known][:, 1:]).T)
    assert np.median(err) < 12
    # a mask that keeps only the left half of the reference: fewer candidates, fewer matches
    m = np.zeros(ref_lab.shape[:2])
    m[:, : ref_lab.shape[1] // 2] = 1
    _ab_m, known_m = correspondence_hints(model, lab[..., 0], ref_lab, side=112,
                                          ref_weights=m)
    assert 0 < known_m.sum() <= known.sum()
