"""chroma.palettes.quantization: nearest palette colors in CIELAB, Floyd–Steinberg dithering."""

import numpy as np

from chroma.palettes import Palette, quantize
from chroma.palettes import _kernels as K
from chroma.palettes import quantization as Q
from chroma.spaces import convert


def lab_of(rgb):
    return convert(np.asarray(rgb, dtype=np.float64).reshape(-1, 3), "rgb", "lab").astype(float)


def test_quantize_nearest_in_lab_matches_brute_force():
    rng = np.random.default_rng(0)
    img = rng.random((20, 30, 3)).astype(np.float32)
    pal = Palette(rng.random((7, 3)))
    out, labels = quantize(img, pal, return_labels=True)
    lab = lab_of(img)
    expect = ((lab[:, None] - pal.lab[None]) ** 2).sum(-1).argmin(1)
    np.testing.assert_array_equal(labels.reshape(-1), expect)
    np.testing.assert_allclose(out.reshape(-1, 3), pal.colors[expect], atol=1e-6)
    assert out.dtype == np.float32


def test_nearest_kernel_equals_numpy_twin():
    rng = np.random.default_rng(1)
    lab = (rng.random((5000, 3)) * [100, 200, 200] - [0, 100, 100]).astype(np.float32)
    centers = rng.random((9, 3)) * [100, 200, 200] - [0, 100, 100]
    np.testing.assert_array_equal(K.nearest(lab, centers), Q._np_nearest(lab, centers))


def test_dither_kernel_equals_numpy_twin():
    rng = np.random.default_rng(2)
    img = rng.random((17, 23, 3)).astype(np.float32)
    lab = convert(img, "rgb", "lab")
    centers = Palette.from_hex(["#000000", "#ffffff", "#ff0000", "#0000ff"]).lab
    np.testing.assert_array_equal(K.dither_fs(lab, centers), Q._np_dither_fs(lab, centers))


def test_dithering_keeps_the_mean_color():
    gray = np.full((64, 64, 3), 0.5, dtype=np.float32)
    plain = quantize(gray, ["#000000", "#ffffff"])
    dith = quantize(gray, ["#000000", "#ffffff"], dither=True)
    assert len(np.unique(plain)) == 1
    # error diffusion in Lab keeps mean L*: the share of white is about L*(0.5)/100
    white = (dith[..., 0] == 1).mean()
    assert abs(white - lab_of([0.5, 0.5, 0.5])[0, 0] / 100) < 0.02


def test_quantize_keeps_dtype_alpha_and_input():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 65536, (8, 9, 4), dtype=np.uint16)
    before = img.copy()
    out = quantize(img, ["#000000", "#ffffff"])
    assert out.dtype == np.uint16 and out.shape == img.shape
    np.testing.assert_array_equal(out[..., 3], img[..., 3])
    assert set(np.unique(out[..., :3])) <= {0, 65535}
    np.testing.assert_array_equal(img, before)
