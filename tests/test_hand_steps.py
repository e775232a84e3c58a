"""The two pipeline steps that replay hand edits: HintColorizer and SplashStep."""

from __future__ import annotations

import numpy as np
import pytest

import chroma
from chroma._core.validate import NotFittedError
from chroma.hand_steps import HintColorizer, SplashStep, expand_hints
from chroma.pipeline import Pipeline, Step


@pytest.fixture(scope="module")
def small():
    return chroma.read_image("data/chelsea.png")[::4, ::4].copy()


def test_expand_hints_covers_the_clipped_square():
    pts = expand_hints([(5, 0, (255, 0, 0)), (0, 3, "#00f")], (4, 6), 1)
    first = {(x, y) for x, y, c in pts if c == "#ff0000"}
    assert first == {(4, 0), (5, 0), (4, 1), (5, 1)}
    assert {(x, y) for x, y, c in pts if c == "#0000ff"} == {(0, 2), (1, 2), (0, 3), (1, 3)}
    assert expand_hints([(1, 1, "#123456")], (4, 4), 0) == [(1, 1, "#123456")]
    with pytest.raises(ValueError, match="hint"):
        expand_hints([(9, 0, "#fff")], (4, 4), 0)


def test_hint_colorizer_is_colorize_with_expanded_hints(small):
    hints = [[10, 10, "#c03020"], [80, 50, "#2050c0"]]
    for method in ("scribble", "prior"):
        out = HintColorizer(method, hints=hints, patch=2).fit().transform(small)
        expected = chroma.colorize(small, method=method,
                                   hints=expand_hints(hints, small.shape, 2))
        np.testing.assert_array_equal(out, expected)
    ref = chroma.read_image("data/coffee.png")
    np.testing.assert_array_equal(HintColorizer("welsh").fit(ref).transform(small),
                                  chroma.colorize(small, method="welsh", reference=ref,
                                                  random_state=0))
    # seeded: the same pixels twice (a recipe replays)
    np.testing.assert_array_equal(HintColorizer("welsh").fit(ref).transform(small),
                                  HintColorizer("welsh").fit(ref).transform(small))


def test_hint_colorizer_is_a_colorizer_that_allows_scribble_without_hints(small):
    from chroma.colorization import Colorizer

    step = HintColorizer("scribble").fit()
    assert isinstance(step, Colorizer)
    assert sorted(step.get_params()) == ["hints", "method", "patch", "random_state",
                                         "vibrancy"]
    out = step.transform(small)  # no hints: gray, with the input's lightness
    assert out.dtype == small.dtype and out.shape == small.shape
    assert np.abs(out.astype(int) - out[..., :1].astype(int)).max() <= 1
    with pytest.raises(ValueError, match="scribble"):  # a bare Colorizer still asks for hints
        Colorizer("scribble").fit()


def test_hint_colorizer_refuses_bad_options(small):
    with pytest.raises(ValueError, match="method"):
        HintColorizer("magic").fit()
    with pytest.raises(ValueError, match="patch"):
        HintColorizer(patch=99).fit()
    with pytest.raises(TypeError, match="patch"):
        HintColorizer(patch=1.5).fit()
    with pytest.raises(ValueError, match="reference"):
        HintColorizer("welsh").fit()
    with pytest.raises(ValueError, match="parameter"):
        HintColorizer().set_params(colour="red")
    with pytest.raises(NotFittedError):
        HintColorizer().transform(small)


def test_splash_step_is_the_splash_background(small):
    zeros = np.zeros(small.shape[:2])
    for bg in ("gray", "sepia", "#305080"):
        np.testing.assert_array_equal(SplashStep(bg, strength=0.7).fit().transform(small),
                                      chroma.splash(small, zeros, background=bg, strength=0.7))
    assert SplashStep().transform(small).dtype == small.dtype  # no fit needed to apply it


def test_recipe_round_trip_replays_the_same_pixels(small, tmp_path):
    keep = np.zeros(small.shape[:2], np.uint8)
    keep[20:50, 30:90] = 255
    chroma.write_image(tmp_path / "keep.png", keep)
    pipe = Pipeline([
        Step("colorize", HintColorizer("scribble", hints=[[40, 30, "#c03020"]], patch=1)),
        Step("splash", SplashStep("sepia"), mask={"file": "keep.png", "invert": True},
             mode="chroma"),
    ], base_dir=tmp_path)
    out = pipe.fit().transform(small)
    pipe.save(tmp_path / "recipe.toml")
    text = (tmp_path / "recipe.toml").read_text()
    assert 'method = "chroma.hand_steps:HintColorizer"' in text and "patch = 1" in text
    again = Pipeline.load(tmp_path / "recipe.toml").fit().transform(small)
    np.testing.assert_array_equal(again, out)
    # inside the kept region the colorized pixels are untouched; outside they are toned
    colorized = HintColorizer("scribble", hints=[[40, 30, "#c03020"]], patch=1).fit()
    np.testing.assert_array_equal(out[20:50, 30:90], colorized.transform(small)[20:50, 30:90])
    assert not np.array_equal(out[:10], colorized.transform(small)[:10])
