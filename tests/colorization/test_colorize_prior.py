"""The shipped CNN prior: lightness kept, dtype/alpha kept, colorful, hash-checked."""

import json
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import chroma  # noqa: E402
from chroma._core.validate import NotFittedError  # noqa: E402
from chroma.colorization import Colorizer, colorize, colorize_prior, load_weights  # noqa: E402
from chroma.colorization._infer import DEFAULT_WEIGHTS, record_path, sha256_file  # noqa: E402
from chroma.datasets import sample  # noqa: E402
from chroma.spaces import convert  # noqa: E402


def _gray_of(rgb_u8: np.ndarray) -> np.ndarray:
    """uint8 gray image (R = G = B) with about the lightness of `rgb_u8`, 2-D."""
    lab = convert(rgb_u8, "rgb", "lab")
    lab[..., 1:] = 0
    return np.rint(convert(lab, "lab", "rgb")[..., 0] * 255).astype(np.uint8)


@pytest.fixture(scope="module")
def gray():
    return _gray_of(sample("coffee")[::6, ::6])  # 67 x 100


def _lightness(img):
    x = img.astype(np.float32)
    if img.dtype == np.uint8:
        x /= 255
    elif img.dtype == np.uint16:
        x /= 65535
    if x.ndim == 2:
        x = np.repeat(x[..., None], 3, -1)
    return convert(x[..., :3], "rgb", "lab")[..., 0]


def test_shipped_weights_match_their_record():
    rec = json.loads(record_path(DEFAULT_WEIGHTS).read_text())
    assert rec["sha256"] == sha256_file(DEFAULT_WEIGHTS)
    assert DEFAULT_WEIGHTS.stat().st_size <= 5 * 2**20
    model = load_weights()
    assert model is load_weights()  # cached
    n_params = sum(p.numel() for p in model.net.parameters())
    assert n_params <= 2_000_000
    assert model.prior.shape == (len(model.bins),)
    assert model.prior.sum() == pytest.approx(1.0, abs=1e-4)


def test_output_is_colorful_and_keeps_lightness(gray):
    out = colorize(gray)
    assert out.shape == (*gray.shape, 3) and out.dtype == np.uint8
    chroma_ = convert(out, "rgb", "lch")[..., 1]
    assert chroma_.mean() > 4.0  # not gray (a gray image has C* = 0)
    # lightness kept up to 8-bit rounding of the output
    np.testing.assert_allclose(_lightness(out), _lightness(gray), atol=0.75)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint16])
def test_float_and_16_bit_keep_lightness_tightly(gray, dtype):
    scale = {np.uint16: 65535}.get(dtype, 1 / 255)
    if dtype == np.uint16:
        img = (gray.astype(np.uint32) * 257).astype(np.uint16)
    else:
        img = (gray / 255.0).astype(dtype)
    del scale
    out = colorize(img)
    assert out.dtype == dtype
    tol = 0.02 if dtype == np.uint16 else 1e-3
    np.testing.assert_allclose(_lightness(out), _lightness(img), atol=tol)


def test_alpha_and_channel_axis_are_kept(gray):
    rng = np.random.default_rng(0)
    alpha = rng.integers(0, 256, gray.shape, dtype=np.uint8)
    ga = np.stack([gray, alpha], axis=-1)
    out = colorize(ga)
    assert out.shape == (*gray.shape, 4)
    np.testing.assert_array_equal(out[..., 3], alpha)
    np.testing.assert_array_equal(out[..., :3], colorize(gray))
    first = colorize(np.moveaxis(ga, -1, 0), channel_axis=0)
    assert first.shape == (4, *gray.shape)
    np.testing.assert_array_equal(np.moveaxis(first, 0, -1), out)


def test_color_input_is_colorized_from_its_lightness():
    rgb = sample("chelsea")[::6, ::6]
    g = np.repeat(_gray_of(rgb)[..., None], 3, -1)
    # same lightness, different colors in: (almost) the same colors out
    a = colorize(rgb.astype(np.float32) / 255)
    b = colorize(g.astype(np.float32) / 255)
    la, lb = convert(a, "rgb", "lab"), convert(b, "rgb", "lab")
    np.testing.assert_allclose(la[..., 0], _lightness(rgb), atol=1e-3)
    assert np.abs(la[..., 1:] - lb[..., 1:]).mean() < 2.0


def test_input_is_not_modified(gray):
    img = np.repeat(gray[..., None], 3, -1)
    before = img.copy()
    colorize(img)
    np.testing.assert_array_equal(img, before)


@pytest.mark.parametrize(("vibrancy", "correction"), [(0.0, 0.85), (0.62, 0.0), (0.9, 1.0)])
def test_decoding_is_the_corrected_annealed_mean(vibrancy, correction):
    # reference: numpy annealed mean (chroma.colorization.bins) of the network's distribution
    # divided by the rebalancing weights ** correction, at T = 1 - vibrancy
    from chroma.colorization._infer import predict_ab
    from chroma.colorization._net import make_input
    from chroma.colorization.bins import annealed_mean, rebalance_weights

    model = load_weights()
    rng = np.random.default_rng(0)
    lum = (100 * rng.random((64, 96))).astype(np.float32)
    lum = (lum + np.roll(lum, 1, 0) + np.roll(lum, 1, 1)) / 3  # some structure
    with torch.no_grad():
        logits = model.net(torch.from_numpy(make_input(lum)),
                           torch.zeros(1, len(model.bins)))[0].double().numpy()
    p = np.exp(logits - logits.max(0))
    p /= p.sum(0)
    p /= rebalance_weights(model.prior)[:, None, None] ** correction
    p /= p.sum(0)
    want = annealed_mean(p, model.bins, temperature=1 - vibrancy, axis=0)
    got = predict_ab(model, lum, temperature=1 - vibrancy, correction=correction, side=64,
                     out_shape=logits.shape[1:])
    np.testing.assert_allclose(got, want, atol=0.05)


