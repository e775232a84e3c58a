"""One contract, checked over every entry of every registry.

Every step (each transfer, toning, each colorization method) and every blend
mode must: keep dtype and alpha, accept channel_axis 0/1/-1 alike, leave its
input untouched, return pixels where the mask is 0 bit for bit, blend where the
mask is soft, refuse NaN with a message that names the argument, turn gray
into RGB, clone and round-trip through get_params and a recipe file. And
``chroma.transfer(img, ref, mask=m)`` (or ``tone``/``colorize``) equals a
one-step Pipeline with the same mask, for soft masks.
"""

from __future__ import annotations

import numpy as np
import pytest

import chroma
from chroma._core.base import ColorStep, Step, clone
from chroma._core.validate import working_copy
from chroma.colorization import COLORIZERS
from chroma.compositing import MODES, apply_step, blend
from chroma.pipeline import STEPS, Pipeline
from chroma.pipeline import Step as PipeStep
from chroma.transfers import TRANSFERS

H, W = 24, 20

# small, fast options for the entries whose defaults do a lot of work
FAST = {
    "idt": {"n_iter": 4, "random_state": 0},
    "sot": {"n_iter": 4, "random_state": 0},
    "palette": {"n_colors": 3, "random_state": 0},
}
HINTS = [(3, 4, "#c03020"), (15, 18, "#2040c0")]


def _image(rng, dtype=np.float32, channels=3):
    yy, xx = np.mgrid[0:H, 0:W] / max(H, W)
    base = np.stack([0.2 + 0.6 * xx, 0.3 + 0.4 * yy, 0.5 + 0.3 * np.sin(6 * xx * yy)], -1)
    img = np.clip(base + 0.05 * rng.standard_normal((H, W, 3)), 0, 1)
    if channels == 4:
        img = np.concatenate([img, rng.random((H, W, 1))], -1)
    if channels == 1:
        img = img.mean(-1)
    if np.dtype(dtype) == np.uint8:
        return np.rint(img * 255).astype(np.uint8)
    if np.dtype(dtype) == np.uint16:
        return np.rint(img * 65535).astype(np.uint16)
    return img.astype(dtype)


def _reference(rng):
    ref = rng.random((16, 18, 3)) * 0.6
    ref[..., 0] += 0.35
    return ref.astype(np.float32)


def _soft_mask():
    m = np.zeros((H, W), np.float32)
    m[4:16, 3:14] = 1.0
    m[16:19, 3:14] = 0.4
    m[4:16, 14:16] = 0.7
    return m


def _step(name):
    """(an unfitted step, whether it needs a reference) for a pipeline step name."""
    if name in TRANSFERS:
        return TRANSFERS.create(name, **FAST.get(name, {})), True
    if name == "tone":
        return STEPS.load("tone")(), False
    if name == "colorize":
        pytest.importorskip("torch")  # the neural extra: installed in the dev set and CI
        return STEPS.load("colorize")(working_size=32), False
    if name == "style":
        pytest.importorskip("torch")
        return STEPS.load("style")(size=32, iterations=2, random_state=0, progress=False), True
    raise AssertionError(f"no recipe for step {name!r}: add it to the contract suite")


COLORIZE_STEPS = {
    "prior": {"working_size": 32},
    "welsh": {"random_state": 0},
    "scribble": {"hints": HINTS},
}


def _colorizer(method):
    if method == "prior":
        pytest.importorskip("torch")
    return chroma.Colorizer(method, **COLORIZE_STEPS[method])


ALL_STEPS = [*STEPS]
ALL_COLORIZERS = [*COLORIZERS]


def _fitted(name, rng):
    step, needs_ref = _step(name)
    return step.fit(_reference(rng)) if needs_ref else step.fit(), step


def test_every_registry_entry_is_covered():
    assert set(COLORIZE_STEPS) == set(COLORIZERS)
    for name in STEPS:
        assert name in TRANSFERS or name in ("tone", "colorize", "style"), name


@pytest.mark.parametrize("name", ALL_STEPS)
def test_step_follows_the_protocol(name, rng):
    step, _ = _step(name)
    assert isinstance(step, Step)
    assert isinstance(step, ColorStep)
    params = step.get_params()
    twin = clone(step)
    assert twin is not step and twin.get_params().keys() == params.keys()
    assert repr(twin) == repr(step)
    with pytest.raises(ValueError, match="is not a parameter"):
        step.set_params(no_such_parameter=1)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("name", ALL_STEPS)
