"""IDT (iterative distribution transfer): distribution reached, seeding, kernels, edges."""

import numpy as np
import pytest

from chroma import datasets
from chroma._core.base import clone
from chroma.compositing import apply_step
from chroma.metrics import sliced_wasserstein_lab
from chroma.transfers import _maps
from chroma.transfers import _ot_kernels as K
from chroma.transfers.idt import PITIE_ROTATIONS, IDTTransfer, random_rotations


def blobs(rng, h, w, centers, spread):
    """An image whose colors are a mixture of Gaussian blobs."""
    k = rng.integers(0, len(centers), h * w)
    x = np.asarray(centers)[k] + spread * rng.standard_normal((h * w, 3))
    return np.clip(x, 0, 1).reshape(h, w, 3).astype(np.float32)


@pytest.fixture
def pair():
    rng = np.random.default_rng(1)
    img = blobs(rng, 32, 48, [[0.2, 0.3, 0.7], [0.8, 0.6, 0.2]], 0.06)
    ref = blobs(rng, 40, 40, [[0.6, 0.2, 0.3], [0.3, 0.8, 0.5], [0.5, 0.5, 0.5]], 0.05)
    return img, ref


def small_samples():
    img = datasets.sample("coffee")[::6, ::6]
    ref = datasets.sample("chelsea")[::6, ::6]
    return img, ref


# --- the distribution is reached -------------------------------------------------------
@pytest.mark.parametrize("rotations", ["random", "pitie"])
@pytest.mark.parametrize("seed", [0, 1])
def test_idt_reaches_reference_distribution_blobs(pair, rotations, seed):
    img, ref = pair
    out = IDTTransfer(10, rotations=rotations, random_state=seed).fit(ref).transform(img)
    before = sliced_wasserstein_lab(img, ref)
    after = sliced_wasserstein_lab(out, ref)
    assert after <= 0.1 * before, (before, after)


@pytest.mark.parametrize("space", ["rgb", "lab"])
def test_idt_reaches_reference_distribution_bundled_samples(space):
    img, ref = small_samples()
    out = IDTTransfer(10, space=space, random_state=0).fit(ref).transform(img)
    before = sliced_wasserstein_lab(img, ref)
    after = sliced_wasserstein_lab(out, ref)
    assert after <= 0.1 * before, (before, after)


def test_more_iterations_get_closer(pair):
    img, ref = pair
    d = [sliced_wasserstein_lab(IDTTransfer(n, random_state=0).fit(ref).transform(img), ref)
         for n in (1, 3, 10)]
    assert d[0] > d[1] > d[2]


def test_one_identity_iteration_is_per_channel_histogram_matching(pair):
    # the first Pitié rotation is the identity: one iteration matches R, G, B marginals
    img, ref = pair
    out = IDTTransfer(1, rotations="pitie", bins=1000).fit(ref).transform(img)
    for c in range(3):
        q = np.linspace(0.02, 0.98, 25)
        np.testing.assert_allclose(np.quantile(out[..., c], q), np.quantile(ref[..., c], q),
                                   atol=0.01)


# --- seeding ---------------------------------------------------------------------------
def test_same_seed_same_output_different_seed_different_output(pair):
    img, ref = pair
    a = IDTTransfer(random_state=3).fit(ref).transform(img)
    b = IDTTransfer(random_state=3).fit(ref).transform(img)
    c = IDTTransfer(random_state=4).fit(ref).transform(img)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3


def test_seeded_with_samples_smaller_than_image(pair):
    img, ref = pair
    est = IDTTransfer(max_pixels=500, random_state=0).fit(ref)
    np.testing.assert_array_equal(est.transform(img), est.transform(img))
    after = sliced_wasserstein_lab(est.transform(img), ref)
    assert after <= 0.15 * sliced_wasserstein_lab(img, ref)


def test_transfer_is_a_function_of_color(pair):
    # equal input colors get equal output colors, wherever they are
    img, ref = pair
    img = img.copy()
    img[5:10, 5:10] = img[0, 0]
    out = IDTTransfer(random_state=0).fit(ref).transform(img)
    assert np.all(out[5:10, 5:10] == out[0, 0])


