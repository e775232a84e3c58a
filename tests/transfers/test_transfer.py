"""Reinhard, MKL, the ColorTransfer base and the transfer() dispatch."""

import numpy as np
import pytest

import chroma
from chroma._core.base import clone
from chroma._core.validate import NotFittedError
from chroma.transfers import MKLTransfer, ReinhardTransfer, transfer
from chroma.transfers import _linear_kernels as LK
from chroma.transfers.linear import _np_mean_cov, mkl_matrix

SPACES_R = ["lab", "lalphabeta", "rgb"]


def _pair(rng, shape=(32, 24, 3), ref_shape=(40, 40, 3)):
    # moderate colors so the transfers stay inside the sRGB gamut (no clipping)
    img = 0.35 + 0.3 * rng.random(shape)
    ref = 0.3 + 0.25 * rng.random(ref_shape) + np.array([0.1, 0.0, -0.05])
    return img, ref


@pytest.mark.parametrize("space", SPACES_R)
@pytest.mark.parametrize("channel_axis", [0, 1, -1])
def test_reinhard_imposes_reference_moments(rng, space, channel_axis):
    img, ref = _pair(rng)
    out = transfer(np.moveaxis(img, -1, channel_axis), np.moveaxis(ref, -1, channel_axis),
                   "reinhard", space=space, channel_axis=channel_axis)
    out = np.moveaxis(out, channel_axis, -1)
    assert out.dtype == np.float64 and out.shape == img.shape
    assert 0 < out.min() and out.max() < 1  # no clipping in this test
    o = chroma.convert(out, "rgb", space).reshape(-1, 3).astype(np.float64)
    r = chroma.convert(ref, "rgb", space).reshape(-1, 3).astype(np.float64)
    scale = np.abs(r).max()
    np.testing.assert_allclose(o.mean(0), r.mean(0), atol=1e-4 * scale)
    np.testing.assert_allclose(o.std(0), r.std(0), atol=1e-4 * scale, rtol=1e-3)


def test_reinhard_lalphabeta_statistics_are_lalphabeta_statistics(rng):
    # the peer bug: RGB means/stds applied in lαβ
    _, ref = _pair(rng)
    t = ReinhardTransfer(space="lalphabeta").fit(ref)
    lab = chroma.convert(ref, "rgb", "lalphabeta").reshape(-1, 3).astype(np.float64)
    np.testing.assert_allclose(t.mean_, lab.mean(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(t.std_, lab.std(0), rtol=1e-4)
    assert not np.allclose(t.mean_, ref.reshape(-1, 3).mean(0), atol=0.05)


@pytest.mark.parametrize("space", ["rgb", "lab"])
def test_mkl_imposes_mean_and_covariance(rng, space):
    img, ref = _pair(rng)
    # correlated reference colors: MKL must reproduce the off-diagonal terms too
    ref = ref.copy()
    ref[..., 1] = 0.5 * ref[..., 0] + 0.3 * ref[..., 1]
    out = transfer(img, ref, "mkl", space=space)
    assert 0 < out.min() and out.max() < 1
    o = chroma.convert(out, "rgb", space).reshape(-1, 3).astype(np.float64)
    r = chroma.convert(ref, "rgb", space).reshape(-1, 3).astype(np.float64)
    scale = np.abs(r).max()
    np.testing.assert_allclose(o.mean(0), r.mean(0), atol=1e-4 * scale)
    np.testing.assert_allclose(np.cov(o.T, bias=True), np.cov(r.T, bias=True),
                               atol=1e-4 * scale**2, rtol=1e-3)


def test_mkl_matrix_solves_the_monge_kantorovich_problem(rng):
    a = np.cov(rng.random((3, 50)) + rng.random((1, 50)))
    b = np.cov(rng.random((3, 50)) * [[1], [2], [0.5]])
    t = mkl_matrix(a, b, reg=0)
    np.testing.assert_allclose(t, t.T, atol=1e-10)  # symmetric
    assert np.linalg.eigvalsh(t).min() > 0  # positive definite: the optimal map
    np.testing.assert_allclose(t @ a @ t, b, atol=1e-10)


@pytest.mark.parametrize("method", ["reinhard", "mkl"])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float16, np.float32, np.float64])
def test_dtype_and_alpha_sweep(rng, method, dtype):
    img, ref = _pair(rng, (12, 10, 3), (9, 11, 3))

    def cast(x, alpha):
        x = np.concatenate([x, alpha[..., None]], axis=-1)
        if np.dtype(dtype).kind == "u":
            return np.rint(x * np.iinfo(dtype).max).astype(dtype)
        return x.astype(dtype)

    a = cast(img, rng.random(img.shape[:2]))
    r = cast(ref, np.ones(ref.shape[:2]))
    before = a.copy()
    out = transfer(a, r, method)
    np.testing.assert_array_equal(a, before)
    assert out.dtype == (np.float32 if dtype == np.float16 else dtype)
    assert out.shape == a.shape
    np.testing.assert_array_equal(out[..., 3], a[..., 3].astype(out.dtype))
    assert np.isfinite(out.astype(np.float64)).all()


