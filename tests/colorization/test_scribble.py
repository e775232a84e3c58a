import subprocess
import sys

import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, lab2rgb, rgb2lab

import chroma
from chroma.colorization import scribble as scribble_mod
from chroma.colorization.hints import Hints, sample_hints
from chroma.colorization.scribble import scribble_colorize

SCALE = {np.uint8: 255, np.uint16: 65535, np.float32: 1, np.float64: 1}


def _truth(h=32, w=48, seed=0):
    """A smooth, colorful, in-gamut test photo (float64 RGB) and its gray version."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    lab = np.stack(
        [
            45 + 25 * np.sin(3 * xx + 2 * yy) + rng.normal(0, 0.5, (h, w)),
            25 * np.cos(4 * yy),
            25 * np.sin(3 * xx) - 5,
        ],
        axis=-1,
    )
    truth = np.clip(lab2rgb(lab), 0, 1)
    l_only = rgb2lab(truth)[..., 0]
    gray = lab2rgb(np.stack([l_only, 0 * l_only, 0 * l_only], -1))[..., 0]
    return truth, gray


def _as(x, dtype):
    if dtype in (np.uint8, np.uint16):
        return np.rint(x * SCALE[dtype]).astype(dtype)
    return x.astype(dtype)


def _lab(out):
    x = np.asarray(out)
    x = x / SCALE[x.dtype.type] if x.dtype.kind == "u" else x.astype(np.float64)
    return rgb2lab(x[..., :3])


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_hint_pixels_get_hint_color_and_lightness_is_kept(dtype):
    truth, gray = _truth()
    hints = sample_hints(truth, 15, random_state=0)
    img = _as(gray, dtype)
    out = scribble_colorize(img, hints)
    assert out.dtype == dtype and out.shape == (*gray.shape, 3)
    lab_out = _lab(out)
    hint_lab = rgb2lab(hints.rgb[None].astype(np.float64))[0]
    de = deltaE_ciede2000(lab_out[hints.rows, hints.cols], hint_lab)
    assert de.max() < 5, de.max()
    atol = {np.uint8: 0.6, np.uint16: 0.02, np.float32: 0.01, np.float64: 0.01}[dtype]
    l_in = rgb2lab(np.repeat(np.asarray(img, np.float64)[..., None] / SCALE[dtype], 3, -1))
    np.testing.assert_allclose(lab_out[..., 0], l_in[..., 0], atol=atol)


def test_more_hints_bring_output_closer_to_truth():
    truth, gray = _truth(seed=2)
    err = []
    for n in (0, 3, 30, 300):
        out = scribble_colorize(gray, sample_hints(truth, n, random_state=1))
        err.append(np.mean(deltaE_ciede2000(rgb2lab(out), rgb2lab(truth))))
    assert err[0] > err[1] > err[2] > err[3], err


def test_edges_stop_propagation():
    # two flat halves of different lightness, one hint in each: each half takes its hint
    gray = np.full((20, 30), 0.3)
    gray[:, 15:] = 0.7
    red, blue = (150, 90, 90), (100, 120, 160)  # in gamut at both lightnesses
    out = scribble_colorize(gray, [(2, 10, red), (27, 10, blue)])
    lab = rgb2lab(out)
    left = rgb2lab(np.array(red, float)[None, None] / 255)[0, 0]
    right = rgb2lab(np.array(blue, float)[None, None] / 255)[0, 0]
    # the hint's a*b* at the half's own lightness
    np.testing.assert_allclose(lab[:, :14, 1:], np.broadcast_to(left[1:], (20, 14, 2)), atol=1.5)
    np.testing.assert_allclose(lab[:, 16:, 1:], np.broadcast_to(right[1:], (20, 14, 2)), atol=1.5)


@pytest.mark.parametrize(("h", "w"), [(7, 9), (2, 6), (5, 2), (1, 6), (6, 1)])
def test_solution_satisfies_levin_equations_naive_reference(h, w):
    # an independent dense implementation of Levin's system with a global sigma:
    # U(r) = sum_s w_rs U(s), w_rs = k_rs / sum_s k_rs, k_rs = exp(-(Y_r-Y_s)^2 / (2 s^2))
    rng = np.random.default_rng(5)
    gray = 0.3 + 0.4 * rng.random((h, w))
    p, q = (min(1, w - 1), min(1, h - 1)), (w - 1, h - 1)  # (x, y) of the two hints
    hints = Hints.from_points([(*p, (150, 120, 100)), (*q, (100, 120, 150))])
    sigma = 10.0  # L* units
    out = scribble_colorize(gray, hints, sigma=sigma, solver="direct")
    y = rgb2lab(np.repeat(gray[..., None], 3, -1))[..., 0] / 100
    s = sigma / 100
    n = h * w
    a = np.zeros((n, n))
    known = {(p[1], p[0]): 0, (q[1], q[0]): 1}
    b = np.zeros((n, 2))
    for r in range(h):
        for c in range(w):
            i = r * w + c
            if (r, c) in known:
                a[i, i] = 1
                b[i] = hints.ab[known[r, c]]
                continue
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    rr, cc = r + dr, c + dc
                    if (dr or dc) and 0 <= rr < h and 0 <= cc < w:
                        k = max(np.exp(-((y[r, c] - y[rr, cc]) ** 2) / (2 * s * s)), 1e-6)
                        a[i, i] += k
                        a[i, rr * w + cc] -= k
    ab = np.linalg.solve(a, b).reshape(h, w, 2)
    np.testing.assert_allclose(rgb2lab(out)[..., 1:], ab, atol=0.05)


@pytest.mark.parametrize("solver", ["multigrid", "amg"])
def test_iterative_solvers_agree_with_direct(solver, monkeypatch):
    if solver == "amg":
        pytest.importorskip("pyamg")
    monkeypatch.setattr(scribble_mod, "_COARSEST", 200)  # force several multigrid levels
    truth, gray = _truth(40, 60, seed=3)
    hints = sample_hints(truth, 25, random_state=2)
    exact = scribble_colorize(gray, hints, solver="direct")
    approx = scribble_colorize(gray, hints, solver=solver, tol=1e-7, max_iter=5000)
    de = deltaE_ciede2000(rgb2lab(exact), rgb2lab(approx))
    assert de.max() < 0.5, de.max()


def test_no_hints_gives_gray_and_disk_radius():
    _, gray = _truth()
    out = scribble_colorize(gray, [])
    np.testing.assert_allclose(rgb2lab(out)[..., 1:], 0, atol=0.02)
    out = scribble_colorize(gray, [(10, 10, (200, 50, 50)), (40, 20, (50, 50, 200))], radius=2)
    lab = rgb2lab(out)
    hint_ab = Hints.from_points([(0, 0, (200, 50, 50))]).ab[0]
    disk = np.hypot(*np.mgrid[-2:3, -2:3]) ** 2 <= 5
    chroma_scale = np.hypot(*lab[8:13, 8:13, 1:][disk].T) / np.hypot(*hint_ab)
    hue = np.arctan2(lab[8:13, 8:13, 2][disk], lab[8:13, 8:13, 1][disk])
    # the whole disk is fixed to the hint's a*b* (less chroma only where out of gamut)
    np.testing.assert_allclose(hue, np.arctan2(hint_ab[1], hint_ab[0]), atol=0.02)
    assert (chroma_scale <= 1.001).all() and (chroma_scale > 0.3).all()


def test_hard_mask_outside_gray_and_lightness_kept():
    truth, gray = _truth()
    mask = np.zeros(gray.shape, bool)
    mask[:, :20] = True
    hints = sample_hints(truth, 20, random_state=4)
    out = chroma.colorize(gray, method="scribble", hints=hints, mask=mask)
    free = scribble_colorize(gray, hints)
    lab = rgb2lab(out)
    np.testing.assert_allclose(lab[~mask][:, 1:], 0, atol=0.02)
    np.testing.assert_allclose(out[mask], free[mask], atol=1e-6)
    l_in = rgb2lab(np.repeat(gray[..., None], 3, -1))[..., 0]
    np.testing.assert_allclose(lab[..., 0], l_in, atol=0.01)
    # a soft mask blends in linear light: the lightness stays, the chroma is in between
    soft = chroma.colorize(gray, method="scribble", hints=hints, mask=np.full(gray.shape, 0.5))
    np.testing.assert_allclose(rgb2lab(soft)[..., 0], l_in, atol=0.01)
    c_soft, c_free = (np.hypot(*np.moveaxis(rgb2lab(x)[..., 1:], -1, 0)) for x in (soft, free))
    colorful = c_free > 5
    assert (c_soft[colorful] < c_free[colorful]).all() and (c_soft[colorful] > 0.2 * c_free[
        colorful]).all()
    np.testing.assert_allclose(  # close to half the a*b* (linear light is not Lab)
        rgb2lab(soft)[..., 1:], 0.5 * rgb2lab(free)[..., 1:], atol=6
    )


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float16])
def test_alpha_channel_axis_and_color_input(dtype):
    truth, gray = _truth(16, 20)
    rgba = np.concatenate([truth, np.linspace(0, 1, 320).reshape(16, 20, 1)], -1)
    img = _as(rgba, np.float32 if dtype == np.float16 else dtype)
    if dtype == np.float16:
        img = img.astype(np.float16)
    hints = [(3, 4, "#c05050")]
    out = scribble_colorize(img, hints)
    want = np.float32 if dtype == np.float16 else dtype
    assert out.dtype == want and out.shape == (16, 20, 4)
    np.testing.assert_array_equal(out[..., 3], img[..., 3].astype(want))
    # a color input is read by its lightness: same result as its gray version
    gray_out = scribble_colorize(_as(np.dstack([gray] * 3), np.float64), hints)
    if dtype in (np.float32,):
        np.testing.assert_allclose(out[..., :3], gray_out, atol=2e-3)
    moved = scribble_colorize(np.moveaxis(img, -1, 0), hints, channel_axis=0)
    np.testing.assert_array_equal(np.moveaxis(moved, 0, -1), out)
    gray2d = scribble_colorize(_as(gray, np.float32), hints)
    assert gray2d.shape == (16, 20, 3)
    assert not np.shares_memory(out, img)


def test_scribble_image_hints():
    _, gray = _truth()
    s = np.zeros((*gray.shape, 4), np.uint8)
    s[5:8, 5:30] = (200, 60, 60, 255)  # a red stroke
    s[25:28, 20:45] = (60, 60, 200, 255)  # a blue stroke
    out = scribble_colorize(gray, s)
    lab = rgb2lab(out)
    assert lab[6, 10, 1] > 20  # red: a* > 0
    assert lab[26, 30, 2] < -20  # blue: b* < 0


def test_errors():
    gray = np.zeros((8, 8))
    with pytest.raises(ValueError, match="solver"):
        scribble_colorize(gray, [], solver="cholmod")
    with pytest.raises(ValueError, match="sigma"):
        scribble_colorize(gray, [], sigma=-1)
    with pytest.raises(ValueError, match="outside the image"):
        scribble_colorize(gray, [(8, 0, "#fff")])
    with pytest.raises(ValueError, match="height and width"):
        chroma.colorize(gray, method="scribble", hints=[], mask=np.ones((4, 4)))
    with pytest.raises(TypeError, match="radius"):
        scribble_colorize(gray, [], radius=1.5)
    with pytest.raises(TypeError, match="hints"):
        scribble_colorize(gray, 3)


def test_runs_with_torch_blocked():
    code = """
import sys

class BlockTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("torch is blocked in this test")

sys.meta_path.insert(0, BlockTorch())
import numpy as np
from chroma.colorization.scribble import scribble_colorize
from chroma.colorization.welsh import welsh_colorize
import chroma
rng = np.random.default_rng(0)
gray = rng.random((24, 32)).astype(np.float32)
ref = (rng.random((20, 20, 3)) * 255).astype(np.uint8)
a = scribble_colorize(gray, [(1, 2, "#ff0000")])
b = welsh_colorize(gray, ref, random_state=0)
c = chroma.colorize(gray, method="scribble", hints=[(1, 2, "#ff0000")])
d = chroma.colorize(gray, method="welsh", reference=ref, random_state=0)
assert np.array_equal(a, c) and np.array_equal(b, d)
assert "torch" not in sys.modules
print("ok", a.shape, b.shape)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok")
