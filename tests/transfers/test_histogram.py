"""Histogram matching: exact quantile mapping, scikit-image as a reference, kernels vs twins."""

import numpy as np
import pytest
from scipy.stats import wasserstein_distance
from skimage.exposure import match_histograms as sk_match

import chroma
from chroma._core.validate import NotFittedError
from chroma.transfers import _histogram_kernels as K
from chroma.transfers import histogram as H
from chroma.transfers.histogram import HistogramMatcher, match_histograms


def _quantile_map(img, ref):
    """Reference implementation of exact matching for one channel (scikit-image's formula)."""
    _, src_inverse, src_counts = np.unique(img, return_inverse=True, return_counts=True)
    ref_values, ref_counts = np.unique(ref, return_counts=True)
    src_q = np.cumsum(src_counts) / img.size
    ref_q = np.cumsum(ref_counts) / ref.size
    return np.interp(src_q, ref_q, ref_values.astype(np.float64))[src_inverse].reshape(img.shape)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_exact_quantile_mapping_uint_is_rounded(rng, dtype):
    top = np.iinfo(dtype).max
    img = rng.integers(0, top, (40, 30, 3), dtype=np.int64).astype(dtype)
    img[:5] = 7  # ties
    ref = (rng.random((25, 20, 3)) ** 2 * top).astype(dtype)
    out = match_histograms(img, ref)
    assert out.dtype == dtype
    for c in range(3):
        exact = _quantile_map(img[..., c], ref[..., c])
        # nearest level (a tie at .5 may go either way: the arithmetic differs in the last bit)
        assert np.abs(out[..., c] - exact).max() <= 0.5 + 1e-6


def test_uint8_rounds_where_skimage_truncates(rng):
    # the peer bug: skimage's uint8 output is the interpolated value truncated
    img = rng.integers(0, 256, (30, 30, 3), dtype=np.uint8)
    ref = rng.integers(0, 256, (17, 13, 3), dtype=np.uint8)
    out = match_histograms(img, ref)
    exact = np.stack([_quantile_map(img[..., c], ref[..., c]) for c in range(3)], -1)
    assert np.abs(out - exact).max() <= 0.5 + 1e-9
    assert (np.floor(exact) != np.rint(exact)).any()  # the pair does exercise rounding


@pytest.mark.parametrize("kind", ["uint8", "float-exact", "float-binned"])
def test_wasserstein_no_worse_than_skimage(rng, kind):
    img = (rng.beta(2, 5, (60, 50, 3)) * 255).astype(np.uint8)
    ref = (rng.beta(5, 2, (40, 45, 3)) * 255).astype(np.uint8)
    mode = "auto"
    if kind != "uint8":
        img = rng.beta(2, 5, (60, 50, 3)).astype(np.float32)
        ref = rng.beta(5, 2, (40, 45, 3)).astype(np.float32)
        mode = kind.split("-")[1]
    ours = match_histograms(img, ref, mode=mode)
    theirs = sk_match(img, ref, channel_axis=-1)
    for c in range(3):
        r = ref[..., c].ravel().astype(np.float64)
        w_ours = wasserstein_distance(ours[..., c].ravel().astype(np.float64), r)
        w_sk = wasserstein_distance(theirs[..., c].ravel().astype(np.float64), r)
        # the binned mode is exact up to about a bin width (1 / 4096)
        tol = 1.0 / 4096 if kind == "float-binned" else 1e-9
        assert w_ours <= w_sk * (1 + 1e-6) + tol, (c, w_ours, w_sk)


def test_float_exact_equals_skimage(rng):
    img = rng.random((30, 20, 3))
    ref = rng.random((10, 40, 3)) ** 3
    np.testing.assert_allclose(match_histograms(img, ref, mode="exact"),
                               sk_match(img, ref, channel_axis=-1), atol=1e-12)