def test_uint16_and_float_keep_their_precision(rng):
    img, ref = _pair(rng, (40, 40, 3), (30, 30, 3))
    u16 = [np.rint(x * 65535).astype(np.uint16) for x in (img, ref)]
    out16 = transfer(*u16)
    assert out16.dtype == np.uint16 and (out16 % 257 != 0).mean() > 0.9
    outf = transfer(img.astype(np.float32), ref.astype(np.float32), "mkl")
    assert outf.dtype == np.float32 and len(np.unique(outf)) > 2000


@pytest.mark.parametrize("space", ["lab", "lalphabeta", "rgb"])
def test_pure_black_gives_no_nan(rng, space):
    # the peer bug: a pure-black pixel makes NaN (log 0) in Reinhard
    img = rng.integers(0, 256, (10, 10, 3), dtype=np.uint8)
    img[:3] = 0
    ref = rng.integers(0, 256, (10, 10, 3), dtype=np.uint8)
    ref[5:] = 0
    for method in ("reinhard", "mkl"):
        out = transfer(img, ref, method, space=space)
        out_f = transfer(img / 255.0, ref / 255.0, method, space=space)
        assert np.isfinite(out_f).all()
        assert out.dtype == np.uint8


def test_callers_array_not_mutated(rng):
    img, ref = _pair(rng)
    for x in (img, (img * 255).astype(np.uint8), img.astype(np.float32)):
        for method in ("reinhard", "mkl", "histogram"):
            before = x.copy()
            ref_before = ref.copy()
            transfer(x, ref, method, strength=0.5)
            np.testing.assert_array_equal(x, before)
            np.testing.assert_array_equal(ref, ref_before)


@pytest.mark.parametrize("method", ["reinhard", "mkl"])
def test_constant_images(method):
    const = np.full((6, 5, 3), [0.2, 0.5, 0.7])
    ref = np.linspace(0.1, 0.9, 90).reshape(6, 5, 3)
    # constant image: only a shift, to the reference's mean color
    out = transfer(const, ref, method, space="rgb")
    np.testing.assert_allclose(out, np.broadcast_to(ref.reshape(-1, 3).mean(0), out.shape),
                               atol=1e-5)
    # constant reference: everything becomes the reference's color
    out = transfer(ref, const, method, space="rgb")
    np.testing.assert_allclose(out, np.broadcast_to(const, out.shape), atol=1e-3)
    for space in ("lab", "lalphabeta"):
        assert np.isfinite(transfer(const, const, method, space=space)).all()


@pytest.mark.parametrize("method", ["histogram", "reinhard", "mkl"])
def test_one_pixel_images(method):
    px = np.array([[[0.2, 0.4, 0.6]]])
    ref = np.array([[[0.7, 0.1, 0.3]]])
    out = transfer(px, ref, method)
    assert out.shape == (1, 1, 3)
    np.testing.assert_allclose(out, ref, atol=2e-3)


@pytest.mark.parametrize("method", ["histogram", "reinhard", "mkl"])
def test_nan_is_a_clear_error(rng, method):
    img = rng.random((6, 6, 3))
    img[2, 2, 0] = np.nan
    with pytest.raises(ValueError, match="`image` contains NaN"):
        transfer(img, rng.random((6, 6, 3)), method)
    with pytest.raises(ValueError, match="`reference` contains NaN"):
        transfer(rng.random((6, 6, 3)), img, method)


