"""The one gamut map (chroma.spaces.gamut): inside sRGB, L* and hue kept, kernel == twin."""

import numpy as np
import pytest

from chroma.spaces import convert
from chroma.spaces.gamut import _np_lab_linear, into_gamut, lab_to_srgb_keep_lightness


def _lab_cloud(n=4000, seed=0):
    """Lab colors over the whole L*, a*, b* box: most of them outside sRGB."""
    rng = np.random.default_rng(seed)
    lab = np.column_stack([rng.uniform(0, 100, n), rng.uniform(-150, 150, (n, 2))])
    lab[:50, 1:] = 0.0  # exact grays
    return lab


def _hue(lab):
    return np.degrees(np.arctan2(lab[:, 2], lab[:, 1]))


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_output_inside_srgb_with_lightness_and_hue_kept(backend):
    lab = _lab_cloud()
    out = into_gamut(lab, backend=backend)
    lin = _np_lab_linear(out)
    assert lin.min() >= -2e-5 and lin.max() <= 1 + 2e-5  # inside, within the kernel's slack
    np.testing.assert_array_equal(out[:, 0], lab[:, 0])  # L* untouched
    chroma_in, chroma_out = np.hypot(*lab[:, 1:].T), np.hypot(*out[:, 1:].T)
    assert np.all(chroma_out <= chroma_in + 1e-12)  # only chroma is lost
    kept = chroma_out > 1e-3
    dh = (_hue(out[kept]) - _hue(lab[kept]) + 180) % 360 - 180
    assert np.abs(dh).max() < 1e-9  # hue angle kept
    # maximal: 2**-12 more of the input's chroma would leave the gamut (bisection's bracket)
    moved = chroma_out < chroma_in - 1e-9
    assert moved.sum() > len(lab) // 2
    t = chroma_out[moved] / chroma_in[moved]
    more = lab[moved].copy()
    more[:, 1:] *= (t + 2.0**-12 * 1.001)[:, None]
    lin_more = _np_lab_linear(more)  # float64
    assert np.all(((lin_more < -1e-5) | (lin_more > 1 + 1e-5)).any(1))


def test_colors_inside_are_unchanged():
    rgb = np.random.default_rng(1).random((500, 3))
    lab = convert(rgb, "rgb", "lab").astype(np.float64)
    np.testing.assert_array_equal(into_gamut(lab), lab)
    np.testing.assert_allclose(lab_to_srgb_keep_lightness(lab), rgb, atol=1e-5)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_srgb_keeps_lightness_within_8bit_rounding(backend):
    lab = _lab_cloud(seed=2)
    rgb = lab_to_srgb_keep_lightness(lab, backend=backend)
    assert rgb.min() >= 0 and rgb.max() <= 1
    u8 = np.rint(rgb * 255).astype(np.uint8)
    L8 = convert(u8, "rgb", "lab")[..., 0].astype(np.float64)
    # one 8-bit step moves L* by at most ~0.4 near black (0.3 elsewhere)
    assert np.abs(L8 - lab[:, 0]).max() < 0.5
    gray = (lab[:, 1] == 0) & (lab[:, 2] == 0)
    assert np.all(rgb[gray, 0] == rgb[gray, 1]) and np.all(rgb[gray, 1] == rgb[gray, 2])
    # the same as converting the mapped colors
    np.testing.assert_allclose(rgb, convert(into_gamut(lab), "lab", "rgb"), atol=1e-4)  # float32


@pytest.mark.parametrize("fn", [into_gamut, lab_to_srgb_keep_lightness])
def test_kernel_equals_numpy_twin(fn):
    lab = _lab_cloud(20_000, seed=3)
    np.testing.assert_allclose(fn(lab, backend="numba"), fn(lab, backend="numpy"),
                               atol=1e-6, rtol=0)


def test_shapes_dtypes_and_errors():
    lab = _lab_cloud(24).reshape(2, 4, 3, 3)
    assert into_gamut(lab).shape == lab.shape
    assert into_gamut(lab.astype(np.float32)).dtype == np.float32
    assert lab_to_srgb_keep_lightness(lab.astype(np.float32)).dtype == np.float32
    assert into_gamut([10, 0, 0]).dtype == np.float64
    with pytest.raises(ValueError, match=r"`lab` must have shape \(\.\.\., 3\)"):
        into_gamut(np.zeros((4, 2)))
    with pytest.raises(TypeError, match="`lab` must be a float array"):
        into_gamut(np.array(["a", "b", "c"]))
    with pytest.raises(ValueError, match="NaN"):
        lab_to_srgb_keep_lightness([np.nan, 0, 0])
    with pytest.raises(ValueError, match="backend"):
        into_gamut([50, 0, 0], backend="gpu")
