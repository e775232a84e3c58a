"""Quantized a*b* bins, soft encoding, prior, rebalancing and the annealed mean."""

import numpy as np
import pytest

from chroma.colorization.bins import (
    ab_bins,
    annealed_mean,
    encode_hard,
    encode_soft,
    prior_from_counts,
    rebalance_weights,
)
from chroma.spaces import convert


def test_bins_are_the_in_gamut_grid_cells():
    bins = ab_bins()
    # Zhang et al. report 313 cells for their gamut; sRGB (D65) covers ~262
    assert 250 <= len(bins) <= 320
    assert np.all(bins % 10 == 0)
    assert len(np.unique(bins, axis=0)) == len(bins)
    # every random sRGB color falls in (within half a cell of) some bin
    rng = np.random.default_rng(0)
    ab = convert(rng.random((5000, 3)), "rgb", "lab")[:, 1:]
    idx = encode_hard(ab, bins)
    assert np.abs(ab - bins[idx]).max() <= 5.0 + 1e-4
    # and a cell far outside sRGB is not a bin
    assert not ((bins[:, 0] == -120) & (bins[:, 1] == 120)).any()


def test_nearest_bin_of_a_center_is_itself():
    bins = ab_bins()
    np.testing.assert_array_equal(encode_hard(bins, bins), np.arange(len(bins)))


def test_soft_encoding_sums_to_one_and_peaks_at_nearest():
    rng = np.random.default_rng(1)
    ab = rng.uniform(-60, 60, size=(7, 9, 2))
    z = encode_soft(ab)
    assert z.shape == (7, 9, len(ab_bins()))
    np.testing.assert_allclose(z.sum(-1), 1.0, atol=1e-6)
    assert ((z > 0).sum(-1) == 5).all()
    np.testing.assert_array_equal(z.argmax(-1), encode_hard(ab))
    # Gaussian weights: a pixel on a bin center gives it weight 1 / (1 + 4 e^-2) with
    # 4 neighbours at distance 10 (sigma = 5), the 5th at 10*sqrt(2)
    center = ab_bins()[100]
    zc = encode_soft(center)
    expect = 1 / (1 + 4 * np.exp(-2.0))
    assert zc.max() == pytest.approx(expect, rel=0.02)


def test_rebalancing_weights_have_expectation_one_under_the_prior():
    rng = np.random.default_rng(2)
    bins = ab_bins()
    counts = rng.gamma(0.3, size=len(bins)) * 100
    prior = prior_from_counts(counts, bins)
    assert prior.sum() == pytest.approx(1.0)
    assert (prior > 0).all()
    w = rebalance_weights(prior)
    assert (w * prior).sum() == pytest.approx(1.0)
    # rarer bins weigh more, and lam=1 gives uniform weights
    assert np.all(np.diff(w[np.argsort(prior)]) <= 1e-12)
    np.testing.assert_allclose(rebalance_weights(prior, lam=1.0), 1.0)
    with pytest.raises(ValueError, match="lam"):
        rebalance_weights(prior, lam=1.5)


def test_prior_rejects_bad_counts():
    with pytest.raises(ValueError, match="shape"):
        prior_from_counts(np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        prior_from_counts(-np.ones(len(ab_bins())))


def test_annealed_mean_interpolates_between_mean_and_mode():
    bins = ab_bins()
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.full(len(bins), 0.1), size=4)
    np.testing.assert_allclose(annealed_mean(p, temperature=1.0), p @ bins, atol=1e-3)
    mode = bins[p.argmax(-1)]
    np.testing.assert_allclose(annealed_mean(p, temperature=1e-4), mode, atol=1e-2)
    # colder is more saturated on average
    c = [np.hypot(*annealed_mean(p, temperature=t).T).mean() for t in (1.0, 0.5, 0.1)]
    assert c[0] < c[1] < c[2]
    with pytest.raises(ValueError, match="temperature"):
        annealed_mean(p, temperature=0)
