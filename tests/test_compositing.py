"""Tests for chroma.compositing: the chroma/normal/pyramid blends and the color splash."""

from __future__ import annotations

import numpy as np
import pytest

import chroma
from chroma import compositing as blend_mod
from chroma import masks
from chroma.compositing import blend, splash
from chroma.spaces import convert

RNG = np.random.default_rng(0)
IMG = (RNG.random((32, 48, 3)) * 255).astype(np.uint8)
LAYER = (RNG.random((32, 48, 3)) * 255).astype(np.uint8)
HARD = masks.rectangle(IMG, (10, 5, 30, 25)) > 0


def _lab(x):
    return convert(x, "rgb", "lab")


# --- splash: the "Done when" properties ------------------------------------------------
@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_splash_hard_mask_gray_outside_lightness_kept(dtype, backend):
    scale = {np.uint8: 1, np.uint16: 257, np.float32: 1 / 255}[dtype]
    img = (IMG.astype(np.float64) * scale).astype(dtype)
    out = splash(img, HARD, backend=backend)
    assert out.dtype == dtype and out.shape == img.shape
    # chroma exactly 0 outside: R = G = B
    outside = out[~HARD]
    assert (outside[:, 0] == outside[:, 1]).all() and (outside[:, 1] == outside[:, 2]).all()
    # inside: the input, bit for bit
    np.testing.assert_array_equal(out[HARD], img[HARD])
    # lightness unchanged everywhere, after an 8-bit round trip
    top = {np.uint8: 255.0, np.uint16: 65535.0, np.float32: 1.0}[dtype]
    out8 = np.rint(out.astype(np.float64) / top * 255).astype(np.uint8)
    assert np.abs(_lab(out8)[..., 0] - _lab(IMG)[..., 0]).max() < 0.5


def test_splash_empty_and_full_masks():
    empty = splash(IMG, np.zeros(IMG.shape[:2]))
    assert (empty[..., 0] == empty[..., 1]).all() and (empty[..., 1] == empty[..., 2]).all()
    np.testing.assert_array_equal(splash(IMG, np.ones(IMG.shape[:2])), IMG)
    f = IMG.astype(np.float32) / 255
    np.testing.assert_array_equal(splash(f, np.ones(IMG.shape[:2])), f)
    # strength 0: nothing changes either
    np.testing.assert_array_equal(splash(IMG, np.zeros(IMG.shape[:2]), strength=0), IMG)


def test_splash_soft_mask_scales_chroma_and_keeps_hue():
    m = np.full(IMG.shape[:2], 0.5, np.float32)
    lch_in, lch_out = convert(IMG, "rgb", "lch"), convert(splash(IMG, m), "rgb", "lch")
    big = lch_in[..., 1] > 20
    np.testing.assert_allclose(lch_out[..., 1][big], 0.5 * lch_in[..., 1][big], atol=1.5)
    dh = np.abs((lch_out[..., 2] - lch_in[..., 2] + 180) % 360 - 180)
    assert np.median(dh[big]) < 2


def test_splash_sepia_and_color_backgrounds():
    zero = np.zeros(IMG.shape[:2])
    lab_in = _lab(IMG)
    for bg in ("sepia", "#3060c0", (48, 96, 192)):
        out = splash(IMG, zero, background=bg)
        lab = _lab(out)
        assert np.abs(lab[..., 0] - lab_in[..., 0]).max() < 0.5
        mid = np.abs(lab_in[..., 0] - 50) < 20
        hue = np.degrees(np.arctan2(lab[..., 2], lab[..., 1]))[mid]
        want = {"sepia": 65.0}.get(bg) if isinstance(bg, str) and bg == "sepia" else None
        if want is None:
            t = _lab(np.array([[[48, 96, 192]]], np.uint8))[0, 0]
            want = np.degrees(np.arctan2(t[2], t[1]))
        assert np.median(np.abs((hue - want + 180) % 360 - 180)) < 5
    with pytest.raises(ValueError, match="background"):
        splash(IMG, zero, background="mauve-ish")