@pytest.mark.parametrize("levels", [255, 1023, 65535])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_float_auto_is_skimage_exact_without_a_sort(rng, levels, dtype):
    # above 256 Ki pixels "auto" counts buckets; float data from <= 16-bit levels fit them
    img = (rng.integers(0, levels + 1, (600, 480, 3)) / levels).astype(dtype)
    ref = (rng.integers(levels // 8, levels + 1, (520, 520, 3)) / levels).astype(dtype)
    assert H._resolve_mode("auto", img.dtype, 600 * 480) == "levels"
    assert H._levels(img.reshape(-1, 3), 3, np.zeros(0, bool)) is not None
    ours = match_histograms(img, ref)
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours, sk_match(img, ref, channel_axis=-1), rtol=0, atol=1e-12)


def test_large_continuous_float_exact_and_auto(rng):
    img = rng.random((600, 480, 3)).astype(np.float32)
    ref = (rng.random((520, 520, 3)) ** 2).astype(np.float32)
    assert H._levels(img.reshape(-1, 3), 3, np.zeros(0, bool)) is None  # mixed buckets
    theirs = sk_match(img, ref, channel_axis=-1)
    np.testing.assert_allclose(match_histograms(img, ref, mode="exact"), theirs, atol=1e-12)
    # auto falls back to the binned mode: about a bin width (1 / 4096) from exact
    assert 0 < np.abs(match_histograms(img, ref) - theirs).max() < 4 / 4096


def test_level_counts_kernel_matches_unique(rng):
    x = (rng.integers(0, 256, (70_000, 4)) / 255).astype(np.float32)
    sel = rng.random(70_000) < 0.5
    lo, hi = K.minmax(x, sel, 3)
    scale = H._bin_geometry(lo, hi, 1024)
    counts, values, pure = K.level_counts(x, sel, lo, scale, 1024)
    assert pure
    for c in range(3):
        u, n = np.unique(x[sel, c].astype(np.float64), return_counts=True)
        np.testing.assert_array_equal(values[c][counts[c] > 0], u)
        np.testing.assert_array_equal(counts[c][counts[c] > 0], n)
    # 16 buckets for 256 levels: mixed
    assert not K.level_counts(x, sel, lo, H._bin_geometry(lo, hi, 16), 16)[2]


def test_binned_close_to_exact(rng):
    img = rng.random((64, 64, 3)).astype(np.float32)
    ref = (rng.random((50, 50, 3)) ** 2).astype(np.float32)
    a = match_histograms(img, ref, mode="binned", n_bins=4096)
    b = match_histograms(img, ref, mode="exact")
    assert np.abs(a - b).max() < 0.02
    assert np.abs(a - b).mean() < 2e-3


def test_float_and_uint16_not_reduced_to_8_bits(rng):
    ref16 = rng.integers(0, 65536, (50, 50, 3), dtype=np.int64).astype(np.uint16)
    img16 = rng.integers(0, 65536, (50, 50, 3), dtype=np.int64).astype(np.uint16)
    out16 = match_histograms(img16, ref16)
    assert out16.dtype == np.uint16
    assert (out16 % 257 != 0).mean() > 0.9  # not 8-bit values scaled up
    assert out16.max() > 255
    imgf = rng.random((50, 50, 3)).astype(np.float32)
    outf = match_histograms(imgf, rng.random((40, 40, 3)).astype(np.float32))
    assert len(np.unique(outf)) > 1000
    assert 0 < outf.mean() < 1


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float16, np.float32, np.float64])
@pytest.mark.parametrize("channel_axis", [0, 1, -1])
def test_dtype_alpha_channel_sweep(rng, dtype, channel_axis):
    def make(shape):
        x = rng.random(shape)
        if np.dtype(dtype).kind == "u":
            return np.rint(x * np.iinfo(dtype).max).astype(dtype)
        return x.astype(dtype)

    img = make((12, 10, 4))
    ref = make((9, 11, 4))
    before = img.copy()
    out = match_histograms(np.moveaxis(img, -1, channel_axis), np.moveaxis(ref, -1, channel_axis),
                           channel_axis=channel_axis)
    out = np.moveaxis(out, channel_axis, -1)
    np.testing.assert_array_equal(img, before)
    assert out.dtype == (np.float32 if dtype == np.float16 else dtype)
    assert out.shape == img.shape
    # alpha is never matched: it comes back exactly
    np.testing.assert_array_equal(out[..., 3], img[..., 3].astype(out.dtype))
    # colors did move towards the reference
    assert not np.array_equal(out[..., :3], img[..., :3].astype(out.dtype))


