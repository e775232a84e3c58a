"""Tests for chroma.pipeline: steps, masks, strengths, recipes (TOML/JSON) round trips."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chroma import masks
from chroma.compositing import blend
from chroma.io import write_image
from chroma.pipeline import STEPS, Pipeline, Step, register_step
from chroma.toning import ToneStep

pytestmark = pytest.mark.usefixtures("sigint_kept")  # tests/conftest.py

RNG = np.random.default_rng(0)
IMG = (RNG.random((32, 48, 3)) * 255).astype(np.uint8)
REF_A = (RNG.random((20, 24, 3)) * 120 + 100).astype(np.uint8)
REF_B = (RNG.random((20, 24, 3)) * 60).astype(np.uint8)


class ShiftStep:
    """A tiny estimator: adds (reference mean - image mean) per channel; counts calls."""

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def get_params(self, deep=True):
        return {"gain": self.gain}

    def fit(self, reference):
        self.mean_ = np.asarray(reference, np.float64).reshape(-1, 3).mean(0) / 255.0
        return self

    def transform(self, image):
        assert image.dtype == np.float32  # the pipeline hands float working copies
        before = image.copy()
        out = np.clip(image + self.gain * (self.mean_ - image.reshape(-1, 3).mean(0)), 0, 1)
        np.testing.assert_array_equal(image, before)
        return out.astype(np.float32)


def _reinhard():
    try:
        from chroma.transfers import ReinhardTransfer

        return ReinhardTransfer()
    except ImportError:  # pragma: no cover - the transfer helper's module
        return ShiftStep()


def test_a_step_applies_only_inside_its_mask_and_never_sees_it():
    rect = {"rectangle": [0, 0, 24, 32]}
    pipe = Pipeline([("s", ShiftStep(), {"mask": rect})]).fit(REF_A)
    out = pipe.transform(IMG)
    np.testing.assert_array_equal(out[:, 24:], IMG[:, 24:])
    full = ShiftStep().fit(REF_A).transform(IMG / np.float32(255))
    expect = blend(IMG, full, masks.rectangle(IMG, (0, 0, 24, 32)), mode="normal")
    np.testing.assert_array_equal(out, expect)


def test_steps_run_in_order_with_their_own_references(tmp_path):
    write_image(tmp_path / "a.png", REF_A)
    write_image(tmp_path / "b.png", REF_B)
    sky = {"rectangle": [0, 0, 48, 16]}
    rest = {"rectangle": [0, 0, 48, 16], "invert": True}
    pipe = Pipeline([
        Step("sky", ShiftStep(), reference="a.png", mask=sky),
        Step("rest", ShiftStep(), reference="b.png", mask=rest),
    ], base_dir=tmp_path).fit()
    out = pipe.transform(IMG).astype(float)
    # the top half moved toward the bright reference, the bottom toward the dark one
    assert out[:16].mean() > IMG[:16].mean() + 20
    assert out[16:].mean() < IMG[16:].mean() - 20


def test_strength_zero_is_identity_and_strength_scales():
    pipe = Pipeline([("s", ShiftStep(), {"strength": 0.0})]).fit(REF_A)
    np.testing.assert_array_equal(pipe.transform(IMG), IMG)
    half = Pipeline([("s", ShiftStep(), {"strength": 0.5})]).fit(REF_A).transform(IMG)
    full = Pipeline([("s", ShiftStep())]).fit(REF_A).transform(IMG)
    assert (np.abs(half.astype(int) - IMG) <= np.abs(full.astype(int) - IMG) + 1).all()
    assert not np.array_equal(half, full)


def test_pipeline_mask_and_dtype_alpha():
    rgba = np.concatenate([IMG, np.full((*IMG.shape[:2], 1), 9, np.uint8)], -1)
    out = Pipeline([("s", ShiftStep())]).fit(REF_A).transform(rgba, mask=np.zeros((32, 48)))
    np.testing.assert_array_equal(out, rgba)
    f = IMG.astype(np.float64) / 255
    assert Pipeline([("s", ShiftStep())]).fit(REF_A).transform(f).dtype == np.float64


def test_errors():
    with pytest.raises(ValueError, match="unique"):
        Pipeline([("a", ShiftStep()), ("a", ShiftStep())])
    with pytest.raises(TypeError, match="fit"):
        Pipeline([("a", object())])
    with pytest.raises(ValueError, match="not a blend mode"):
        Pipeline([("a", ShiftStep(), {"mode": "screen"})])
    with pytest.raises(ValueError, match="needs a reference"):
        Pipeline([("a", ShiftStep())]).fit()
    with pytest.raises(ValueError, match="not fitted"):
        Pipeline([("a", ShiftStep())]).transform(IMG)
    bad = np.ones((32, 48))
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Pipeline([("a", ShiftStep(), {"mask": bad})]).fit(REF_A).transform(IMG)
    with pytest.raises(ValueError, match="height and width"):
        Pipeline([("a", ShiftStep(), {"mask": np.ones((5, 5))})]).fit(REF_A).transform(IMG)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_recipe_saved_and_loaded_gives_identical_output(tmp_path, suffix):
    refs = tmp_path / "refs"
    refs.mkdir()
    write_image(refs / "a.png", REF_A)
    write_image(refs / "b.png", REF_B)
    write_image(tmp_path / "m.png", (masks.rectangle(IMG, (0, 0, 48, 12)) * 255).astype(np.uint8))
    steps = [
        Step("sky", _reinhard(), reference=refs / "a.png",
             mask={"hue": [200, 80], "feather": 2.0}),
        Step("rest", _reinhard(), reference=refs / "b.png",
             mask={"file": str(tmp_path / "m.png"), "invert": True}, strength=0.7,
             mode="chroma"),
    ]
    pipe = Pipeline(steps)
    out1 = pipe.fit().transform(IMG)
    sub = tmp_path / "recipes"
    sub.mkdir()
    pipe.save(sub / f"r{suffix}")
    text = (sub / f"r{suffix}").read_text()
    assert "../refs/a.png" in text  # references are written relative to the recipe
    loaded = Pipeline.load(sub / f"r{suffix}")
    assert [s.name for s in loaded.steps] == ["sky", "rest"]
    np.testing.assert_array_equal(loaded.fit().transform(IMG), out1)
    assert loaded.to_dict(relative_to=sub) == pipe.to_dict(relative_to=sub)
    with pytest.raises(FileExistsError):
        pipe.save(sub / f"r{suffix}")


def test_recipe_with_options_registry_and_dotted_classes(tmp_path, monkeypatch):
    from chroma._core.registry import Registry

    monkeypatch.setattr("chroma.pipeline.STEPS", Registry("pipeline step", dict(STEPS)))
    from chroma import pipeline

    register_step("shift", ShiftStep)
    assert "shift" not in STEPS and pipeline.STEPS["shift"].endswith(":ShiftStep")
    recipe = {"reference": "a.png", "steps": [
        {"method": "shift", "options": {"gain": 0.5}, "mask": {"rectangle": [0, 0, 10, 10]}},
        {"method": f"{__name__}:ShiftStep", "name": "again"},
    ]}
    (tmp_path / "r.json").write_text(json.dumps(recipe))
    write_image(tmp_path / "a.png", REF_A)
    pipe = Pipeline.load(tmp_path / "r.json")
    assert pipe["shift"].estimator.gain == 0.5 and pipe["again"].estimator.gain == 1.0
    d = pipe.to_dict()
    assert d["steps"][0]["options"] == {"gain": 0.5} and "options" not in d["steps"][1]
    pipe.fit()


def test_recipe_errors(tmp_path):
    with pytest.raises(ValueError, match="not a step"):
        Pipeline.from_dict({"steps": [{"method": "nope"}]})
    with pytest.raises(ValueError, match="unknown keys"):
        Pipeline.from_dict({"steps": [{"method": "reinhard", "maks": {}}]})
    with pytest.raises(ValueError, match="non-empty list"):
        Pipeline.from_dict({"steps": []})
    (tmp_path / "bad.toml").write_text("steps = [ {method = ")
    with pytest.raises(ValueError, match="cannot parse"):
        Pipeline.load(tmp_path / "bad.toml")
    with pytest.raises(ValueError, match="array"):
        Pipeline([("a", ShiftStep(), {"mask": np.ones((2, 2))})]).to_dict()
    with pytest.raises(ValueError, match="reference given as an array"):
        Pipeline([("a", ShiftStep(), {"reference": REF_A})]).to_dict()


def test_tone_step_needs_no_reference():
    pytest.importorskip("chroma.palettes", reason="toning comes with chroma.palettes")
    pipe = Pipeline([("tone", ToneStep(), {"mask": {"rectangle": [0, 0, 24, 32]}})]).fit()
    out = pipe.transform(IMG)
    np.testing.assert_array_equal(out[:, 24:], IMG[:, 24:])
    assert not np.array_equal(out[:, :24], IMG[:, :24])
    assert Pipeline.from_dict(pipe.to_dict()).steps[0].estimator.mode == "sepia"


def test_registry_names_resolve_to_estimators():
    from chroma.pipeline import _import_class

    for name in STEPS:
        try:
            cls = _import_class(name)
        except ImportError as err:  # only the colorizer may need an optional package
            assert name == "colorize" and "torch" in str(err), err
            continue
        assert callable(getattr(cls, "fit", None)) and callable(getattr(cls, "transform", None))


def test_recipe_round_trip_with_estimator_options(tmp_path):
    from chroma.pipeline import _import_class

    write_image(tmp_path / "a.png", REF_A)
    write_image(tmp_path / "b.png", REF_B)
    hist = _import_class("histogram")(space="lab", keep_luminance=True)
    sot = _import_class("sot")(random_state=0, n_iter=3)
    pipe = Pipeline([
        Step("hist", hist, reference="a.png", mask={"ellipse": [24, 16, 12, 8], "feather": 1.0}),
        Step("sot", sot, reference="b.png", strength=0.5, mode="pyramid"),
    ], base_dir=tmp_path)
    out = pipe.fit().transform(IMG)
    pipe.save(tmp_path / "r.toml")
    loaded = Pipeline.load(tmp_path / "r.toml")
    assert loaded["hist"].estimator.get_params() == hist.get_params()
    assert loaded["sot"].estimator.get_params() == sot.get_params()
    np.testing.assert_array_equal(loaded.fit().transform(IMG), out)
