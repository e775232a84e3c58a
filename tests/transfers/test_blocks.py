"""chroma.transfers._blocks: moments in fixed pixel blocks, the same however they are fed."""

from __future__ import annotations

import numpy as np
import pytest

import chroma
from chroma.transfers._blocks import BLOCK, combine, lab_partials, mean_std, rgb_partials
from chroma.transfers.linear import _np_mean_cov


@pytest.fixture(scope="module")
def pixels():
    """A natural image's pixels, not a whole number of blocks (uint8, (N, 3))."""
    a = chroma.datasets.sample("astronaut")
    return np.ascontiguousarray(a.reshape(-1, 3)[: 3 * BLOCK + 1234])


@pytest.mark.parametrize("kind", ["rgb", "lab", "lalphabeta"])
def test_pieces_of_whole_blocks_give_the_same_numbers(pixels, kind):
    x = pixels.astype(np.float32) / 255

    def parts(chunk):
        if kind == "rgb":
            return rgb_partials(chunk, kernel=True)
        return lab_partials(chunk, None, 1.0, None, kind, kernel=True)

    whole = parts(x)
    fed = np.concatenate([parts(x[:BLOCK]), parts(x[BLOCK:3 * BLOCK]), parts(x[3 * BLOCK:])])
    np.testing.assert_array_equal(fed, whole)
    assert whole.shape[0] == 4 and whole[:, 0].sum() == len(x)
    # not a whole number of blocks: another partition, other last bits are allowed
    # (the Lab kernels sum no cross products: Reinhard needs the spread per channel)
    other = [parts(x[:1000]), parts(x[1000:])]
    for a, b in zip(mean_std(other), mean_std(whole)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_statistics_do_not_depend_on_the_number_of_threads(pixels):
    x = pixels.astype(np.float32) / 255
    sel = np.arange(len(x)) % 3 != 0
    got = []
    for threads in (1, 2):
        chroma.set_num_threads(threads)
        try:
            got.append((rgb_partials(x, sel, kernel=True),
                        lab_partials(pixels, sel, 1 / 255, None, "lab", kernel=True)))
        finally:
            chroma.set_num_threads(None)
    for a, b in zip(*got):
        np.testing.assert_array_equal(a, b)


def test_kernels_match_the_exact_formulas_and_regions_count_inside_blocks(pixels):
    sel = np.zeros(len(pixels), bool)
    sel[::7] = True
    sel[BLOCK:BLOCK + 10] = False  # a block whose first pixel is not in the region
    for scale, x in ((1 / 255, pixels), (1.0, pixels.astype(np.float64) / 255)):
        mean, cov = combine(rgb_partials(x, sel, scale, kernel=True))
        want_mean, want_cov = _np_mean_cov(pixels[sel] / 255)
        np.testing.assert_allclose(mean, want_mean, rtol=1e-12)
        np.testing.assert_allclose(cov, want_cov, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(combine(rgb_partials(x, sel, scale, kernel=False))[1],
                                   want_cov, rtol=1e-9, atol=1e-15)
    lab = np.empty((len(pixels), 3), np.float32)
    mean, std = mean_std(lab_partials(pixels, sel, 1.0, lab, "lab", kernel=True))
    want = chroma.convert(pixels[None], "rgb", "lab")[0]  # every pixel stored, region or not
    np.testing.assert_allclose(lab, want, atol=2e-3)
    np.testing.assert_allclose(mean, want[sel].mean(0), atol=1e-3)
    np.testing.assert_allclose(std, want[sel].std(0), atol=1e-3)
    tw_mean, tw_std = mean_std(lab_partials(pixels, sel, 1 / 255, None, "lab", kernel=False))
    np.testing.assert_allclose(tw_mean, mean, atol=1e-3)
    np.testing.assert_allclose(tw_std, std, atol=1e-3)


def test_a_constant_image_has_zero_spread_and_no_region_gives_zeros():
    x = np.full((2 * BLOCK + 5, 3), 0.3, np.float32)
    mean, cov = combine(rgb_partials(x, kernel=True))
    np.testing.assert_allclose(mean, 0.3, rtol=1e-7)
    assert np.all(cov == 0)
    mean, cov = combine(rgb_partials(x, np.zeros(len(x), bool), kernel=True))
    assert np.all(mean == 0) and np.all(cov == 0)


@pytest.mark.parametrize("method,kw", [("reinhard", {}), ("reinhard", {"space": "rgb"}),
                                       ("mkl", {})])
def test_transfers_still_impose_the_moments(method, kw):
    """The moments come from the blocks now (last bits differ from one sum): still imposed."""
    ref = chroma.datasets.sample("coffee")
    img = chroma.datasets.sample("astronaut")
    space = kw.get("space", "lab" if method == "reinhard" else "rgb")
    out = chroma.transfer(img.astype(np.float32) / 255, ref, method, **kw)

    def moments(a):
        p = chroma.convert(np.clip(a, 0, 1).astype(np.float64), "rgb", space).reshape(-1, 3)
        return p.mean(0), p.std(0)

    got, want = moments(out), moments(ref.astype(np.float64) / 255)
    np.testing.assert_allclose(got[0], want[0], atol=0.03 * (100 if space == "lab" else 1))
    np.testing.assert_allclose(got[1], want[1], rtol=0.12)


def test_the_kernels_refuse_overlapping_buffers(pixels):
    # their loop bodies are compiled with the arrays marked as not overlapping
    # (parallel.loop_body): an overlapping output would be undefined, so it is refused
    from chroma.transfers import _block_kernels as K
    from chroma.transfers import _reinhard_kernels as RK

    x = pixels.astype(np.float32) / 255
    with pytest.raises(ValueError, match="lab must not overlap x"):
        K.lab_blocks(x, np.zeros(0, bool), np.zeros(0), 1.0, x, BLOCK)
    lab = np.zeros_like(x)
    with pytest.raises(ValueError, match="out must not overlap lab"):
        RK.lab_affine_to_srgb(lab, np.ones(3), np.zeros(3), np.zeros(0, np.float32), lab,
                              1.0, False)
    out = np.empty_like(x)  # distinct buffers still work
    RK.lab_affine_to_srgb(lab, np.ones(3), np.zeros(3), np.zeros(0, np.float32), out, 1.0, False)
    assert np.isfinite(out).all()