def test_alpha_is_not_histogram_matched(rng):
    img = rng.integers(0, 256, (20, 20, 4), dtype=np.uint8)
    img[..., 3] = np.linspace(0, 255, 20).astype(np.uint8)[None]
    ref = rng.integers(0, 256, (20, 20, 4), dtype=np.uint8)
    ref[..., 3] = 255
    out = match_histograms(img, ref)
    np.testing.assert_array_equal(out[..., 3], img[..., 3])


def test_callers_arrays_are_not_modified(rng):
    img = rng.random((16, 16, 3))
    ref = rng.random((16, 16, 3))
    a, b = img.copy(), ref.copy()
    match_histograms(img, ref, strength=0.5, keep_luminance=True)
    match_histograms(img, ref, space="lab")
    np.testing.assert_array_equal(img, a)
    np.testing.assert_array_equal(ref, b)


def test_gray_images(rng):
    img = rng.integers(0, 256, (10, 12), dtype=np.uint8)
    ref = rng.integers(50, 100, (8, 8), dtype=np.uint8)
    out = match_histograms(img, ref, channel_axis=None)
    assert out.shape == img.shape and out.min() >= 50 and out.max() <= 99
    assert np.abs(out - _quantile_map(img, ref)).max() <= 0.5 + 1e-6
    rgb = match_histograms(img, rng.integers(0, 256, (8, 8, 3), dtype=np.uint8))
    assert rgb.shape == (10, 12, 3)


def test_strength(rng):
    img = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)
    ref = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)
    np.testing.assert_array_equal(match_histograms(img, ref, strength=0.0), img)
    full = match_histograms(img, ref).astype(float)
    half = match_histograms(img, ref, strength=0.5).astype(float)
    assert np.abs(half - (img + full) / 2).max() <= 0.5 + 1e-9
    with pytest.raises(ValueError, match="strength"):
        match_histograms(img, ref, strength=2)


def test_keep_luminance(rng):
    img = (0.2 + 0.6 * rng.random((24, 24, 3))).astype(np.float32)
    ref = (0.2 + 0.6 * rng.random((24, 24, 3)) ** 2).astype(np.float32)
    out = match_histograms(img, ref, keep_luminance=True)
    l_in = chroma.convert(img, "rgb", "lab")[..., 0]
    l_out = chroma.convert(out, "rgb", "lab")[..., 0]
    inside = (out > 0.001).all(-1) & (out < 0.999).all(-1)
    assert np.abs(l_in - l_out)[inside].max() < 0.05


def test_mask_outside_unchanged_and_stats_from_reference_mask(rng):
    img = rng.random((20, 30, 3))
    ref = np.zeros((10, 20, 3))
    ref[:, :10] = rng.random((10, 10, 3)) * 0.3  # dark left half
    ref[:, 10:] = 0.7 + 0.3 * rng.random((10, 10, 3))  # bright right half
    m = np.zeros((20, 30), bool)
    m[5:15, 5:25] = True
    rmask = np.zeros((10, 20), bool)
    rmask[:, 10:] = True
    out = match_histograms(img, ref, mask=m, reference_mask=rmask, mode="exact")
    np.testing.assert_array_equal(out[~m], img[~m])
    # stats from the masked regions only: same as matching the crops
    crop = match_histograms(img[5:15, 5:25], ref[:, 10:], mode="exact")
    np.testing.assert_allclose(out[5:15, 5:25], crop, atol=1e-12)
    assert out[m].min() >= 0.7