# --- kernels against their NumPy twins -------------------------------------------------
def test_kernels_equal_numpy_twins():
    rng = np.random.default_rng(0)
    x = rng.random((3000, 3)).astype(np.float32)
    rot = random_rotations(4, rng)
    mm = K.proj_minmax(x, rot[0])
    np.testing.assert_array_equal(mm, K.np_proj_minmax(x, rot[0]))
    h = K.proj_hist(x, rot[0], mm[:, 0], mm[:, 1], 37)
    np.testing.assert_array_equal(h, K.np_proj_hist(x, rot[0], mm[:, 0], mm[:, 1], 37))
    assert h.sum() == 3 * len(x)
    # a chain with maps whose range does not cover every pixel (extrapolation branch)
    tables = np.sort(rng.random((4, 3, 51)) * 2 - 0.5, axis=2)
    chain = {"dirs": rot, "weights": np.array([1.0, 0.5, 1.0, 0.7]),
             "lo": np.full((4, 3), -0.3), "hi": np.full((4, 3), 0.9), "tables": tables}
    np.testing.assert_allclose(K.apply_chain(x, chain), K.np_apply_chain(x, chain),
                               atol=2e-6)


def test_kernels_equal_twins_above_parallel_threshold():
    rng = np.random.default_rng(1)
    x = rng.random((K._PARALLEL_MIN + 17, 3)).astype(np.float32)
    d = random_rotations(1, rng)[0]
    mm = K.proj_minmax(x, d)
    np.testing.assert_array_equal(mm, K.np_proj_minmax(x, d))
    np.testing.assert_array_equal(K.proj_hist(x, d, mm[:, 0], mm[:, 1], 300),
                                  K.np_proj_hist(x, d, mm[:, 0], mm[:, 1], 300))


def test_quantiles_from_hist_inverts_the_binned_cdf():
    rng = np.random.default_rng(0)
    v = rng.random(20000)
    h = np.histogram(v, bins=200, range=(0, 1))[0][None]
    q = _maps.quantiles_from_hist(h, np.array([0.0]), np.array([1.0]))[0]
    u = _maps.levels()
    np.testing.assert_allclose(q, np.quantile(v, u), atol=0.01)
    assert q[0] == 0 and np.all(np.diff(q) >= 0)


def test_rotations_are_orthogonal():
    for r in (*PITIE_ROTATIONS, *random_rotations(5, np.random.default_rng(0))):
        np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(PITIE_ROTATIONS[0], np.eye(3), atol=1e-12)


# --- dtypes, alpha, layout, masks, LUT -------------------------------------------------
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float16, np.float32, np.float64])
def test_dtypes_kept_and_scaled(pair, dtype):
    img, ref = pair
    if np.dtype(dtype).kind == "u":
        scale = np.iinfo(dtype).max
        img_d, ref_d = np.rint(img * scale).astype(dtype), np.rint(ref * scale).astype(dtype)
    else:
        scale = 1.0
        img_d, ref_d = img.astype(dtype), ref.astype(dtype)
    out = IDTTransfer(random_state=0).fit(ref_d).transform(img_d)
    assert out.dtype == (np.float32 if dtype == np.float16 else dtype)
    assert out.shape == img.shape
    expected = IDTTransfer(random_state=0).fit(ref).transform(img)
    # uint16 stays at full precision (no 8-bit clipping); uint8 within rounding
    tol = {np.uint8: 3, np.uint16: 300, np.float16: 0.01}.get(dtype, 1e-5)
    assert np.abs(out.astype(np.float64) / scale - expected).mean() * scale <= tol


def test_alpha_kept_and_channel_axis(pair):
    img, ref = pair
    alpha = np.linspace(0, 1, img.shape[0] * img.shape[1]).reshape(img.shape[:2])
    rgba = np.concatenate([img, alpha[..., None].astype(np.float32)], axis=-1)
    out = IDTTransfer(random_state=0).fit(ref).transform(rgba)
    np.testing.assert_array_equal(out[..., 3], rgba[..., 3])
    np.testing.assert_array_equal(out[..., :3],
                                  IDTTransfer(random_state=0).fit(ref).transform(img))
    first = IDTTransfer(random_state=0).fit(np.moveaxis(ref, -1, 0), channel_axis=0)
    out0 = first.transform(np.moveaxis(img, -1, 0), channel_axis=0)
    np.testing.assert_array_equal(np.moveaxis(out0, 0, -1), out[..., :3])


def test_input_not_modified(pair):
    img, ref = pair
    img0, ref0 = img.copy(), ref.copy()
    IDTTransfer(regrain=True, random_state=0).fit(ref).transform(img)
    np.testing.assert_array_equal(img, img0)
    np.testing.assert_array_equal(ref, ref0)


def test_gray_image_comes_back_rgb(pair):
    _, ref = pair
    gray = np.linspace(0, 1, 24 * 32, dtype=np.float32).reshape(24, 32)
    out = IDTTransfer(random_state=0).fit(ref).transform(gray)
    assert out.shape == (24, 32, 3)