def test_step_keeps_dtype_and_alpha_and_input(name, dtype, rng):
    fitted, _ = _fitted(name, rng)
    img = _image(rng, dtype, channels=4)
    before = img.copy()
    out = fitted.transform(img)
    np.testing.assert_array_equal(img, before)  # the input is never edited
    assert out.dtype == img.dtype and out.shape == img.shape
    np.testing.assert_array_equal(out[..., 3], img[..., 3])  # alpha passes through


@pytest.mark.parametrize("name", ALL_STEPS)
def test_step_float16_comes_back_float32(name, rng):
    fitted, _ = _fitted(name, rng)
    out = fitted.transform(_image(rng, np.float16))
    assert out.dtype == np.float32


@pytest.mark.parametrize("name", ALL_STEPS)
def test_step_channel_axis(name, rng):
    fitted, _ = _fitted(name, rng)
    img = _image(rng, np.float32)
    last = fitted.transform(img)
    for axis in (0, 1):
        moved = fitted.transform(np.moveaxis(img, -1, axis), channel_axis=axis)
        np.testing.assert_allclose(np.moveaxis(moved, axis, -1), last, atol=1e-6)


@pytest.mark.parametrize("name", ALL_STEPS)
def test_step_gray_in_rgb_out(name, rng):
    fitted, _ = _fitted(name, rng)
    out = fitted.transform(_image(rng, np.uint8, channels=1))
    assert out.shape == (H, W, 3) and out.dtype == np.uint8


@pytest.mark.parametrize("name", ALL_STEPS)
def test_step_refuses_nan_naming_the_argument(name, rng):
    fitted, _ = _fitted(name, rng)
    img = _image(rng, np.float32)
    img[3, 4, 1] = np.nan
    with pytest.raises(ValueError, match="`image` contains NaN"):
        fitted.transform(img)


@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
@pytest.mark.parametrize("name", ALL_STEPS)
def test_mask_zero_is_bit_identical_and_soft_mask_blends(name, dtype, rng):
    fitted, _ = _fitted(name, rng)
    img = _image(rng, dtype)
    m = _soft_mask()
    out = apply_step(fitted, img, mask=m)
    np.testing.assert_array_equal(out[m == 0], img[m == 0])
    # where the mask is 1: the step's full effect (statistics from the region), computed
    # like the masked path does, on the float32 working copy of the image
    x, restore = working_copy(img)
    region_full = restore(fitted.transform(x, region=m))
    np.testing.assert_allclose(out[m == 1].astype(float), region_full[m == 1].astype(float),
                               atol=1 if dtype == np.uint8 else 1e-6)
    # where it is soft: the one blend of compositing, nothing else
    expect = blend(img, region_full, m)
    np.testing.assert_allclose(out.astype(float), expect.astype(float),
                               atol=1 if dtype == np.uint8 else 1e-5)


@pytest.mark.parametrize("name", ALL_STEPS)
def test_recipe_round_trip(name, rng, tmp_path):
    _, step = _fitted(name, rng)
    needs_ref = name in TRANSFERS or name == "style"
    ref_path = tmp_path / "ref.png"
    chroma.write_image(ref_path, (_reference(rng) * 255).astype(np.uint8))
    spec = {"rectangle": [2, 3, 12, 14], "feather": 2}
    pipe = Pipeline([PipeStep("s", clone(step), mask=spec, strength=0.8,
                              reference=str(ref_path) if needs_ref else None)])
    recipe = tmp_path / "recipe.toml"
    pipe.save(recipe)
    again = Pipeline.load(recipe)
    assert again["s"].estimator.get_params() == step.get_params()
    img = _image(rng, np.uint8)
    np.testing.assert_array_equal(pipe.fit().transform(img), again.fit().transform(img))


@pytest.mark.parametrize("name", [*TRANSFERS])
def test_transfer_equals_a_one_step_pipeline(name, rng):
    img = _image(rng, np.uint8)
    ref = _reference(rng)
    m = _soft_mask()
    options = FAST.get(name, {})
    a = chroma.transfer(img, ref, name, mask=m, **options)
    pipe = Pipeline([PipeStep("only", TRANSFERS.create(name, **options), mask=m)])
    b = pipe.fit(ref).transform(img)
    np.testing.assert_array_equal(a, b)
    # and the pipeline-wide mask means the same
    c = Pipeline([("only", TRANSFERS.create(name, **options))]).fit(ref).transform(img, mask=m)
    np.testing.assert_array_equal(a, c)
    # no mask: the same too (both run the step straight on the caller's array)
    np.testing.assert_array_equal(
        chroma.transfer(img, ref, name, **options),
        Pipeline([("only", TRANSFERS.create(name, **options))]).fit(ref).transform(img))


