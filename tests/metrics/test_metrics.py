"""chroma.metrics against published references, scikit-image and properties."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import color as skcolor
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from chroma import metrics
from chroma.metrics import difference
from chroma.spaces import convert

# Sharma, Wu & Dalal (2005), Table 1: L1 a1 b1  L2 a2 b2  ΔE00 (kL = kC = kH = 1).
SHARMA_PAIRS = np.array(
    [
        [50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425],
        [50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615],
        [50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412],
        [50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000],
        [50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000],
        [50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000],
        [50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669],
        [50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669],
        [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792],
        [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792],
        [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195],
        [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195],
        [50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045],
        [50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045],
        [50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461],
        [50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065],
        [50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492],
        [50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977],
        [50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030],
        [50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535],
        [50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000],
        [50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000],
        [50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000],
        [50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000],
        [60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644],
        [63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630],
        [61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731],
        [35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645],
        [22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373],
        [36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146],
        [90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441],
        [90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381],
        [6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377],
        [2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082],
    ]
)


def _random_lab(rng, shape):
    lab = np.empty((*shape, 3))
    lab[..., 0] = rng.uniform(0, 100, shape)
    lab[..., 1:] = rng.uniform(-110, 110, (*shape, 2))
    return lab


# --- CIEDE2000 ---------------------------------------------------------------------------
def test_ciede2000_reproduces_all_34_sharma_pairs():
    assert SHARMA_PAIRS.shape == (34, 7)
    got = metrics.ciede2000(SHARMA_PAIRS[:, :3], SHARMA_PAIRS[:, 3:6])
    np.testing.assert_allclose(got, SHARMA_PAIRS[:, 6], rtol=0, atol=1e-4)


def test_ciede2000_sharma_pairs_one_by_one_and_swapped():
    for row in SHARMA_PAIRS:
        assert abs(float(metrics.ciede2000(row[:3], row[3:6])) - row[6]) < 1e-4
        assert abs(float(metrics.ciede2000(row[3:6], row[:3])) - row[6]) < 1e-4


def test_sharma_table_agrees_with_scikit_image():
    # guards the typed-in table as well as the formula
    ref = skcolor.deltaE_ciede2000(SHARMA_PAIRS[:, :3], SHARMA_PAIRS[:, 3:6])
    np.testing.assert_allclose(ref, SHARMA_PAIRS[:, 6], atol=1e-4)


@pytest.mark.parametrize("k", [(1, 1, 1), (2, 1, 1), (1, 1.5, 0.7)])
def test_ciede2000_matches_scikit_image_on_random_colors(k):
    rng = np.random.default_rng(1)
    a, b = _random_lab(rng, (40, 30)), _random_lab(rng, (40, 30))
    # include near-neutral colors and exact grays, where the hue conventions matter
    a[:5, :, 1:] *= 1e-3
    b[:3, :, 1:] = 0.0
    kL, kC, kH = k
    got = metrics.ciede2000(a, b, kL, kC, kH)
    ref = skcolor.deltaE_ciede2000(a, b, kL=kL, kC=kC, kH=kH)
    assert got.shape == (40, 30)
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9)


def test_ciede2000_properties():
    rng = np.random.default_rng(2)
    a, b = _random_lab(rng, (500,)), _random_lab(rng, (500,))
    np.testing.assert_array_equal(metrics.ciede2000(a, a), 0.0)
    np.testing.assert_allclose(metrics.ciede2000(a, b), metrics.ciede2000(b, a), atol=1e-12)
    assert np.all(metrics.ciede2000(a, b) > 0)
    # broadcasting one color against many, and channel_axis
    one = metrics.ciede2000(a, a[0])
    assert one.shape == (500,) and one[0] == 0
    np.testing.assert_allclose(
        metrics.ciede2000(a.T, b.T, channel_axis=0), metrics.ciede2000(a, b)
    )


def test_ciede2000_numba_kernel_equals_numpy_twin():
    rng = np.random.default_rng(16)
    a, b = _random_lab(rng, (64, 70)), _random_lab(rng, (64, 70))
    a[:4, :, 1:] = 0.0  # achromatic rows: the special hue cases
    b[2:6, :, 1:] *= 1e-4
    a[10] = b[10]  # identical colors
    for backend in ("numba", "auto"):
        np.testing.assert_allclose(
            metrics.ciede2000(a, b, backend=backend),
            metrics.ciede2000(a, b, backend="numpy"),
            rtol=1e-12,
            atol=1e-12,
        )
    got = metrics.ciede2000(SHARMA_PAIRS[:, :3], SHARMA_PAIRS[:, 3:6], backend="numba")
    np.testing.assert_allclose(got, SHARMA_PAIRS[:, 6], atol=1e-4)
    k = metrics.ciede2000(a, b, 2.0, 0.5, 1.5, backend="numba")
    np.testing.assert_allclose(k, skcolor.deltaE_ciede2000(a, b, kL=2, kC=0.5, kH=1.5))
    # float32 input: read as float32, computed in float64 by both
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    np.testing.assert_allclose(
        metrics.ciede2000(a32, b32, backend="numba"),
        metrics.ciede2000(a32, b32, backend="numpy"),
        rtol=1e-12,
        atol=1e-12,
    )
    with pytest.raises(ValueError, match="backend"):
        metrics.ciede2000(a, b, backend="cuda")


def test_ciede2000_chunks_give_the_same_answer(monkeypatch):
    rng = np.random.default_rng(3)
    a, b = _random_lab(rng, (37, 11)), _random_lab(rng, (37, 11))
    whole = metrics.ciede2000(a, b, backend="numpy")
    monkeypatch.setattr(difference, "_CHUNK", 50)
    np.testing.assert_array_equal(metrics.ciede2000(a, b, backend="numpy"), whole)


def test_ciede2000_errors():
    with pytest.raises(ValueError, match="3 channels"):
        metrics.ciede2000(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="broadcastable"):
        metrics.ciede2000(np.zeros((4, 3)), np.zeros((5, 3)))
    with pytest.raises(TypeError, match="lab1"):
        metrics.ciede2000(np.array([["a", "b", "c"]]), np.zeros(3))


def test_deltae76_matches_scikit_image():
    rng = np.random.default_rng(4)
    a, b = _random_lab(rng, (20, 20)), _random_lab(rng, (20, 20))
    np.testing.assert_allclose(metrics.deltae76(a, b), skcolor.deltaE_cie76(a, b))
    assert float(metrics.deltae76([0, 0, 0], [0, 3, 4])) == 5.0


# --- colorfulness --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_colorfulness_of_gray_is_zero(dtype):
    rng = np.random.default_rng(5)
    g = rng.random((32, 48))
    img = np.repeat(g[..., None], 3, axis=-1)
    if dtype in (np.uint8, np.uint16):
        img = np.round(img * np.iinfo(dtype).max)
    img = img.astype(dtype)
    assert metrics.colorfulness(img) == pytest.approx(0.0, abs=1e-9)
    assert metrics.colorfulness(img[..., 0]) == pytest.approx(0.0, abs=1e-9)


def test_colorfulness_hand_computed_value():
    # 3 pure red and 1 pure blue pixel, on the paper's 0..255 scale:
    # red: rg = 255, yb = 127.5;  blue: rg = 0, yb = -255
    img = np.zeros((2, 2, 3), dtype=np.uint8)
    img[..., 0] = 255
    img[1, 1] = (0, 0, 255)
    # rg = (255, 255, 255, 0): mean 191.25, population sd 255 * sqrt(3) / 4
    # yb = (127.5, 127.5, 127.5, -255): mean 31.875, population sd 382.5 * sqrt(3) / 4
    expected = np.sqrt(3) / 4 * np.hypot(255, 382.5) + 0.3 * np.hypot(191.25, 31.875)
    assert expected == pytest.approx(257.2257, abs=1e-4)
    assert metrics.colorfulness(img) == pytest.approx(expected, rel=1e-6)
    # the same image as float gives the same value; alpha is ignored
    rgba = np.concatenate([img, np.full((2, 2, 1), 7, np.uint8)], axis=-1)
    assert metrics.colorfulness(img.astype(np.float32) / 255) == pytest.approx(expected, rel=1e-5)
    assert metrics.colorfulness(rgba) == pytest.approx(expected, rel=1e-6)


def test_colorfulness_grows_with_saturation():
    rng = np.random.default_rng(6)
    img = rng.random((32, 32, 3))
    gray = img.mean(-1, keepdims=True)
    values = [metrics.colorfulness(gray + s * (img - gray)) for s in (0.0, 0.3, 0.6, 1.0)]
    assert values[0] == pytest.approx(0, abs=1e-9)
    assert np.all(np.diff(values) > 0)


# --- PSNR / SSIM ----------------------------------------------------------------------------
def test_psnr_ssim_match_scikit_image_across_dtypes():
    rng = np.random.default_rng(7)
    a = rng.integers(0, 256, (32, 48, 3)).astype(np.uint8)
    b = np.clip(a.astype(int) + rng.integers(-20, 21, a.shape), 0, 255).astype(np.uint8)
    ref_psnr = peak_signal_noise_ratio(a, b, data_range=255)
    ref_ssim = structural_similarity(a / 255.0, b / 255.0, data_range=1.0, channel_axis=-1)
    assert metrics.psnr(b, a) == pytest.approx(ref_psnr, rel=1e-5)
    assert metrics.psnr(b.astype(np.float32) / 255, a.astype(np.float32) / 255) == pytest.approx(
        ref_psnr, rel=1e-5
    )
    a16 = a.astype(np.uint16) * 257
    b16 = b.astype(np.uint16) * 257
    assert metrics.psnr(b16, a16) == pytest.approx(ref_psnr, rel=1e-5)
    assert metrics.ssim(b, a) == pytest.approx(ref_ssim, rel=1e-4)
    assert metrics.ssim(b16, a16) == pytest.approx(ref_ssim, rel=1e-4)
    assert metrics.psnr(a, a) == float("inf")
    assert metrics.ssim(a, a) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="same shape"):
        metrics.psnr(a, a[:10])


# --- Lab colorization scores ---------------------------------------------------------------------
def test_ab_rmse_and_auc():
    rng = np.random.default_rng(8)
    true = _random_lab(rng, (16, 16))
    pred = true.copy()
    pred[..., 1] += 3.3
    pred[..., 2] -= 4.4
    pred[..., 0] += 50  # L* is ignored
    assert metrics.ab_rmse(pred, true) == pytest.approx(5.5)
    # every error is 5.5: accuracy is 0 up to threshold 5 and 1 from 6 on
    auc = metrics.auc_ab(pred, true)
    frac = (np.arange(151) >= 6).astype(float)
    assert auc == pytest.approx(np.trapezoid(frac, np.arange(151)) / 150)
    assert metrics.auc_ab(true, true) == 1.0
    assert 0 <= metrics.auc_ab(_random_lab(rng, (16, 16)), true) < 1


def test_auc_brute_force_and_weights():
    rng = np.random.default_rng(9)
    true, pred = _random_lab(rng, (20, 10)), _random_lab(rng, (20, 10))
    err = np.hypot(*(pred[..., 1:] - true[..., 1:]).transpose(2, 0, 1)).ravel()
    t = np.arange(151.0)
    w = rng.random((20, 10))
    for weights in (None, w):
        ww = np.ones(err.shape) if weights is None else weights.ravel()
        frac = np.array([ww[err <= x].sum() / ww.sum() for x in t])
        expected = np.trapezoid(frac, t) / 150
        assert metrics.auc_ab(pred, true, weights=weights) == pytest.approx(expected, rel=1e-12)
    # weight concentrated on the well-predicted pixels raises the score
    good = err < np.median(err)
    assert metrics.auc_ab(pred, true, weights=good.reshape(20, 10) + 1e-3) > metrics.auc_ab(
        pred, true
    )
    with pytest.raises(ValueError, match="weights"):
        metrics.auc_ab(pred, true, weights=np.ones(5))
    with pytest.raises(ValueError, match="thresholds"):
        metrics.auc_ab(pred, true, thresholds=[3, 1])


# --- distribution distances ------------------------------------------------------------------
def test_sliced_wasserstein_properties():
    rng = np.random.default_rng(10)
    a = rng.random((30, 40, 3))
    b = rng.random((25, 20, 3)) * 0.5
    assert metrics.sliced_wasserstein_lab(a, a) == 0.0
    d = metrics.sliced_wasserstein_lab(a, b)
    assert d > 1
    assert metrics.sliced_wasserstein_lab(a, b) == d  # deterministic with the default seed
    assert metrics.sliced_wasserstein_lab(b, a) == pytest.approx(d, rel=0.05)
    # a pure translation t in Lab has SW2 = |t| * sqrt(E[cos^2]) = |t| / sqrt(3) in 3-D
    lab = convert(a, "rgb", "lab").astype(np.float64)
    t = np.array([3.0, -4.0, 12.0])
    got = metrics.sliced_wasserstein_lab(lab, lab + t, n_projections=4000, space="lab")
    assert got == pytest.approx(np.linalg.norm(t) / np.sqrt(3), rel=0.03)


def test_emd_per_channel_matches_scipy_and_translation():
    from scipy.stats import wasserstein_distance

    rng = np.random.default_rng(11)
    a, b = rng.random((20, 20, 3)), rng.random((10, 30, 3)) ** 2
    got = metrics.emd_per_channel(a, b)
    la = convert(a, "rgb", "lab").reshape(-1, 3).astype(np.float64)
    lb = convert(b, "rgb", "lab").reshape(-1, 3).astype(np.float64)
    ref = [wasserstein_distance(la[:, c], lb[:, c]) for c in range(3)]
    np.testing.assert_allclose(got, ref, rtol=1e-9)
    lab = _random_lab(rng, (10, 10))
    np.testing.assert_allclose(
        metrics.emd_per_channel(lab, lab + np.array([1.0, -2.0, 5.0]), space="lab"),
        [1, 2, 5],
        atol=1e-9,
    )


def test_bhattacharyya_ab():
    rng = np.random.default_rng(12)
    a = rng.random((30, 30, 3))
    assert metrics.bhattacharyya_ab(a, a) == 0.0
    assert metrics.bhattacharyya_ab(a, a[::-1, ::-1]) == pytest.approx(0.0, abs=1e-7)
    lab = _random_lab(rng, (30, 30)) * [1, 0.2, 0.2]
    near = metrics.bhattacharyya_ab(lab, lab + np.array([0, 2, 0]), space="lab")
    far = metrics.bhattacharyya_ab(lab, lab + np.array([0, 20, 0]), space="lab")
    assert 0 < near < far <= 1
    # against OpenCV's formula computed by hand on the same histograms
    h1, _, _ = np.histogram2d(lab[..., 1].ravel(), lab[..., 2].ravel(), 64, [[-128, 128]] * 2)
    h2, _, _ = np.histogram2d(
        lab[..., 1].ravel() + 20, lab[..., 2].ravel(), 64, [[-128, 128]] * 2
    )
    bc = np.sum(np.sqrt(h1 * h2)) / np.sqrt(h1.sum() * h2.sum())
    assert far == pytest.approx(np.sqrt(1 - bc))


# --- structure and artifacts ------------------------------------------------------------------
def test_lightness_ssim_ignores_chroma_changes():
    rng = np.random.default_rng(13)
    img = rng.random((32, 32, 3)).astype(np.float32)
    lab = convert(img, "rgb", "lab")
    shifted = lab.copy()
    shifted[..., 1:] *= 0.5
    recolored = convert(shifted, "lab", "rgb", clip=False)
    recolored = np.clip(recolored, 0, 1)
    assert metrics.lightness_ssim(img, img) == pytest.approx(1.0)
    # L* barely moves (only where clipping bit), so the score stays high
    assert metrics.lightness_ssim(recolored, img) > 0.95
    noisy = np.clip(img + 0.3 * rng.standard_normal(img.shape).astype(np.float32), 0, 1)
    assert metrics.lightness_ssim(noisy, img) < 0.8
    ref = structural_similarity(lab[..., 0], convert(noisy, "rgb", "lab")[..., 0], data_range=100)
    assert metrics.lightness_ssim(noisy, img) == pytest.approx(ref, rel=1e-6)


def test_gradient_artifacts_sees_added_grain_only():
    y, x = np.mgrid[0:32, 0:48] / 48.0
    smooth = np.stack([x, y, 0.5 * (x + y)], axis=-1).astype(np.float32)
    rng = np.random.default_rng(14)
    grain = np.clip(smooth + 0.04 * rng.standard_normal(smooth.shape).astype(np.float32), 0, 1)
    assert metrics.gradient_artifacts(smooth, smooth) == 0.0
    assert metrics.gradient_artifacts(smooth, grain) < metrics.gradient_artifacts(grain, smooth)
    assert metrics.gradient_artifacts(grain, smooth) > 10
    # the definition, spelled out with the Lab gradients
    lab_s = convert(smooth, "rgb", "lab").astype(np.float64)
    lab_g = convert(grain, "rgb", "lab").astype(np.float64)

    def mag(lab):
        grads = [np.gradient(lab[..., c]) for c in range(3)]
        return np.sqrt(sum(gx**2 + gy**2 for gy, gx in grads))

    expected = np.mean(np.maximum(mag(lab_g) - mag(lab_s), 0) ** 2)
    assert metrics.gradient_artifacts(grain, smooth) == pytest.approx(expected, rel=1e-5)


def test_two_image_metrics_take_output_first_positionally():
    rng = np.random.default_rng(16)
    a = rng.random((16, 16, 3))
    b = np.clip(a + 0.05 * rng.standard_normal(a.shape), 0, 1)
    for fn in (metrics.psnr, metrics.ssim, metrics.lightness_ssim, metrics.gradient_artifacts,
               metrics.sliced_wasserstein_lab, metrics.ab_rmse, metrics.ciede2000):
        with pytest.raises(TypeError):
            fn(image=a, reference=b)
    with pytest.raises(ValueError, match="`output` and `truth` must have the same shape"):
        metrics.psnr(a, a[:8])
    with pytest.raises(ValueError, match="`max_pixels` must be >= 1"):
        metrics.sliced_wasserstein_lab(a, b, max_pixels=0)
    with pytest.raises(TypeError, match="`n_projections` must be an int"):
        metrics.sliced_wasserstein_lab(a, b, n_projections=2.5)