@pytest.mark.parametrize("method", ["histogram", "reinhard", "mkl"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
def test_mask_outside_unchanged(rng, method, dtype):
    img, ref = _pair(rng, (20, 16, 3))
    if dtype == np.uint8:
        img, ref = (img * 255).astype(dtype), (ref * 255).astype(dtype)
    m = np.zeros((20, 16))
    m[4:12, 3:10] = 1.0
    m[12:14, 3:10] = 0.25
    out = transfer(img, ref, method, mask=m)
    np.testing.assert_array_equal(out[m == 0], img[m == 0])
    assert not np.array_equal(out[m == 1], img[m == 1])
    # soft edge: a blend in linear light between the image and the full transfer
    # (statistics from m >= 0.5)
    est = chroma.transfers.estimator(method).fit(ref)
    scale = 255.0 if dtype == np.uint8 else 1.0
    x = (img / scale).astype(np.float32).reshape(-1, 3)
    full = np.clip(est._transform_rgb(x.copy(), x[(m >= 0.5).ravel()]), 0, 1).reshape(img.shape)
    lin = chroma.convert(full[12:14, 3:10], "rgb", "linear") * 0.25 + 0.75 * chroma.convert(
        (img[12:14, 3:10] / scale).astype(np.float32), "rgb", "linear")
    expect = chroma.convert(lin, "linear", "rgb") * scale
    tol = 1.0 if dtype == np.uint8 else 1e-4
    assert np.abs(out[12:14, 3:10] - expect).max() <= tol


@pytest.mark.parametrize("method", ["reinhard", "mkl", "histogram"])
def test_statistics_from_the_masked_regions_only(rng, method):
    img, ref = _pair(rng, (20, 16, 3), (16, 20, 3))
    ref = ref.copy()
    ref[:, :10] = rng.random((16, 10, 3))  # noise outside the reference region
    rmask = np.zeros((16, 20), bool)
    rmask[:, 10:] = True
    mask = np.zeros((20, 16), bool)
    mask[5:15, 2:14] = True
    out = transfer(img, ref, method, mask=mask, reference_mask=rmask)
    crop = transfer(img[5:15, 2:14], ref[:, 10:], method)
    np.testing.assert_allclose(out[5:15, 2:14], crop, atol=1e-5)


@pytest.mark.parametrize("method", ["reinhard", "mkl"])
def test_strength_and_keep_luminance(rng, method):
    img, ref = _pair(rng)
    img8, ref8 = (img * 255).astype(np.uint8), (ref * 255).astype(np.uint8)
    np.testing.assert_array_equal(transfer(img8, ref8, method, strength=0.0), img8)
    full = transfer(img, ref, method, space="rgb")
    half = transfer(img, ref, method, space="rgb", strength=0.5)
    np.testing.assert_allclose(half, (img + full) / 2, atol=1e-5)
    kept = transfer(img, ref, method, keep_luminance=True)
    l_in = chroma.convert(img, "rgb", "lab")[..., 0]
    l_out = chroma.convert(kept, "rgb", "lab")[..., 0]
    assert np.abs(l_in - l_out).max() < 0.05
    assert np.abs(kept - img).max() > 0.02  # colors did change


def test_gray_image_comes_back_rgb(rng):
    gray = rng.random((8, 9))
    out = transfer(gray, rng.random((5, 5, 3)), "reinhard")
    assert out.shape == (8, 9, 3)


def test_unknown_method_is_an_error_not_a_fallback(rng):
    # the peer bug: "mvgd" silently ran another method
    img = rng.random((4, 4, 3))
    for bad in ("mvgd", "Reinhard", "", None, 3):
        with pytest.raises(ValueError, match="is not a transfer method"):
            transfer(img, img, bad)
    with pytest.raises(TypeError, match="method='reinhard'"):
        transfer(img, img, "reinhard", n_iter=3)
    with pytest.raises(ValueError, match="space="):
        transfer(img, img, "reinhard", space="lch")


def test_estimator_conventions(rng):
    img, ref = _pair(rng)
    for est in (ReinhardTransfer(space="lalphabeta", strength=0.3), MKLTransfer(reg=1e-3)):
        params = est.get_params()
        assert clone(est).get_params() == params
        with pytest.raises(NotFittedError):
            est.transform(img)
        assert est.fit(ref) is est
        a = est.transform(img)
        b = clone(est).fit(ref).transform(img)
        np.testing.assert_array_equal(a, b)
    assert set(ReinhardTransfer().fit(ref).__dict__) >= {"mean_", "std_"}


def test_fit_once_apply_to_many(rng):
    img, ref = _pair(rng)
    t = ReinhardTransfer().fit(ref)
    np.testing.assert_allclose(t.transform(img), transfer(img, ref, "reinhard"))
    np.testing.assert_allclose(t.fit_transform(img, ref), transfer(img, ref, "reinhard"))


def test_plain_functions_and_lazy_exports():
    import inspect

    assert inspect.isfunction(chroma.transfer) and inspect.ismodule(chroma.transfers)
    assert "image" in inspect.signature(chroma.transfer).parameters
    assert chroma.ReinhardTransfer is ReinhardTransfer
    assert chroma.MKLTransfer is MKLTransfer
    from chroma.transfers import apply_lut, read_cube, write_cube

    assert callable(apply_lut) and callable(read_cube) and callable(write_cube)


def test_mean_cov_kernel_equals_numpy_twin(rng):
    from chroma.transfers._blocks import combine, rgb_partials

    x = (rng.random((20000, 4)) * 100 - 20).astype(np.float32)
    xs = x[::2]  # strided
    for arr in (x, xs):
        m, c = combine(rgb_partials(arr, kernel=True))
        m2, c2 = _np_mean_cov(arr[:, :3])
        np.testing.assert_allclose(m, m2, rtol=1e-10, atol=1e-9)
        np.testing.assert_allclose(c, c2, rtol=1e-8, atol=1e-8)
    u8 = rng.integers(0, 256, (5000, 3), dtype=np.uint8)
    m, c = combine(rgb_partials(u8, None, 1 / 255, kernel=True))
    m2, c2 = _np_mean_cov(u8 / 255)
    np.testing.assert_allclose(m, m2, atol=1e-12)
    np.testing.assert_allclose(c, c2, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_affine_kernel_equals_numpy_twin(rng, dtype):
    x = rng.random((3000, 4))
    x = (x * 255).astype(dtype) if dtype == np.uint8 else x.astype(dtype)
    m = rng.normal(size=(3, 3))
    b = rng.normal(size=3)
    scale = 1 / 255 if dtype == np.uint8 else 1.0
    out_scale = 255.0 if dtype == np.uint8 else 1.0
    rint = dtype == np.uint8
    a1, a2 = np.empty_like(x), np.empty_like(x)
    LK.affine(x, m, b, scale, a1, out_scale, 0.0, out_scale, rint)
    LK.np_affine(x, m, b, scale, a2, out_scale, 0.0, out_scale, rint)
    np.testing.assert_allclose(a1.astype(float), a2.astype(float), atol=1e-6)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_fused_lab_kernels_equal_numpy_twins(rng, dtype):
    from chroma.transfers import _reinhard_kernels as RK
    from chroma.transfers._blocks import lab_partials, mean_std
    from chroma.transfers.reinhard import _np_lab_affine_to_srgb, _np_lab_moments

    x = rng.random((20000, 4))
    x[:3, :3] = [[0, 0, 0], [1, 1, 1], [0.02, 0.5, 0.999]]  # black, white, the linear branch
    levels = np.iinfo(dtype).max if np.dtype(dtype).kind == "u" else None
    x = np.rint(x * levels).astype(dtype) if levels else x.astype(dtype)
    scale = 1.0 / levels if levels else 1.0
    lab_k = np.empty((len(x), 3), np.float32)
    lab_n = np.empty((len(x), 3), np.float32)
    mean_k, std_k = mean_std(lab_partials(x, None, scale, lab_k, kernel=True))
    mean_n, std_n = _np_lab_moments(x, scale, lab_n)
    np.testing.assert_allclose(lab_k, lab_n, atol=2e-4)
    np.testing.assert_allclose(mean_k, mean_n, atol=1e-5)
    np.testing.assert_allclose(std_k, std_n, atol=1e-5)
    gain, offset = np.array([0.9, 1.2, 0.7]), np.array([3.0, -4.0, 5.0])
    out_k, out_n = np.empty_like(x), np.empty_like(x)
    alpha = x[:, 3]
    out_scale = float(levels or 1.0)
    RK.lab_affine_to_srgb(lab_n, gain, offset, alpha, out_k, out_scale, levels is not None)
    _np_lab_affine_to_srgb(lab_n, gain, offset, alpha, out_n, out_scale, levels is not None)
    diff = np.abs(out_k.astype(float) - out_n.astype(float))
    assert diff.max() <= (1.0 if levels else 2e-6)  # a level only at rounding ties
    assert (diff[:, :3] > 0).mean() < (0.01 if levels else 1)
    np.testing.assert_array_equal(out_k[:, 3], alpha)


@pytest.mark.parametrize("est", [ReinhardTransfer(space="lab", strength=0.7),
                                 ReinhardTransfer(space="rgb"), MKLTransfer()], ids=repr)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("channel_axis", [0, -1])
def test_fast_path_equals_general_path(rng, monkeypatch, est, dtype, channel_axis):
    img = rng.random((150, 120, 4)) * 0.8 + 0.1  # > 16 Ki pixels: the fused kernels run
    ref = rng.random((130, 140, 3)) ** 2
    if np.dtype(dtype).kind == "u":
        top = np.iinfo(dtype).max
        img, ref = np.rint(img * top).astype(dtype), np.rint(ref * top).astype(dtype)
    else:
        img, ref = img.astype(dtype), ref.astype(dtype)
    img_c, ref_c = np.moveaxis(img, -1, channel_axis), np.moveaxis(ref, -1, channel_axis)
    fast = clone(est).fit(ref_c, channel_axis=channel_axis).transform(
        img_c, channel_axis=channel_axis)
    monkeypatch.setattr(type(est), "_fast_ok", lambda self: False)
    slow = clone(est).fit(ref_c, channel_axis=channel_axis).transform(
        img_c, channel_axis=channel_axis)
    assert fast.dtype == slow.dtype == dtype and fast.shape == slow.shape == img_c.shape
    diff = np.abs(fast.astype(float) - slow.astype(float))
    tol = 1.0 if np.dtype(dtype).kind == "u" else 1e-5
    assert diff.max() <= tol
    assert (diff > 0).mean() < 0.01 or np.dtype(dtype).kind == "f"


def test_restore_kernel_equals_restore(rng):
    from chroma._core.validate import to_float
    from chroma.transfers._base import _restore

    for shape, axis in [((150, 120, 4), -1), ((4, 150, 120), 0), ((150, 120, 3), -1)]:
        img = rng.integers(0, 65536, shape, dtype=np.int64).astype(np.uint16)
        x, restore = to_float(img, channel_axis=axis)
        y = x * 1.3 - 0.1
        a, b = _restore(y, restore).astype(int), restore(y).astype(int)
        assert a.shape == b.shape
        # restore() scales in float32 (off by up to ~0.004 of a 16-bit level before
        # rounding); the kernel scales in float64 and rounds exactly
        assert np.abs(a - b).max() <= 1
        exact = np.floor(np.clip(y.astype(np.float64) * 65535, 0, 65535) + 0.5)
        a_last = np.moveaxis(a, axis, -1)
        np.testing.assert_array_equal(a_last[..., :3], exact)


def test_dispatch_reaches_every_method(rng):
    from chroma.transfers import estimator

    expected = {"histogram": "HistogramMatcher", "reinhard": "ReinhardTransfer",
                "mkl": "MKLTransfer", "idt": "IDTTransfer", "sot": "SlicedOTTransfer",
                "palette": "PaletteTransfer"}
    img = rng.integers(0, 256, (12, 10, 3), dtype=np.uint8)
    ref = rng.integers(0, 256, (9, 9, 3), dtype=np.uint8)
    m = np.zeros((12, 10), bool)
    m[:6] = True
    for method, cls in expected.items():
        assert type(estimator(method)).__name__ == cls
        out = transfer(img, ref, method, mask=m)
        assert out.shape == img.shape and out.dtype == np.uint8
        np.testing.assert_array_equal(out[~m], img[~m])
