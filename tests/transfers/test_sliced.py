"""Sliced optimal transport transfer: distribution reached, seeding, kernels, edges."""

import numpy as np
import pytest

from chroma import datasets
from chroma._core.base import clone
from chroma.compositing import apply_step
from chroma.metrics import sliced_wasserstein_lab
from chroma.transfers import _maps
from chroma.transfers import _ot_kernels as K
from chroma.transfers.sliced import SlicedOTTransfer, random_directions


def blobs(rng, h, w, centers, spread):
    k = rng.integers(0, len(centers), h * w)
    x = np.asarray(centers)[k] + spread * rng.standard_normal((h * w, 3))
    return np.clip(x, 0, 1).reshape(h, w, 3).astype(np.float32)


@pytest.fixture
def pair():
    rng = np.random.default_rng(2)
    img = blobs(rng, 32, 48, [[0.2, 0.3, 0.7], [0.8, 0.6, 0.2]], 0.06)
    ref = blobs(rng, 40, 40, [[0.6, 0.2, 0.3], [0.3, 0.8, 0.5], [0.5, 0.5, 0.5]], 0.05)
    return img, ref


def small_samples():
    return datasets.sample("astronaut")[::8, ::8], datasets.sample("rocket")[::6, ::6]


@pytest.mark.parametrize(("n_projections", "n_iter"), [(3, 10), (6, 10), (16, 8)])
def test_sot_reaches_reference_distribution_blobs(pair, n_projections, n_iter):
    img, ref = pair
    out = SlicedOTTransfer(n_projections, n_iter, random_state=0).fit(ref).transform(img)
    before = sliced_wasserstein_lab(img, ref)
    after = sliced_wasserstein_lab(out, ref)
    assert after <= 0.1 * before, (before, after)


@pytest.mark.parametrize("space", ["rgb", "lab"])
def test_sot_reaches_reference_distribution_bundled_samples(space):
    img, ref = small_samples()
    out = SlicedOTTransfer(space=space, random_state=0).fit(ref).transform(img)
    before = sliced_wasserstein_lab(img, ref)
    after = sliced_wasserstein_lab(out, ref)
    assert after <= 0.1 * before, (before, after)


def test_sample_smaller_than_image_still_works(pair):
    img, ref = pair
    est = SlicedOTTransfer(max_pixels=400, random_state=1).fit(ref)
    out = est.transform(img)
    assert sliced_wasserstein_lab(out, ref) <= 0.15 * sliced_wasserstein_lab(img, ref)
    np.testing.assert_array_equal(out, est.transform(img))


def test_smaller_step_moves_less(pair):
    img, ref = pair
    full = SlicedOTTransfer(n_iter=1, random_state=0).fit(ref).transform(img)
    half = SlicedOTTransfer(n_iter=1, step=0.5, random_state=0).fit(ref).transform(img)
    np.testing.assert_allclose(half - img, 0.5 * (full - img), atol=1e-5)


def test_seeding(pair):
    img, ref = pair
    a = SlicedOTTransfer(random_state=5).fit(ref).transform(img)
    b = SlicedOTTransfer(random_state=5).fit(ref).transform(img)
    c = SlicedOTTransfer(random_state=6).fit(ref).transform(img)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3


def test_generator_random_state_is_accepted(pair):
    img, ref = pair
    out = SlicedOTTransfer(random_state=np.random.default_rng(0)).fit(ref).transform(img)
    assert np.isfinite(out).all()


def test_directions_are_unit_and_orthogonal_in_triples():
    d = random_directions(3, 7, np.random.default_rng(0))
    assert d.shape == (3, 7, 3)
    np.testing.assert_allclose(np.linalg.norm(d, axis=-1), 1, atol=1e-12)
    np.testing.assert_allclose(d[0, :3] @ d[0, :3].T, np.eye(3), atol=1e-12)


def test_sort_kernel_equals_twin_and_quantiles():
    rng = np.random.default_rng(0)
    x = rng.random((5000, 3)).astype(np.float32)
    d = random_directions(1, 5, rng)[0]
    s = K.proj_sort(x, d)
    np.testing.assert_array_equal(s, K.np_proj_sort(x, d))
    q = _maps.quantiles_from_sorted(s)
    for j in range(5):
        np.testing.assert_allclose(q[j], np.quantile(s[j], _maps.levels()), atol=1e-12)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_dtypes_and_alpha(pair, dtype):
    img, ref = pair
    if np.dtype(dtype).kind == "u":
        m = np.iinfo(dtype).max
        img, ref = np.rint(img * m).astype(dtype), np.rint(ref * m).astype(dtype)
    else:
        img, ref = img.astype(dtype), ref.astype(dtype)
    alpha = np.full((*img.shape[:2], 1), img.flat[0], img.dtype)
    out = SlicedOTTransfer(random_state=0).fit(ref).transform(np.concatenate([img, alpha], -1))
    assert out.dtype == dtype and out.shape == (*img.shape[:2], 4)
    np.testing.assert_array_equal(out[..., 3:], alpha)


def test_masks(pair):
    img, ref = pair
    mask = np.zeros(img.shape[:2], np.float32)
    mask[8:24, 10:40] = 1.0
    out = apply_step(SlicedOTTransfer(random_state=0).fit(ref), img, mask=mask)
    np.testing.assert_array_equal(out[mask == 0], img[mask == 0])
    m = mask > 0
    assert sliced_wasserstein_lab(out[m][None], ref) <= 0.1 * sliced_wasserstein_lab(
        img[m][None], ref)


def test_lut_holds_the_same_mapping(pair):
    _, ref = pair
    img = (np.random.default_rng(0).integers(0, 3, (20, 30, 3)) / 2).astype(np.float32)
    est = SlicedOTTransfer(random_state=0).fit(ref)
    lut = est.to_lut(3, image=img)
    idx = np.rint(img * 2).astype(int)
    np.testing.assert_allclose(lut[idx[..., 0], idx[..., 1], idx[..., 2]],
                               est.transform(img), atol=1e-6)


def test_constant_and_one_pixel(pair):
    img, ref = pair
    const = SlicedOTTransfer(random_state=0).fit(ref).transform(np.full((5, 5, 3), 0.7))
    np.testing.assert_allclose(const, np.broadcast_to(ref.mean((0, 1)), const.shape),
                               atol=0.01)
    one = SlicedOTTransfer(random_state=0).fit(ref[:1, :1]).transform(img)
    np.testing.assert_allclose(one, np.broadcast_to(ref[0, 0], one.shape), atol=1e-5)
    assert SlicedOTTransfer().fit(ref).transform(img[:1, :1]).shape == (1, 1, 3)


def test_nan_and_bad_parameters(pair):
    img, ref = pair
    bad = img.copy()
    bad[1, 2, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SlicedOTTransfer().fit(ref).transform(bad)
    with pytest.raises(ValueError, match="step"):
        SlicedOTTransfer(step=0).fit(ref)
    with pytest.raises(ValueError, match="n_projections"):
        SlicedOTTransfer(0).fit(ref)
    with pytest.raises(TypeError, match="max_pixels"):
        SlicedOTTransfer(max_pixels=1e4).fit(ref)
    est = SlicedOTTransfer(12, 3, random_state=1)
    assert clone(est).get_params() == est.get_params()


def test_dispatch(pair):
    import chroma

    img, ref = pair
    out = chroma.transfer(img, ref, method="sot", random_state=0)
    np.testing.assert_array_equal(out, SlicedOTTransfer(random_state=0).fit(ref).transform(img))