def test_masks_region_to_region(pair):
    img, ref = pair
    mask = np.zeros(img.shape[:2], bool)
    mask[:, :24] = True
    ref_mask = np.zeros(ref.shape[:2], bool)
    ref_mask[:20] = True
    est = IDTTransfer(random_state=0).fit(ref, reference_mask=ref_mask)
    out = apply_step(est, img, mask=mask)
    np.testing.assert_array_equal(out[~mask], img[~mask])  # outside: untouched
    inside = out[mask]
    before = sliced_wasserstein_lab(img[mask][None], ref[ref_mask][None])
    after = sliced_wasserstein_lab(inside[None], ref[ref_mask][None])
    assert after <= 0.1 * before


def test_lut_holds_the_same_mapping(pair):
    # an image whose colors all lie on a 5-level grid: its transform is read off the LUT
    _, ref = pair
    rng = np.random.default_rng(0)
    img = (rng.integers(0, 5, (30, 40, 3)) / 4).astype(np.float32)
    est = IDTTransfer(random_state=0).fit(ref)
    lut = est.to_lut(5, image=img)
    idx = np.rint(img * 4).astype(int)
    np.testing.assert_allclose(lut[idx[..., 0], idx[..., 1], idx[..., 2]],
                               est.transform(img), atol=1e-6)


# --- regrain option --------------------------------------------------------------------
def test_regrain_option_changes_little_color_and_keeps_distribution():
    img, ref = small_samples()
    plain = IDTTransfer(random_state=0).fit(ref).transform(img)
    grain = IDTTransfer(random_state=0, regrain=True).fit(ref).transform(img)
    assert grain.dtype == np.uint8
    assert 0 < np.abs(grain.astype(int) - plain).mean() < 12
    # regrain trades a little of the distribution for the gradients
    assert sliced_wasserstein_lab(grain, ref) <= 0.25 * sliced_wasserstein_lab(img, ref)


# --- edge cases and errors -------------------------------------------------------------
def test_constant_image_goes_to_reference_mean(pair):
    _, ref = pair
    img = np.full((6, 7, 3), 0.3, np.float32)
    out = IDTTransfer(random_state=0).fit(ref).transform(img)
    np.testing.assert_allclose(out, np.broadcast_to(ref.mean((0, 1)), out.shape), atol=0.01)


def test_one_pixel_image_and_reference(pair):
    img, ref = pair
    out = IDTTransfer(random_state=0).fit(ref).transform(img[:1, :1])
    assert out.shape == (1, 1, 3) and np.isfinite(out).all()
    one = IDTTransfer(random_state=0).fit(ref[:1, :1]).transform(img)
    np.testing.assert_allclose(one, np.broadcast_to(ref[0, 0], one.shape), atol=1e-5)
    const = IDTTransfer(random_state=0, regrain=True).fit(ref).transform(img[:1, :1])
    assert const.shape == (1, 1, 3)


def test_nan_is_a_clear_error(pair):
    img, ref = pair
    bad = img.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="`image` contains NaN"):
        IDTTransfer().fit(ref).transform(bad)
    with pytest.raises(ValueError, match="`reference` contains NaN"):
        IDTTransfer().fit(bad)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"n_iter": 0}, ValueError, "n_iter"),
        ({"n_iter": 2.5}, TypeError, "n_iter"),
        ({"bins": 1}, ValueError, "bins"),
        ({"rotations": "optimal"}, ValueError, "rotations='optimal'"),
        ({"space": "lch"}, ValueError, "space='lch'"),
        ({"regrain": "yes"}, TypeError, "regrain"),
        ({"random_state": "x"}, TypeError, "random_state"),
    ],
)
def test_bad_parameters(pair, params, error, match):
    _, ref = pair
    with pytest.raises(error, match=match):
        IDTTransfer(**params).fit(ref)


def test_not_fitted_and_params():
    from chroma._core.validate import NotFittedError

    with pytest.raises(NotFittedError):
        IDTTransfer().transform(np.zeros((2, 2, 3)))
    est = IDTTransfer(7, bins=64, random_state=2, regrain=True)
    assert clone(est).get_params() == est.get_params()
    assert est.get_params()["n_iter"] == 7


def test_dispatch():
    import chroma

    img, ref = small_samples()
    out = chroma.transfer(img, ref, method="idt", random_state=0, n_iter=4)
    np.testing.assert_array_equal(out, IDTTransfer(4, random_state=0).fit(ref).transform(img))