def test_vibrancy_changes_the_colors(gray):
    a = convert(colorize(gray, vibrancy=0.0), "rgb", "lab")
    b = convert(colorize(gray, vibrancy=0.9), "rgb", "lab")
    assert np.abs(a[..., 1:] - b[..., 1:]).mean() > 0.5


def test_prior_correction_tames_the_rebalancing_bias(gray):
    # training with rebalancing favors rare (saturated) bins; undoing it lowers chroma
    c = [convert(colorize(gray, prior_correction=a), "rgb", "lch")[..., 1].mean()
         for a in (0.0, 1.0)]
    assert c[0] > c[1]
    with pytest.raises(ValueError, match="prior_correction"):
        colorize(gray, prior_correction=2.0)


def test_mask_and_strength_blend_chroma_only(gray):
    full = colorize(gray, vibrancy=0.7)
    rows = np.zeros(gray.shape, bool)
    rows[: gray.shape[0] // 2] = True
    half = colorize(gray, vibrancy=0.7, mask=rows)
    np.testing.assert_array_equal(half[rows], full[rows])
    outside = half[~rows].astype(int)
    assert np.abs(outside - outside[..., :1]).max() <= 1  # gray stays gray outside
    none = colorize(gray, strength=0.0)
    assert np.abs(none.astype(int) - gray[..., None]).max() <= 1
    h = convert(colorize(gray, vibrancy=0.7, strength=0.5), "rgb", "lab")
    f = convert(full, "rgb", "lab")
    ratio = np.hypot(*h[..., 1:].reshape(-1, 2).T).mean() / np.hypot(
        *f[..., 1:].reshape(-1, 2).T).mean()
    assert 0.4 < ratio < 0.6


def test_hints_and_reference_steer_the_colors(gray):
    base = convert(colorize(gray, vibrancy=0.7), "rgb", "lab")
    h, w = gray.shape
    pts = [(x, y, "#2060ff") for y in range(5, h, 12) for x in range(5, w, 12)]
    hinted = convert(colorize(gray, vibrancy=0.7, hints=pts), "rgb", "lab")
    blue = convert(np.array([[0x20, 0x60, 0xFF]], np.uint8), "rgb", "lab")[0, 1:]
    # the hints pull a*b* toward the hint color (blue: b* < 0)
    d0 = np.linalg.norm(base[..., 1:] - blue, axis=-1).mean()
    d1 = np.linalg.norm(hinted[..., 1:] - blue, axis=-1).mean()
    assert d1 < d0
    ref = np.zeros((20, 20, 3), np.uint8)
    ref[..., 1] = 200  # an all-green reference
    guided = convert(colorize(gray, vibrancy=0.7, reference=ref), "rgb", "lab")
    assert np.abs(guided[..., 1:] - base[..., 1:]).mean() > 0.5


def test_bad_arguments_are_named(gray):
    with pytest.raises(ValueError, match="vibrancy"):
        colorize(gray, vibrancy=1.5)
    with pytest.raises(TypeError, match="vibrancy"):
        colorize(gray, vibrancy="high")
    with pytest.raises(ValueError, match="method"):
        colorize(gray, method="magic")
    with pytest.raises(ValueError, match="working_size"):
        colorize(gray, working_size=3)
    with pytest.raises(ValueError, match="mask"):
        colorize(gray, mask=np.ones((3, 3)))
    with pytest.raises(ValueError, match="reference"):
        colorize(gray, method="welsh")
    with pytest.raises(ValueError, match="hints"):
        colorize(gray, method="scribble")


def test_module_is_callable_and_public_names(gray):
    np.testing.assert_array_equal(chroma.colorize(gray), colorize_prior(gray))
    assert chroma.Colorizer is Colorizer


def test_colorizer_estimator(gray):
    from chroma._core.base import clone

    est = Colorizer(vibrancy=0.5)
    assert est.get_params()["vibrancy"] == 0.5
    assert clone(est).vibrancy == 0.5
    with pytest.raises(NotFittedError):
        est.transform(gray)
    out = est.fit().transform(gray)
    np.testing.assert_array_equal(out, colorize(gray, vibrancy=0.5))
    assert est.fit(None) is est
    with pytest.raises(ValueError, match="method"):
        Colorizer(method="nope").fit()


def test_import_does_not_load_torch():
    code = ("import sys, chroma, chroma.colorization; "
            "import numpy as np; "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_model_free_methods_do_not_load_torch():
    code = ("import sys, numpy as np, chroma; "
            "g = np.linspace(0, 1, 24 * 32, dtype=np.float32).reshape(24, 32); "
            "out = chroma.colorize(g, method='scribble', hints=[(3, 4, '#ff0000'), "
            "(20, 18, '#0000ff')]); "
            "ref = np.zeros((8, 8, 3), np.uint8); ref[..., 0] = 200; "
            "out2 = chroma.colorize(g, method='welsh', reference=ref); "
            "assert out.shape == out2.shape == (24, 32, 3); "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_colorizer_in_a_pipeline(gray):
    pipe = chroma.Pipeline([("colorize", Colorizer(vibrancy=0.6))])
    out = pipe.fit(None).transform(gray)
    np.testing.assert_array_equal(out, colorize(gray, vibrancy=0.6))


def test_colorizer_welsh_needs_a_reference(gray):
    with pytest.raises(ValueError, match="reference"):
        Colorizer(method="welsh").fit()
    ref = sample("coffee")[::8, ::8]
    out = Colorizer(method="welsh").fit(ref).transform(gray)
    assert out.shape == (*gray.shape, 3) and out.dtype == np.uint8
