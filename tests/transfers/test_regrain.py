"""Regrain (Pitié 2007): kernels vs twins, against python-color-transfer, the property."""

import numpy as np
import pytest

import chroma
from chroma import datasets
from chroma.transfers import _ot_kernels as K
from chroma.transfers.regrain import _regrain_float, regrain


def smooth_image(h=64, w=80, seed=0):
    """A smooth image (ramps and a soft disc) with a little sensor noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    disc = 1 / (1 + np.exp(((xx - 0.5) ** 2 + (yy - 0.4) ** 2 - 0.05) * 80))
    img = np.stack([0.2 + 0.5 * xx, 0.3 + 0.4 * yy, 0.3 + 0.4 * disc], -1)
    return np.clip(img + 0.003 * rng.standard_normal(img.shape), 0, 1).astype(np.float32)


def grainy_transfer(img, seed=1):
    """A color transfer that stretched the noise and broke smooth areas into 4x4 blocks."""
    rng = np.random.default_rng(seed)
    t = 0.1 + 0.8 * img[..., ::-1]
    blocks = rng.standard_normal((img.shape[0] // 4 + 1, img.shape[1] // 4 + 1, 3))
    blocks = np.repeat(np.repeat(blocks, 4, 0), 4, 1)[: img.shape[0], : img.shape[1]]
    return np.clip(t + 0.03 * blocks + 0.02 * rng.standard_normal(t.shape), 0, 1).astype(
        np.float32)


def excess_gradient_energy(image, out):
    """Mean squared difference between the gradients of `out` and of `image`."""
    e = 0.0
    for ax in (0, 1):
        e += np.mean((np.diff(out, axis=ax) - np.diff(image, axis=ax)) ** 2)
    return e


def test_regrain_removes_gradients_not_in_the_image_and_keeps_colors():
    img = smooth_image()
    t = grainy_transfer(img)
    out = regrain(img, t)
    before, after = excess_gradient_energy(img, t), excess_gradient_energy(img, out)
    assert after < 0.2 * before, (before, after)
    # the colors stay those of the transfer, not those of the image
    np.testing.assert_allclose(out.mean((0, 1)), t.mean((0, 1)), atol=0.02)
    assert np.abs(out - t).mean() < 0.05
    assert np.abs(out - t).mean() < 0.25 * np.abs(img - t).mean()


def test_regrain_of_a_clean_transfer_changes_little():
    # when the transfer already has the image's gradients there is nothing to fix
    img = smooth_image()
    t = np.clip(0.1 + 0.8 * img[..., ::-1], 0, 1)
    out = regrain(img, t)
    assert np.abs(out - t).mean() < 0.01


def test_kernels_equal_numpy_twins():
    rng = np.random.default_rng(0)
    img = rng.random((37, 53, 3)).astype(np.float32)
    np.testing.assert_array_equal(K.resize(img, 19, 27), K.np_resize(img, 19, 27))
    np.testing.assert_array_equal(K.resize(img[:19, :27], 37, 53),
                                  K.np_resize(img[:19, :27], 37, 53))
    col = np.clip(img * 0.5 + 0.2, 0, 1).astype(np.float32)
    for level in (0, 2):
        np.testing.assert_allclose(K.regrain_level(img, img, col, 7, level, 1.0),
                                   K.np_regrain_level(img, img, col, 7, level, 1.0), atol=2e-6)
    a = _regrain_float(smooth_image(), grainy_transfer(smooth_image()))
    b = _regrain_float(smooth_image(), grainy_transfer(smooth_image()), backend="numpy")
    np.testing.assert_allclose(a, b, atol=1e-5)


def test_banded_sweeps_equal_whole_level_sweeps():
    # the parallel bands with halos give exactly the sweeps over the whole level
    rng = np.random.default_rng(3)
    img = rng.random((61, 23, 3)).astype(np.float32)
    col = rng.random((61, 23, 3)).astype(np.float32)
    wts, const = K._regrain_setup(img, col, 1, 1.0)
    whole = K._regrain_sweeps(img, wts, const, 9, 1)
    cur, nxt = img.copy(), np.empty_like(img)
    for _ in range(9):  # one plain sweep at a time (the kernel fuses them in pairs)
        K._sweep_rows(cur, nxt, wts, const, 0)
        cur, nxt = nxt, cur
    np.testing.assert_array_equal(whole, cur)
    for bands in (2, 3, 6):
        np.testing.assert_array_equal(K._regrain_sweeps(img, wts, const, 9, bands), whole)
    np.testing.assert_allclose(whole, K.np_regrain_level(img, img, col, 9, 1, 1.0), atol=2e-6)


def test_resize_matches_opencv_geometry():
    cv2 = pytest.importorskip("cv2")
    rng = np.random.default_rng(0)
    img = rng.random((41, 30, 3)).astype(np.float32)
    for h, w in ((21, 15), (82, 60), (41, 30)):
        np.testing.assert_allclose(K.resize(img, h, w),
                                   cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR),
                                   atol=1e-5)


def test_matches_python_color_transfer_regrain():
    pct = pytest.importorskip("python_color_transfer.color_transfer")
    img = datasets.sample("coffee")[::2, ::2]
    t = np.clip(img.astype(np.float32) * 0.7 + 50, 0, 255).astype(np.uint8)
    peer = pct.Regrain().regrain(img_arr_in=img, img_arr_col=t)  # truncates to uint8
    for init in ("original", "transferred"):
        mine = _regrain_float(img / np.float32(255), t / np.float32(255), init=init)
        mine = (np.clip(mine, 0, 1) * 255).astype(np.uint8)  # the peer's truncation
        assert np.abs(mine.astype(int) - peer).max() <= 1


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_dtype_alpha_channel_axis(dtype):
    img = smooth_image(40, 44)
    t = grainy_transfer(img)
    ref_out = regrain(img, t)
    if np.dtype(dtype).kind == "u":
        m = np.iinfo(dtype).max
        img_d, t_d = np.rint(img * m).astype(dtype), np.rint(t * m).astype(dtype)
    else:
        m = 1
        img_d, t_d = img.astype(dtype), t.astype(dtype)
    alpha = np.full((*t.shape[:2], 1), t_d.flat[0], dtype)
    out = regrain(np.moveaxis(img_d, -1, 0), np.moveaxis(np.concatenate([t_d, alpha], -1), -1, 0),
                  channel_axis=0)
    assert out.dtype == dtype and out.shape == (4, 40, 44)
    np.testing.assert_array_equal(out[3], alpha[..., 0])
    assert np.abs(np.moveaxis(out[:3], 0, -1) / m - ref_out).max() <= 1.5 / 255


def test_callable_spellings_and_inputs_untouched():
    img = smooth_image(30, 30)
    t = grainy_transfer(img)
    img0, t0 = img.copy(), t.copy()
    a = chroma.regrain(img, t)
    b = chroma.transfers.regrain.regrain(img, t)  # the module keeps its function
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(img, img0)
    np.testing.assert_array_equal(t, t0)


def test_tiny_and_constant_images():
    one = np.array([[[0.2, 0.4, 0.6]]])
    np.testing.assert_allclose(regrain(one, one[..., ::-1]), one[..., ::-1], atol=1e-7)
    flat = np.full((30, 30, 3), 0.5, np.float32)
    colored = np.full((30, 30, 3), [0.8, 0.2, 0.1], np.float32)
    # no gradients to restore: the transferred colors stay
    np.testing.assert_allclose(regrain(flat, colored), colored, atol=1e-5)
    assert regrain(np.zeros((2, 30, 3)), np.ones((2, 30, 3))).shape == (2, 30, 3)


def test_errors():
    img = smooth_image(30, 30)
    with pytest.raises(ValueError, match="height and width"):
        regrain(img, img[:20])
    bad = img.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="`transferred` contains NaN"):
        regrain(img, bad)
    with pytest.raises(ValueError, match="`image` contains NaN"):
        regrain(bad, img)
    with pytest.raises(ValueError, match="smoothness"):
        regrain(img, img, smoothness=0)
    with pytest.raises(ValueError, match="sweeps"):
        regrain(img, img, sweeps=())