def test_splash_keeps_alpha_and_accepts_spec_and_gray():
    rgba = np.concatenate([IMG, np.full((*IMG.shape[:2], 1), 77, np.uint8)], -1)
    out = splash(rgba, HARD)
    assert out.shape == rgba.shape
    np.testing.assert_array_equal(out[..., 3], 77)
    np.testing.assert_array_equal(out[..., :3], splash(IMG, HARD))
    spec = {"rectangle": [10, 5, 30, 25]}
    np.testing.assert_array_equal(splash(IMG, spec), splash(IMG, HARD))
    gray = IMG[..., 0]
    np.testing.assert_array_equal(splash(gray, HARD), gray)
    assert splash(gray, HARD, background="sepia").shape == IMG.shape
    moved = np.moveaxis(IMG, -1, 0)
    np.testing.assert_array_equal(np.moveaxis(splash(moved, HARD, channel_axis=0), 0, -1),
                                  splash(IMG, HARD))


def test_bad_masks_are_clear_errors():
    with pytest.raises(ValueError, match="height and width"):
        splash(IMG, np.ones((10, 10)))
    bad = np.ones(IMG.shape[:2])
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        splash(IMG, bad)
    with pytest.raises(ValueError, match="NaN"):
        blend(IMG, LAYER, bad)
    with pytest.raises(ValueError, match="height and width"):
        blend(IMG, LAYER, np.ones((3, 3)), mode="normal")
    with pytest.raises(ValueError, match="layer"):
        blend(IMG, LAYER[:10], None)
    with pytest.raises(ValueError, match="mode"):
        blend(IMG, LAYER, None, mode="screen")


# --- kernels vs NumPy twins --------------------------------------------------------------
def test_kernels_equal_numpy_twins():
    from chroma import _compositing_kernels as K
    x = RNG.random((5000, 3), dtype=np.float32)
    y = RNG.random((5000, 3), dtype=np.float32)
    m = RNG.random(5000, dtype=np.float32)
    m[:500] = 0
    m[500:1000] = 1
    out = np.empty_like(x)
    K.chroma_blend(x, y, m, 0.8, out)
    np.testing.assert_allclose(out, blend_mod._np_chroma_blend(x, y, m, 0.8), atol=2e-6)
    for ta, tb, s in ((0.0, 0.0, 1.0), (9.3, 19.9, 0.7)):
        K.splash(x, m, ta, tb, s, out)
        np.testing.assert_allclose(out, blend_mod._np_splash(x, m, ta, tb, s), atol=2e-6)
    # integer kernels: same as the float path, rounded (within one level)
    xi = (x * 255).round().astype(np.uint8)
    yi = (y * 255).round().astype(np.uint8)
    oi = np.empty_like(xi)
    K.chroma_blend_int(xi, yi, m, 1.0, K.decode_lut(255), 255.0, oi)
    ref = blend_mod._np_chroma_blend(xi / np.float32(255), yi / np.float32(255), m, 1.0)
    assert np.abs(oi.astype(int) - np.rint(ref * 255)).max() <= 1
    K.splash_int(xi, m, 9.3, 19.9, 1.0, K.decode_lut(255), 255.0, oi)
    ref = blend_mod._np_splash(xi / np.float32(255), m, 9.3, 19.9, 1.0)
    assert np.abs(oi.astype(int) - np.rint(ref * 255)).max() <= 1


def test_public_backends_agree():
    for dtype in (np.uint8, np.float32):
        a = IMG if dtype == np.uint8 else IMG / np.float32(255)
        b = LAYER if dtype == np.uint8 else LAYER / np.float32(255)
        m = masks.feather(HARD, 2)
        x, y = blend(a, b, m, backend="numba"), blend(a, b, m, backend="numpy")
        assert np.abs(x.astype(float) - y.astype(float)).max() <= (1 if dtype == np.uint8
                                                                    else 2e-6)