def test_mask_uint_and_soft(rng):
    img = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)
    ref = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)
    m = np.zeros((20, 20), np.float32)
    m[:, 10:] = 1
    m[:, 8:10] = 0.5
    out = match_histograms(img, ref, mask=m)
    np.testing.assert_array_equal(out[:, :8], img[:, :8])
    stats_only = match_histograms(img, ref, mask=m >= 0.5)
    full = stats_only[:, 8:10]
    # the soft edge is the one blend of chroma.compositing (linear light)
    expect = chroma.blend(img[:, 8:10], full, np.full((20, 2), 0.5))
    assert np.abs(out[:, 8:10].astype(int) - expect).max() <= 1
    # a mask that is 0 everywhere lands nowhere: the image comes back
    np.testing.assert_array_equal(match_histograms(img, ref, mask=np.zeros((20, 20))), img)
    with pytest.raises(ValueError, match="0 everywhere"):
        match_histograms(img, ref, reference_mask=np.zeros((20, 20)))


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_constant_and_one_pixel_images(dtype):
    scale = 255 if dtype == np.uint8 else 1.0
    for shape in [(1, 1, 3), (5, 4, 3)]:
        img = np.full(shape, 0.5 * scale).astype(dtype)
        ref = (np.arange(60).reshape(4, 5, 3) / 59 * scale).astype(dtype)
        out = match_histograms(img, ref)
        assert out.shape == shape and out.dtype == dtype
        assert np.isfinite(out.astype(float)).all()
        assert len(np.unique(out.reshape(-1, 3), axis=0)) == 1
        out = match_histograms(ref, img)  # constant reference: everything becomes it
        np.testing.assert_array_equal(out, np.broadcast_to(img[:1, :1], out.shape))


@pytest.mark.parametrize("mode", ["exact", "binned"])
def test_nan_is_a_clear_error(rng, mode):
    img = rng.random((10, 10, 3))
    img[3, 4, 1] = np.nan
    with pytest.raises(ValueError, match="`image` contains NaN"):
        match_histograms(img, rng.random((5, 5, 3)), mode=mode)
    with pytest.raises(ValueError, match="`reference` contains NaN"):
        match_histograms(rng.random((5, 5, 3)), img, mode=mode)
    big = rng.random((150, 120, 3)).astype(np.float32)  # Numba path
    big[100, 7, 2] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        match_histograms(big, rng.random((5, 5, 3)))


def test_numba_path_equals_numpy_path(rng):
    img = rng.random((160, 120, 4)).astype(np.float32)  # > 16 Ki pixels
    ref = rng.random((100, 100, 3)).astype(np.float32) ** 2
    sel = rng.random(160 * 120) > 0.3
    for mode in ("binned", "exact"):
        q = H._fit_quantiles(ref.reshape(-1, 3), 3, np.zeros(0, bool), mode, 512, "numpy")
        qn = H._fit_quantiles(ref.reshape(-1, 3), 3, np.zeros(0, bool), mode, 512, "numba")
        for (va, ca), (vb, cb) in zip(q, qn, strict=True):
            np.testing.assert_allclose(va, vb)
            np.testing.assert_allclose(ca, cb)
        outs = []
        for backend in ("numpy", "numba"):
            out = np.empty_like(img.reshape(-1, 4))
            H._match(img.reshape(-1, 4), 3, sel, q, mode=mode, n_bins=512, strength=0.8, out=out,
                     clip=True, backend=backend)
            outs.append(out)
        np.testing.assert_allclose(outs[0], outs[1], atol=1e-6)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_kernels_int_equal_numpy_twins(rng, dtype):
    levels = np.iinfo(dtype).max + 1
    x = rng.integers(0, levels, (5000, 4), dtype=np.int64).astype(dtype)
    xs = np.moveaxis(np.moveaxis(x.reshape(50, 100, 4), -1, 0).copy(), 0, -1).reshape(-1, 4)
    for arr in (x, xs):
        for sel in (np.zeros(0, bool), rng.random(5000) > 0.5):
            np.testing.assert_array_equal(K.counts_int(arr, sel, 3, levels),
                                          H._np_counts_int(arr, sel, 3, levels))
    lut = rng.integers(0, levels, (3, levels), dtype=np.int64).astype(dtype)
    a, b = np.empty_like(x), np.empty_like(x)
    K.lut_int(x, lut, a)
    H._np_lut_int(x, lut, b)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("n", [1, 7, 65537 * 3 + 2])
