"""Tests for chroma.masks: builders, algebra laws, feathering, refinement, specs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from chroma import masks
from chroma.io import write_image
from chroma.spaces import convert

RNG = np.random.default_rng(0)
IMG = (RNG.random((32, 48, 3)) * 255).astype(np.uint8)

unit_masks = arrays(np.float32, (6, 7), elements=st.floats(0, 1, width=32))


# --- algebra laws ----------------------------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(unit_masks)
def test_invert_twice_is_identity(m):
    np.testing.assert_allclose(masks.invert(masks.invert(m)), m, atol=1e-7)


@settings(max_examples=50, deadline=None)
@given(unit_masks)
def test_union_intersect_with_zero_and_one(m):
    zero, one = np.zeros_like(m), np.ones_like(m)
    np.testing.assert_array_equal(masks.union(m, zero), m)
    np.testing.assert_array_equal(masks.union(m, one), one)
    np.testing.assert_array_equal(masks.intersect(m, one), m)
    np.testing.assert_array_equal(masks.intersect(m, zero), zero)
    np.testing.assert_array_equal(masks.subtract(m, zero), m)
    np.testing.assert_array_equal(masks.subtract(m, one), zero)


@settings(max_examples=30, deadline=None)
@given(unit_masks, unit_masks)
def test_de_morgan_and_commutativity(a, b):
    np.testing.assert_allclose(masks.invert(masks.union(a, b)),
                               masks.intersect(masks.invert(a), masks.invert(b)), atol=1e-7)
    np.testing.assert_array_equal(masks.union(a, b), masks.union(b, a))
    np.testing.assert_allclose(masks.subtract(a, b), masks.intersect(a, masks.invert(b)),
                               atol=1e-7)


def test_algebra_accepts_bool_and_lists_and_never_mutates():
    a = np.array([[True, False]])
    b = np.array([[0.25, 0.5]], dtype=np.float32)
    b0 = b.copy()
    np.testing.assert_array_equal(masks.union([a, b]), [[1.0, 0.5]])
    masks.invert(b)
    masks.intersect(b, a)
    np.testing.assert_array_equal(b, b0)
    assert masks.invert(b) is not b


def test_algebra_rejects_mismatched_shapes_and_nan():
    with pytest.raises(ValueError, match=r"masks\[1\].*height and width"):
        masks.union(np.zeros((3, 4)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="NaN"):
        masks.invert(np.array([[0.5, np.nan]]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        masks.invert(np.array([[0.5, 1.5]]))
    with pytest.raises(ValueError, match="2-D"):
        masks.invert(np.zeros((2, 2, 3)))


# --- feather / refine ------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(unit_masks, st.floats(0, 10))
def test_feather_stays_in_unit_interval(m, sigma):
    out = masks.feather(m, sigma)
    assert out.dtype == np.float32 and out.shape == m.shape
    assert out.min() >= 0 and out.max() <= 1


def test_feather_keeps_constant_masks_and_smooths_edges():
    np.testing.assert_allclose(masks.feather(np.ones((9, 9)), 2), 1.0, atol=1e-6)
    step = np.zeros((5, 20))
    step[:, 10:] = 1
    out = masks.feather(step, 2)
    assert 0 < out[0, 9] < 0.5 < out[0, 10] < 1
    np.testing.assert_allclose(out[0, 9] + out[0, 10], 1.0, atol=1e-5)  # symmetric
    with pytest.raises(ValueError, match="sigma"):
        masks.feather(step, -1)


def test_refine_snaps_a_blurry_mask_to_the_edge():
    img = np.zeros((20, 30))
    img[:, 15:] = 0.9
    rough = masks.feather((img > 0).astype(float), 2.0)
    out = masks.refine(rough, img, radius=4, eps=1e-4)
    assert out.min() >= 0 and out.max() <= 1
    jump_in, jump_out = rough[10, 15] - rough[10, 14], out[10, 15] - out[10, 14]
    assert jump_out > 2 * jump_in
    # the transition is concentrated on the edge: next to it, each side is nearly flat
    assert abs(out[10, 14] - out[10, 13]) < 0.25 * jump_out
    assert abs(out[10, 16] - out[10, 15]) < 0.25 * jump_out
    with pytest.raises(ValueError, match="height and width"):
        masks.refine(np.zeros((5, 5)), img)


# --- builders --------------------------------------------------------------------------
def test_hue_range_selects_by_lch_hue_and_wraps_around():
    lch = convert(IMG, "rgb", "lch")
    m = masks.hue_range(IMG, 120, 60, falloff=0, min_chroma=0)
    d = np.abs((lch[..., 2] - 120 + 180) % 360 - 180)
    np.testing.assert_array_equal(m, (d <= 30).astype(np.float32))
    # a band across 0/360 equals the union of its two halves
    wrap = masks.hue_range(IMG, 350, 40, falloff=0, min_chroma=0)
    expect = ((lch[..., 2] >= 330) | (lch[..., 2] <= 10)).astype(np.float32)
    np.testing.assert_array_equal(wrap, expect)
    np.testing.assert_array_equal(masks.hue_range(IMG, -10, 40, falloff=0, min_chroma=0), wrap)


def test_hue_range_soft_falloff_and_low_chroma_suppression():
    soft = masks.hue_range(IMG, 120, 60, falloff=20, min_chroma=0)
    hard = masks.hue_range(IMG, 120, 60, falloff=0, min_chroma=0)
    assert (soft >= hard).all() and ((soft > 0) & (soft < 1)).any()
    gray = np.full((4, 4, 3), 0.4)
    noisy = gray + np.random.default_rng(1).normal(0, 0.005, gray.shape)
    assert masks.hue_range(noisy, 0, 359).max() == 0  # gray has no reliable hue
    assert masks.hue_range(noisy, 0, 360, min_chroma=0).min() == 1


def test_lightness_and_chroma_bands():
    lab = convert(IMG, "rgb", "lab")
    m = masks.lightness_range(IMG, 40, 70, falloff=0)
    np.testing.assert_array_equal(m, ((lab[..., 0] >= 40) & (lab[..., 0] <= 70)))
    c = np.hypot(lab[..., 1], lab[..., 2])
    np.testing.assert_array_equal(masks.chroma_threshold(IMG, 30, falloff=0), c >= 30)
    np.testing.assert_array_equal(masks.chroma_threshold(IMG, 10, 40, falloff=0),
                                  (c >= 10) & (c <= 40))
    with pytest.raises(ValueError, match="low <= high"):
        masks.lightness_range(IMG, 70, 40)


def test_pick_uses_ciede2000_to_sampled_points():
    from skimage.color import deltaE_ciede2000

    lab = convert(IMG, "rgb", "lab")
    x, y = 5, 7
    m = masks.pick(IMG, points=[(x, y)], radius=0, tolerance=10)
    d = deltaE_ciede2000(lab, lab[y, x][None, None], channel_axis=-1)
    assert m[y, x] == 1
    assert (m[d <= 9.99] == 1).all() and (m[d >= 20.01] == 0).all()
    # given colors: the same as sampling a pixel of that color
    img = np.zeros((4, 4, 3), np.uint8)
    img[1:3, 1:3] = (200, 40, 40)
    np.testing.assert_array_equal(masks.pick(img, colors="#c82828"),
                                  masks.pick(img, points=[(1, 1)], radius=0))
    np.testing.assert_array_equal(masks.pick(img, colors=[(200, 40, 40)]),
                                  masks.pick(img, colors=[(200 / 255, 40 / 255, 40 / 255)]))
    with pytest.raises(ValueError, match="outside the image"):
        masks.pick(img, points=[(4, 0)])
    with pytest.raises(ValueError, match="points"):
        masks.pick(img)


def test_shapes():
    r = masks.rectangle((10, 12), (2, 3, 7, 9))
    expect = np.zeros((10, 12))
    expect[3:9, 2:7] = 1
    np.testing.assert_array_equal(r, expect)
    frac = masks.rectangle((4, 4), (0.25, 0, 4, 4))
    np.testing.assert_allclose(frac[:, 0], 0.75)
    e = masks.ellipse((41, 41), (20, 20), 10)
    assert abs(e.sum() - np.pi * 100) < 1.0  # area within a pixel
    hard = masks.ellipse((41, 41), (20, 20), (15, 5), angle=90, antialias=False)
    assert hard[20 + 14, 20] == 1 and hard[20, 20 + 14] == 0  # rotated: long axis vertical
    tri = masks.polygon((40, 40), [(5, 5), (35, 5), (5, 35)])
    assert abs(tri.sum() - 450) < 5  # area of the triangle
    assert ((tri > 0) & (tri < 1)).any()
    hard_tri = masks.polygon((40, 40), [(5, 5), (35, 5), (5, 35)], antialias=False)
    assert set(np.unique(hard_tri)) <= {0.0, 1.0}
    for m in (r, e, tri):
        assert m.dtype == np.float32 and m.min() >= 0 and m.max() <= 1


def test_from_file_gray_alpha_and_size_errors(tmp_path):
    gray = np.array([[0, 128], [255, 64]], np.uint8)
    write_image(tmp_path / "g.png", gray)
    np.testing.assert_allclose(masks.from_file(tmp_path / "g.png"), gray / 255, atol=1e-7)
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., :3] = 255
    rgba[..., 3] = gray
    write_image(tmp_path / "a.png", rgba)
    np.testing.assert_allclose(masks.from_file(tmp_path / "a.png"), gray / 255, atol=1e-7)
    with pytest.raises(ValueError, match=r"2x2 .* image is 3x2"):
        masks.from_file(tmp_path / "g.png", shape=(3, 2, 3))
    with pytest.raises(FileNotFoundError):
        masks.from_file(tmp_path / "nope.png")


def test_from_spec_combines_and_modifies(tmp_path):
    write_image(tmp_path / "m.png", (masks.rectangle(IMG, (0, 0, 24, 32)) * 255).astype(np.uint8))
    m = masks.from_spec({"file": "m.png", "invert": True}, IMG, base_dir=tmp_path)
    np.testing.assert_array_equal(m[:, 24:], 1)
    np.testing.assert_array_equal(m[:, :24], 0)
    both = masks.from_spec({"rectangle": [0, 0, 24, 32], "hue": [120, 60]}, IMG)
    np.testing.assert_array_equal(both, masks.intersect(masks.rectangle(IMG, (0, 0, 24, 32)),
                                                        masks.hue_range(IMG, 120, 60)))
    with pytest.raises(ValueError, match="unknown keys"):
        masks.from_spec({"hue": [1, 2], "colour": 3}, IMG)
    with pytest.raises(ValueError, match="builds nothing"):
        masks.from_spec({"feather": 3}, IMG)


def test_old_parameter_names_warn_and_give_the_same_mask():
    new = masks.hue_range(IMG, 120, 60, falloff=20, min_chroma=0)
    with pytest.warns(DeprecationWarning, match="`softness` is deprecated.*`falloff`"):
        old = masks.hue_range(IMG, 120, 60, softness=20, min_chroma=0)
    np.testing.assert_array_equal(old, new)
    with pytest.warns(DeprecationWarning, match="softness"):
        np.testing.assert_array_equal(masks.lightness_range(IMG, 40, 70, softness=0),
                                      masks.lightness_range(IMG, 40, 70, falloff=0))
    with pytest.warns(DeprecationWarning, match="softness"):
        np.testing.assert_array_equal(masks.chroma_threshold(IMG, 30, softness=2),
                                      masks.chroma_threshold(IMG, 30, falloff=2))
    with pytest.warns(DeprecationWarning, match="`fuzziness` is deprecated.*`tolerance`"):
        old = masks.pick(IMG, points=[(3, 4)], fuzziness=7)
    np.testing.assert_array_equal(old, masks.pick(IMG, points=[(3, 4)], tolerance=7))
    with pytest.raises(TypeError, match="pass `falloff` only"):
        masks.hue_range(IMG, 120, 60, falloff=3, softness=3)


def test_spec_reads_new_and_old_key_names():
    new = masks.from_spec({"hue": [120, 60], "falloff": 0, "min_chroma": 0}, IMG)
    old = masks.from_spec({"hue": [120, 60], "softness": 0, "min_chroma": 0}, IMG)
    np.testing.assert_array_equal(new, old)
    np.testing.assert_array_equal(new, masks.hue_range(IMG, 120, 60, falloff=0, min_chroma=0))
    pts = [[3, 4]]
    np.testing.assert_array_equal(masks.from_spec({"pick": pts, "tolerance": 5}, IMG),
                                  masks.from_spec({"pick": pts, "fuzziness": 5}, IMG))
    assert not np.array_equal(masks.from_spec({"pick": pts, "tolerance": 5}, IMG),
                              masks.from_spec({"pick": pts, "tolerance": 30}, IMG))


def test_pick_reads_every_color_spelling():
    img = np.zeros((2, 3, 3), dtype=np.uint8)
    img[:, 2] = (255, 0, 0)
    expect = masks.pick(img, colors=["#ff0000"])
    assert expect[:, 2].min() == 1 and expect[:, :2].max() == 0
    for spelling in ("#f00", "red", (255, 0, 0), (1.0, 0.0, 0.0), ["#f00", "#ff0000"]):
        np.testing.assert_array_equal(masks.pick(img, colors=spelling), expect)
    with pytest.raises(ValueError, match="`colors` has 'reddish'"):
        masks.pick(img, colors=["reddish"])
    with pytest.raises(TypeError, match="`radius` must be an int"):
        masks.pick(img, colors="red", radius=1.5)