# --- blend modes -------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["chroma", "normal", "pyramid"])
def test_zero_mask_returns_base_and_dtype_alpha_kept(mode):
    zero = np.zeros(IMG.shape[:2])
    np.testing.assert_array_equal(blend(IMG, LAYER, zero, mode=mode), IMG)
    base16 = np.concatenate([IMG.astype(np.uint16) * 257,
                             np.full((*IMG.shape[:2], 1), 1000, np.uint16)], -1)
    out = blend(base16, LAYER, HARD, mode=mode)
    assert out.dtype == np.uint16 and out.shape == base16.shape
    np.testing.assert_array_equal(out[..., 3], 1000)
    np.testing.assert_array_equal(out[~HARD], base16[~HARD])


def test_chroma_mode_keeps_base_lightness_takes_layer_ab():
    out = blend(IMG, LAYER, HARD, mode="chroma")
    lab_o, lab_b, lab_l = _lab(out), _lab(IMG), _lab(LAYER)
    assert np.abs(lab_o[..., 0] - lab_b[..., 0]).max() < 0.5
    # where the layer's a*b* fit in gamut at the base's L*, they are taken as they are
    ok = HARD & (np.abs(lab_b[..., 0] - lab_l[..., 0]) < 1)
    assert ok.sum() > 3
    np.testing.assert_allclose(lab_o[ok][:, 1:], lab_l[ok][:, 1:], atol=2.0)
    assert chroma.compositing is blend_mod and chroma.blend is blend
    np.testing.assert_array_equal(chroma.blend(IMG, LAYER, HARD, mode="chroma"), out)


def test_normal_mode_is_linear_light_alpha():
    m = np.full(IMG.shape[:2], 0.25, np.float32)
    out = blend(IMG / 255.0, LAYER / 255.0, m, mode="normal")
    lin = 0.75 * convert(IMG, "rgb", "linear") + 0.25 * convert(LAYER, "rgb", "linear")
    np.testing.assert_allclose(out, convert(lin, "linear", "rgb"), atol=1e-5)
    full = blend(IMG, LAYER, None, mode="normal")
    assert np.abs(full.astype(int) - LAYER).max() <= 1


def test_pyramid_blend_is_seamless_and_exact_at_the_extremes():
    a = np.zeros((64, 64, 3), np.float32)
    b = np.ones((64, 64, 3), np.float32)
    m = masks.rectangle((64, 64), (32, 0, 64, 64))
    out = blend(a, b, m, mode="pyramid")
    assert out.shape == a.shape and out.dtype == np.float32
    np.testing.assert_allclose(blend(IMG / 255.0, LAYER / 255.0, None, mode="pyramid"),
                               LAYER / 255.0, atol=1e-5)
    row = out[32, :, 0]
    assert (np.diff(row) >= -1e-6).all()  # a monotone transition, no ringing
    assert row[0] < 0.01 and row[-1] > 0.99
    with pytest.raises(ValueError, match="levels"):
        blend(a, b, m, mode="pyramid", levels=-1)


def test_gray_base_with_color_layer():
    gray = IMG[..., 0]
    out = blend(gray, LAYER, HARD, mode="chroma")
    assert out.shape == IMG.shape and out.dtype == np.uint8
    assert np.abs(_lab(out)[..., 0] - _lab(np.repeat(gray[..., None], 3, -1))[..., 0]).max() < 0.5


def test_inputs_never_mutated():
    a, b, m = IMG.copy(), LAYER.copy(), masks.feather(HARD, 1)
    m0 = m.copy()
    for mode in ("chroma", "normal", "pyramid"):
        blend(a, b, m, mode=mode)
    splash(a, m)
    np.testing.assert_array_equal(a, IMG)
    np.testing.assert_array_equal(b, LAYER)
    np.testing.assert_array_equal(m, m0)
