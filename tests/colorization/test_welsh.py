import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, lab2rgb, rgb2lab

import chroma
from chroma.colorization import _guided, _welsh_kernels
from chroma.colorization.welsh import (
    _jittered_sample,
    _local_std,
    _match_numpy,
    _welsh_ab,
    welsh_colorize,
)
from chroma.spaces.gamut import into_gamut

SCALE = {np.uint8: 255, np.uint16: 65535, np.float32: 1, np.float64: 1}


def _photo(h=32, w=48, seed=0):
    """A textured, colorful, in-gamut test photo (float64 RGB) and its gray version."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    lab = np.stack(
        [
            50 + 20 * np.sin(5 * xx) * np.cos(3 * yy) + 3 * rng.normal(size=(h, w)) * (xx > 0.5),
            20 * np.cos(4 * yy + xx),
            20 * np.sin(5 * xx) - 5,
        ],
        axis=-1,
    )
    rgb = np.clip(lab2rgb(lab), 0, 1)
    light = rgb2lab(rgb)[..., 0]
    gray = lab2rgb(np.stack([light, 0 * light, 0 * light], -1))[..., 0]
    return rgb, gray


def _lab(out):
    x = np.asarray(out)
    x = x / SCALE[x.dtype.type] if x.dtype.kind == "u" else x.astype(np.float64)
    return rgb2lab(x[..., :3])


def test_output_ab_comes_from_the_reference_sample_and_is_the_best_match():
    ref, _ = _photo(30, 40, seed=1)
    _, gray = _photo(24, 36, seed=2)
    light = rgb2lab(np.repeat(gray[..., None], 3, -1))[..., 0].astype(np.float32)
    ref32 = ref.astype(np.float32)
    rng = np.random.default_rng(0)
    ab, rows, cols, idx = _welsh_ab(light, ref32, None, 50, 5, 0.5, rng, "numba")
    ref_lab = rgb2lab(ref32.astype(np.float64))
    # every target pixel carries the a*b* of the sample it was matched to
    np.testing.assert_allclose(ab, ref_lab[rows[idx], cols[idx], 1:], atol=2e-3)
    # ... and that sample minimizes the paper's 50/50 distance, recomputed here from scratch
    ref_l = ref_lab[..., 0]
    ref_l = (ref_l - ref_l.mean()) * light.std() / ref_l.std() + light.mean()
    pad = np.pad(ref_l, 2, mode="symmetric")
    win = np.lib.stride_tricks.sliding_window_view(pad, (5, 5))
    ref_sd = win.std(axis=(-1, -2))
    tpad = np.pad(light.astype(np.float64), 2, mode="symmetric")
    t_sd = np.lib.stride_tricks.sliding_window_view(tpad, (5, 5)).std(axis=(-1, -2))
    d = 0.5 * (light[..., None] - ref_l[rows, cols]) ** 2 + 0.5 * (
        t_sd[..., None] - ref_sd[rows, cols]
    ) ** 2
    best = d.min(-1)
    chosen = np.take_along_axis(d, idx[..., None], -1)[..., 0]
    np.testing.assert_allclose(chosen, best, rtol=1e-3, atol=1e-2)
    # public output: same a*b* where in gamut, the target's lightness everywhere
    out = welsh_colorize(gray, ref, n_samples=50, random_state=0)
    lab = rgb2lab(out)
    np.testing.assert_allclose(lab[..., 0], light, atol=0.01)
    lab_in = np.dstack([light, ab]).astype(np.float32)
    inside = (into_gamut(lab_in) == lab_in).all(-1)  # colors the gamut map leaves alone
    t = np.where(inside, 1, 0)
    assert (t == 1).mean() > 0.9
    np.testing.assert_allclose(lab[t == 1][:, 1:], ab[t == 1], atol=0.05)


def test_reference_pixels_only_colors():
    # a reference of 4 flat colors: every output pixel has one of their a*b*
    colors = np.array([[140, 100, 90], [90, 130, 110], [110, 110, 150], [150, 140, 90]]) / 255
    ref = np.zeros((20, 20, 3))
    ref[:10, :10], ref[:10, 10:], ref[10:, :10], ref[10:, 10:] = colors
    ref += np.random.default_rng(0).normal(0, 0.05, (20, 20, 1))  # lightness texture
    ref = np.clip(ref, 0, 1)
    _, gray = _photo()
    out = welsh_colorize(0.3 + 0.4 * gray, ref, random_state=1)
    out_ab = rgb2lab(out)[..., 1:].reshape(-1, 1, 2)
    ref_ab = rgb2lab(ref)[..., 1:].reshape(1, -1, 2)
    nearest = np.sqrt(((out_ab - ref_ab) ** 2).sum(-1)).min(1)
    assert nearest.max() < 0.05


def test_self_reference_recovers_colors():
    # colorizing a photo's gray version from the photo itself beats leaving it gray
    truth, gray = _photo(40, 60, seed=3)
    out = welsh_colorize(gray, truth, random_state=0)
    lab_t = rgb2lab(truth)
    de_out = deltaE_ciede2000(rgb2lab(out), lab_t).mean()
    de_gray = deltaE_ciede2000(rgb2lab(np.repeat(gray[..., None], 3, -1)), lab_t).mean()
    assert de_out < 0.7 * de_gray, (de_out, de_gray)


def test_seeded_determinism():
    ref, gray = _photo(seed=4)
    a = welsh_colorize(gray, ref, random_state=7)
    b = welsh_colorize(gray, ref, random_state=7)
    c = welsh_colorize(gray, ref, random_state=8, n_samples=20)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_match_kernel_equals_numpy_twin():
    rng = np.random.default_rng(0)
    tl, tsd = rng.random(5000) * 100, rng.random(5000) * 10
    sl, ssd = rng.random(200) * 100, rng.random(200) * 10
    sl[5] = sl[6]  # a tie: both pick the lower index
    ssd[5] = ssd[6]
    for w in (0.0, 0.5, 1.0):
        np.testing.assert_array_equal(
            _welsh_kernels.match(tl, tsd, sl, ssd, w), _match_numpy(tl, tsd, sl, ssd, w, 777)
        )
    ref, gray = _photo(seed=5)
    a = welsh_colorize(gray, ref, random_state=3, backend="numba")
    b = welsh_colorize(gray, ref, random_state=3, backend="numpy")
    np.testing.assert_array_equal(a, b)


def test_compose_keeps_lightness_and_hue():
    rng = np.random.default_rng(1)
    lab = np.column_stack(
        [rng.uniform(0, 100, 3000), rng.uniform(-120, 120, 3000), rng.uniform(-120, 120, 3000)]
    ).astype(np.float32)
    inside = (into_gamut(lab) == lab).all(-1)
    assert 0 < inside.mean() < 1  # both in-gamut and out-of-gamut colors were tested
    rgb = _guided.compose(lab[:, 0].reshape(50, 60), lab[:, 1:].reshape(50, 60, 2))
    back = rgb2lab(rgb.astype(np.float64)).reshape(-1, 3)
    np.testing.assert_allclose(back[:, 0], lab[:, 0], atol=0.02)
    # hue kept where chroma remains (a gray result has no hue)
    c = np.hypot(back[:, 1], back[:, 2])
    keep = c > 2
    hue_in = np.arctan2(lab[keep, 2], lab[keep, 1])
    hue_out = np.arctan2(back[keep, 2], back[keep, 1])
    np.testing.assert_allclose(np.angle(np.exp(1j * (hue_out - hue_in))), 0, atol=0.05)


def test_local_std_matches_sliding_window():
    x = np.random.default_rng(2).random((9, 11)) * 100
    pad = np.pad(x, 2, mode="symmetric")
    want = np.lib.stride_tricks.sliding_window_view(pad, (5, 5)).std(axis=(-1, -2))
    np.testing.assert_allclose(_local_std(x, 5), want, atol=1e-6)
    assert (_local_std(x, 1) == 0).all()


def test_jittered_sample_is_stratified_and_respects_mask():
    rng = np.random.default_rng(0)
    rows, cols = _jittered_sample(np.ones((100, 150), bool), 200, rng)
    assert len(rows) == 200
    assert len(set(zip(rows.tolist(), cols.tolist()))) == 200
    # stratified: every 25x25 block holds some samples
    counts = np.zeros((4, 6), int)
    np.add.at(counts, (rows // 25, cols // 25), 1)
    assert counts.min() >= 3
    valid = np.zeros((100, 150), bool)
    valid[10:20, 30:40] = True
    r, c = _jittered_sample(valid, 50, rng)
    assert len(r) == 50 and valid[r, c].all()
    r, c = _jittered_sample(valid, 500, rng)  # more than there are: all of them
    assert len(r) == 100


def test_reference_mask_limits_the_colors():
    ref = np.zeros((20, 40, 3))
    ref[:, :20] = (0.7, 0.3, 0.3)  # red half
    ref[:, 20:] = (0.3, 0.3, 0.7)  # blue half
    ref *= np.linspace(0.6, 1.2, 20)[:, None, None]  # lightness variation
    ref = np.clip(ref, 0, 1)
    _, gray = _photo()
    m = np.zeros((20, 40), bool)
    m[:, 20:] = True
    out = rgb2lab(welsh_colorize(gray, ref, reference_mask=m, random_state=0))
    assert (out[..., 2] < -5).all()  # all blue
    out = rgb2lab(welsh_colorize(gray, ref, reference_mask=~m, random_state=0))
    assert (out[..., 1] > 5).all()  # all red
    with pytest.raises(ValueError, match="selects no pixel"):
        welsh_colorize(gray, ref, reference_mask=np.zeros((20, 40)))


def test_hard_mask_outside_gray_lightness_kept():
    ref, gray = _photo(seed=6)
    mask = np.zeros(gray.shape, bool)
    mask[8:24, 10:30] = True
    out = chroma.colorize(gray, method="welsh", reference=ref, mask=mask, random_state=0)
    free = welsh_colorize(gray, ref, random_state=0)
    lab = rgb2lab(out)
    np.testing.assert_allclose(lab[~mask][:, 1:], 0, atol=0.02)
    np.testing.assert_allclose(out[mask], free[mask], atol=1e-6)
    l_in = rgb2lab(np.repeat(gray[..., None], 3, -1))[..., 0]
    np.testing.assert_allclose(lab[..., 0], l_in, atol=0.01)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float16, np.float32, np.float64])
def test_dtype_alpha_channel_axis(dtype):
    ref, gray = _photo(16, 24, seed=7)
    alpha = np.linspace(0, 1, 16 * 24).reshape(16, 24, 1)
    ga = np.concatenate([gray[..., None], alpha], -1)  # gray + alpha
    img = (np.rint(ga * SCALE[dtype]) if dtype in (np.uint8, np.uint16) else ga).astype(dtype)
    ref8 = np.rint(ref * 255).astype(np.uint8)
    out = welsh_colorize(img, ref8, random_state=0)
    want = np.float32 if dtype == np.float16 else dtype
    assert out.dtype == want and out.shape == (16, 24, 4)
    np.testing.assert_array_equal(out[..., 3], img[..., 1].astype(want))
    atol = {np.uint8: 0.6, np.uint16: 0.02}.get(dtype, 0.05 if dtype == np.float16 else 0.01)
    l_in = _lab(np.repeat(img[..., :1], 3, -1))[..., 0]
    np.testing.assert_allclose(_lab(out)[..., 0], l_in, atol=atol)
    moved = welsh_colorize(np.moveaxis(img, -1, 0), np.moveaxis(ref8, -1, 0), channel_axis=0,
                           random_state=0)
    np.testing.assert_array_equal(np.moveaxis(moved, 0, -1), out)
    # a color target is read by its lightness; the caller's arrays are untouched
    before = ref8.copy()
    color = welsh_colorize(ref8, ref8, random_state=0)
    np.testing.assert_array_equal(ref8, before)
    assert color.shape == ref8.shape


def test_errors():
    ref, gray = _photo(8, 8)
    with pytest.raises(ValueError, match="odd"):
        welsh_colorize(gray, ref, window=4)
    with pytest.raises(ValueError, match="n_samples"):
        welsh_colorize(gray, ref, n_samples=0)
    with pytest.raises(TypeError, match="n_samples"):
        welsh_colorize(gray, ref, n_samples=2.5)
    with pytest.raises(ValueError, match="weight"):
        welsh_colorize(gray, ref, weight=2)
    with pytest.raises(ValueError, match="backend"):
        welsh_colorize(gray, ref, backend="cuda")
    with pytest.raises(ValueError, match="reference_mask"):
        welsh_colorize(gray, ref, reference_mask=np.ones((3, 3)))
    with pytest.raises(TypeError, match="reference"):
        welsh_colorize(gray, "ref.png")