def test_counts_int_unrolled_path_counts_every_pixel(rng, n):
    # the uint8 counter spreads 4 consecutive pixels over 4 histogram copies: every row count
    # (a remainder of 1-3 rows, several chunks) must still count each pixel exactly once
    x = rng.integers(0, 256, (n, 3), dtype=np.uint8)
    x[: n // 2] = 7  # long runs of one level (what the copies are for)
    got = K.counts_int(x, np.zeros(0, bool), 3, 256)
    want = np.stack([np.bincount(x[:, c], minlength=256) for c in range(3)])
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernels_float_equal_numpy_twins(rng, dtype):
    x = (rng.random((5000, 4)) * 1.2 - 0.1).astype(dtype)
    for sel in (np.zeros(0, bool), rng.random(5000) > 0.5):
        lo, hi = K.minmax(x, sel, 3)
        lo2, hi2 = H._np_minmax(x, sel, 3)
        np.testing.assert_array_equal(lo, lo2)
        np.testing.assert_array_equal(hi, hi2)
        scale = H._bin_geometry(lo, hi, 300)
        ca, bad_a = K.counts_float(x, sel, lo, scale, 300)
        cb, bad_b = H._np_counts_float(x, sel, lo, scale, 300)
        assert bad_a == bad_b == 0
        np.testing.assert_array_equal(ca, cb)
    table = np.sort(rng.random((3, 301)), axis=1)
    a, b = np.empty_like(x), np.empty_like(x)
    for clip in (True, False):
        K.map_float(x, lo, scale, table, a, clip)
        H._np_map_float(x, lo, scale, table, b, clip)
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    xn = x.copy()
    xn[10, 1] = np.nan
    xn[20, 0] = -np.inf
    assert K.counts_float(xn, np.zeros(0, bool), lo, scale, 300)[1] == 2
    assert H._np_counts_float(xn, np.zeros(0, bool), lo, scale, 300)[1] == 2


def test_estimator_conventions(rng):
    from chroma._core.base import clone

    est = HistogramMatcher(mode="binned", n_bins=64)
    assert est.get_params()["n_bins"] == 64
    assert clone(est).get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        est.transform(rng.random((4, 4, 3)))
    assert est.fit(rng.random((4, 4, 3))) is est
    with pytest.raises(ValueError, match="mode="):
        HistogramMatcher(mode="fast").fit(rng.random((4, 4, 3)))
    with pytest.raises(ValueError, match="space="):
        HistogramMatcher(space="lch").fit(rng.random((4, 4, 3)))


def test_lab_space_matches_lightness_distribution(rng):
    img = rng.random((40, 40, 3)).astype(np.float32)
    ref = (0.3 + 0.4 * rng.random((40, 40, 3))).astype(np.float32)
    out = match_histograms(img, ref, space="lab", mode="exact")
    l_out = np.sort(chroma.convert(out, "rgb", "lab")[..., 0].ravel())
    l_ref = np.sort(chroma.convert(ref, "rgb", "lab")[..., 0].ravel())
    assert np.abs(l_out - l_ref).mean() < 1.0