def test_tone_equals_a_one_step_pipeline(rng):
    img = _image(rng, np.uint16)
    m = _soft_mask()
    a = chroma.tone(img, mode="duotone", colors=["#102040", "#f0e0a0"], mask=m)
    step = STEPS.load("tone")("duotone", colors=["#102040", "#f0e0a0"])
    b = Pipeline([PipeStep("t", step, mask=m)]).fit().transform(img)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("method", ALL_COLORIZERS)
def test_colorize_equals_a_one_step_pipeline(method, rng):
    gray = _image(rng, np.uint8, channels=1)
    m = _soft_mask()
    ref = (_reference(rng) * 255).astype(np.uint8)
    step = _colorizer(method)
    fit_ref = ref if method in ("welsh", "prior") else None
    options = dict(COLORIZE_STEPS[method])
    if fit_ref is not None:
        options["reference"] = fit_ref
    a = chroma.colorize(gray, method=method, mask=m, **options)
    b = Pipeline([PipeStep("c", step, mask=m)]).fit(fit_ref).transform(gray)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (H, W, 3)
    # outside the mask the gray input, bit for bit (repeated to RGB)
    np.testing.assert_array_equal(a[m == 0], np.repeat(gray[m == 0][:, None], 3, -1))
    # colorization keeps lightness; the linear-light blend keeps it through the soft edge
    lab_out = chroma.convert(a, "rgb", "lab")[..., 0]
    lab_in = chroma.convert(np.repeat(gray[..., None], 3, -1), "rgb", "lab")[..., 0]
    assert np.abs(lab_out - lab_in).max() < 1.0


@pytest.mark.parametrize("method", ALL_COLORIZERS)
def test_colorize_refuses_options_the_method_does_not_take(method, rng):
    gray = _image(rng, np.uint8, channels=1)
    with pytest.raises(TypeError, match=f"method='{method}' does not take option 'no_such'"):
        chroma.colorize(gray, method=method, no_such=1)


def test_colorize_welsh_refuses_vibrancy_and_strength(rng):
    gray = _image(rng, np.uint8, channels=1)
    ref = (_reference(rng) * 255).astype(np.uint8)
    with pytest.raises(TypeError, match="'vibrancy', 'strength'"):
        chroma.colorize(gray, method="welsh", reference=ref, vibrancy=0.9, strength=0)


@pytest.mark.parametrize("mode", MODES)
def test_blend_mode_contract(mode, rng):
    base = _image(rng, np.uint8, channels=4)
    layer = _image(rng, np.uint8)[::-1].copy()
    m = _soft_mask()
    before = base.copy()
    out = blend(base, layer, m, mode=mode)
    np.testing.assert_array_equal(base, before)
    assert out.dtype == np.uint8 and out.shape == base.shape
    np.testing.assert_array_equal(out[m == 0], base[m == 0])
    np.testing.assert_array_equal(out[..., 3], base[..., 3])
    for axis in (0, 1):
        moved = blend(np.moveaxis(base, -1, axis), np.moveaxis(layer, -1, axis), m, mode=mode,
                      channel_axis=axis)
        np.testing.assert_array_equal(np.moveaxis(moved, axis, -1), out)
    bad = base.astype(np.float32) / 255
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="`base` contains NaN"):
        blend(bad, layer, m, mode=mode)


def test_renamed_parameter_still_works_with_a_warning(rng):
    from chroma.transfers.idt import IDTTransfer

    with pytest.warns(DeprecationWarning, match="`sample_size` is now called `max_pixels`"):
        est = IDTTransfer(sample_size=500)
    assert est.max_pixels == 500 and "sample_size" not in est.get_params()
    with pytest.raises(TypeError, match="give `max_pixels` only"):
        IDTTransfer(sample_size=5, max_pixels=5)


@pytest.mark.parametrize("name", [*TRANSFERS])
def test_keep_luminance_keeps_lightness_within_8bit_rounding(name, rng):
    # a saturated reference pushes colors out of gamut at the image's L*: the one gamut
    # map lowers chroma at constant L* and hue instead of clipping channels
    img = _image(rng, np.uint8)
    sat = np.zeros((16, 16, 3), np.uint8)
    sat[..., 0] = 255
    sat[:8, :, 2] = 200
    out = chroma.transfer(img, sat, name, keep_luminance=True, **FAST.get(name, {}))
    d = np.abs(chroma.convert(out, "rgb", "lab")[..., 0]
               - chroma.convert(img, "rgb", "lab")[..., 0])
    assert d.max() <= 0.6
    assert np.abs(out.astype(int) - img).max() > 10  # the colors did change
