"""The sort-free exact float path's common case (3 colors, every pixel): unchecked counts,
purity checked afterwards (a pass over the reference, inside the map for the image)."""

import numpy as np
import pytest
from skimage.exposure import match_histograms as sk_match

from chroma.transfers import _histogram_kernels as K
from chroma.transfers import histogram as H
from chroma.transfers.histogram import match_histograms

BIG = (600, 480)  # above the 256 Ki pixels where "auto" counts buckets


def _levels8(rng, shape, low=0, dtype=np.float32):
    return (rng.integers(low, 256, shape) / 255).astype(dtype)


def _fixed(n_levels):
    lo = np.zeros(3)
    return lo, H._bin_geometry(lo, np.ones(3), n_levels)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bucket_kernels_match_unique_and_find_one_odd_value(rng, dtype):
    x = _levels8(rng, (300_000, 4), dtype=dtype)  # 4 columns: a strided 3-color view
    lo, scale = _fixed(4096)
    counts, values = K.bucket_counts3(x, lo, scale, 4096)
    assert values.dtype == dtype
    for c in range(3):
        u, n = np.unique(x[:, c], return_counts=True)
        np.testing.assert_array_equal(values[c][counts[c] > 0], u)
        np.testing.assert_array_equal(counts[c][counts[c] > 0], n)
    assert K.bucket_check3(x, lo, scale, values) == 0
    y = x.copy()
    y[123_457, 1] = np.nextafter(y[123_457, 1], dtype(2))  # same bucket, another value
    _, v2 = K.bucket_counts3(y, lo, scale, 4096)
    assert K.bucket_check3(y, lo, scale, v2) >= 1
    out = np.empty_like(y)
    lut = np.zeros((3, 4096), dtype)
    assert K.bucket_map3(y, lo, scale, v2, lut, out) >= 1
    assert K.bucket_map3(x, lo, scale, values, lut, out) == 0
    np.testing.assert_array_equal(out[:, 3], x[:, 3])  # alpha copied


def test_fast_map_table_equals_the_general_map(rng):
    # strength and clipping folded into the table give the general kernel's values bit for bit
    x = _levels8(rng, (300_000, 3))
    ref = (rng.random((300_000, 3)) ** 2).astype(np.float32)
    q = H._fit_quantiles(ref, 3, np.zeros(0, bool), "exact", 4096, "numba")
    lo, scale = _fixed(4096)
    counts, values = K.bucket_counts3(x, lo, scale, 4096)
    t_lo, t_hi = H._levels_tables(counts, q, 3)
    for s in (1.0, 0.3):
        for clip in (True, False):
            fast = np.empty_like(x)
            assert H._map_fast3(x, lo, scale, counts, values, q, fast, s, clip)
            general = np.empty_like(x)
            K.map_levels(x, lo, scale, values.astype(np.float64), t_lo, t_hi, general, s, clip)
            np.testing.assert_array_equal(fast, general)


@pytest.mark.parametrize("where", ["image", "reference", "both"])
def test_one_odd_value_falls_back_and_exact_stays_exact(rng, where):
    img = _levels8(rng, (*BIG, 3))
    ref = _levels8(rng, (*BIG, 3), low=30)
    if where in ("image", "both"):
        img[7, 9, 0] = np.nextafter(img[7, 9, 0], np.float32(2))
    if where in ("reference", "both"):
        ref[70, 90, 2] = np.nextafter(ref[70, 90, 2], np.float32(2))
    x = img if where != "reference" else ref
    assert H._levels(x.reshape(-1, 3), 3, np.zeros(0, bool), fixed=True) is None
    theirs = sk_match(img, ref, channel_axis=-1)
    np.testing.assert_allclose(match_histograms(img, ref, mode="exact"), theirs, rtol=0,
                               atol=1e-12)
    if where == "image":  # "auto" is binned once a bucket is mixed (as before): not equal
        err = np.abs(match_histograms(img, ref) - theirs).max()
        assert 0 < err < 2 / 255


def test_signed_zero_values_above_one_and_ties_are_exact(rng):
    img = (rng.integers(0, 255, (*BIG, 3)) / 255).astype(np.float32)  # no 1.0
    img[:40] = 0.5  # ties
    img[40:45, :, 0] = -0.0  # equal to 0.0, as np.unique sees it
    img[45:50, :, 1] = 0.0
    img[50:52, :, 2] = np.float32(1.004)  # inside the validation's slack above 1: the top
    # bucket, alone there
    ref = _levels8(rng, (*BIG, 3), low=10)
    assert H._levels(img.reshape(-1, 3), 3, np.zeros(0, bool), fixed=True) is not None
    ours = match_histograms(img, ref)
    np.testing.assert_allclose(ours, sk_match(img, ref, channel_axis=-1).clip(0, 1), rtol=0,
                               atol=1e-12)
    # a negative value below 0.0 shares bucket 0 with it: mixed, exact by the sort
    img[60, 0, 0] = np.float32(-0.004)
    np.testing.assert_allclose(match_histograms(img, ref, mode="exact"),
                               sk_match(img, ref, channel_axis=-1).clip(0, 1), rtol=0,
                               atol=1e-12)


def test_large_rgba_and_strided_image(rng):
    img = _levels8(rng, (*BIG, 4))
    ref = _levels8(rng, (520, 520, 3), low=40)
    out = match_histograms(img, ref)
    np.testing.assert_array_equal(out[..., 3], img[..., 3])
    np.testing.assert_allclose(out[..., :3], sk_match(img[..., :3], ref, channel_axis=-1),
                               rtol=0, atol=1e-12)
    planar = np.ascontiguousarray(np.moveaxis(img[..., :3], -1, 0))  # channel_axis=0
    out0 = match_histograms(planar, np.moveaxis(ref, -1, 0), channel_axis=0)
    np.testing.assert_array_equal(np.moveaxis(out0, 0, -1), out[..., :3])


def test_constant_large_image_goes_to_the_reference_maximum(rng):
    img = np.full((*BIG, 3), 0.25, np.float32)
    ref = _levels8(rng, (*BIG, 3), low=20)
    out = match_histograms(img, ref)
    np.testing.assert_allclose(out, sk_match(img, ref, channel_axis=-1), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(out[0, 0], ref.reshape(-1, 3).max(axis=0))
