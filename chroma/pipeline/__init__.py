"""Pipelines: ordered color steps, each with its own reference, mask and strength.

A :class:`Pipeline` runs named steps in order. A step is any estimator with
``fit(reference)`` and ``transform(image)`` (the transfers, palette transfer,
toning, the colorizer). The pipeline fits each step on its reference, runs
it on the current image (image statistics from the step's mask region), and
blends the result in by the step's mask, strength and mode with
:func:`chroma.compositing.apply_step`, exactly what :func:`chroma.transfer`
does with ``mask=``: steps never apply masks. Pipelines are saved as recipes (TOML or
JSON) that name steps, references (paths relative to the recipe file), mask
specs (see :func:`chroma.masks.from_spec`) and options, and run from the
command line with ``chroma run RECIPE IMAGE -o OUT``.

A recipe (TOML)::

    reference = "warm.jpg"            # default reference for steps without one

    [[steps]]
    name = "sky"
    method = "reinhard"               # a name in STEPS, or "package.module:Class"
    reference = "sunset.jpg"          # relative to this file
    mask = {hue = [230, 80], feather = 3}
    mode = "normal"                   # the blend: "normal" (default) | "chroma" | "pyramid"
    options = {space = "lab"}

    [[steps]]
    name = "rest"
    method = "histogram"
    mask = {hue = [230, 80], feather = 3, invert = true}
    strength = 0.8

Masks are computed on the pipeline's *input* image (not on the output of
earlier steps), so a hue mask selects the same pixels whatever ran before.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chroma._core.registry import Registry, check_options, import_target
from chroma._core.validate import check_image, check_mask, check_strength, to_channel_axis
from chroma.compositing import DEFAULT_MODE, MODES, _apply_layers
from chroma.pipeline._stream import stream_layers
from chroma.pipeline.recipe import (
    changed_params,
    check_recipe_path,
    plain,
    read_recipe,
    write_recipe,
)

__all__ = ["STEPS", "Pipeline", "Step", "register_step"]

def _step_registry() -> Registry:
    """The recipe step table: every transfer, plus toning, colorization (and stylize)."""
    from chroma.transfers import TRANSFERS

    entries = dict(TRANSFERS.items())
    entries.update(EXTRA_STEPS)
    return Registry("pipeline step", entries)


#: steps that are not transfers (recipe name -> "module:Class")
EXTRA_STEPS = {
    "tone": "chroma.toning:ToneStep",
    "colorize": "chroma.colorization:Colorizer",
    "style": "chroma.stylization:Stylizer",
}
STEPS = _step_registry()
BLEND_MODES = MODES
_STEP_KEYS = {"name", "method", "options", "reference", "reference_mask", "mask", "strength",
              "mode", "blend"}
_TOP_KEYS = {"version", "reference", "steps"}


def register_step(name: str, cls: type | str) -> None:
    """Make a step class available to recipes as ``method = name``.

    Parameters
    ----------
    name : str
        Name used in recipes.
    cls : type or str
        The estimator class, or ``"package.module:Class"``.

    Examples
    --------
    >>> register_step("mean-std", "chroma.transfers:ReinhardTransfer")
    >>> pipe = Pipeline.from_dict({"steps": [{"name": "look", "method": "mean-std"}]})
    >>> type(pipe["look"].estimator).__name__
    'ReinhardTransfer'
    >>> del STEPS._targets["mean-std"]  # (this example only: leave the table as it was)
    """
    STEPS.register(name, cls)


def _import_class(method: str):
    if isinstance(method, str) and method in STEPS:
        return STEPS.load(method)
    if not isinstance(method, str) or ":" not in method:
        raise ValueError(
            f"method={method!r} is not a step; choose from {sorted(STEPS)} or give "
            "'package.module:Class'."
        )
    try:
        return import_target(method)
    except (ImportError, AttributeError) as err:
        raise ImportError(f"method={method!r} is not available: {err}") from err


def _method_name(estimator) -> str:
    name = STEPS.name_of(estimator)
    if name is not None:
        return name
    cls = type(estimator)
    return f"{cls.__module__}:{cls.__qualname__}"


@dataclass
class Step:
    """One step of a :class:`Pipeline`.

    Attributes
    ----------
    name : str
        Label, unique in the pipeline.
    estimator : object
        Has ``fit(reference)`` and ``transform(image)``.
    reference : str, path or ndarray, optional
        What this step is fitted on; a relative path is taken relative to
        the pipeline's ``base_dir`` (the recipe's folder). Default: the
        pipeline's reference.
    mask : dict, ndarray, callable or None, optional
        Where the step applies: a spec for :func:`chroma.masks.from_spec`, an
        (M, N) array, or ``fn(image) -> mask``; computed on the pipeline's
        input image. ``None``: everywhere.
    strength : float, optional
        Multiplies the mask (0 = the step has no effect).
    mode : {"normal", "chroma", "pyramid"}, optional
        How the step's output is blended in (see :func:`chroma.compositing.blend`).
    reference_mask : dict, ndarray or None, optional
        Which pixels of the step's reference count (a spec computed on the
        reference, or an array).

    Examples
    --------
    >>> from chroma.transfers import ReinhardTransfer
    >>> step = Step("warm", ReinhardTransfer(), mask={"rectangle": [0, 0, 4, 8]}, strength=0.5)
    >>> step.mode, step.strength
    ('normal', 0.5)
    >>> rng = np.random.default_rng(0)
    >>> img, ref = rng.random((8, 8, 3)), rng.random((8, 8, 3)) * 0.5
    >>> out = Pipeline([step]).fit(ref).transform(img)
    >>> bool((out[:, 4:] == img[:, 4:]).all())  # outside the mask: untouched
    True
    >>> Step("warm", ReinhardTransfer(), mode="screen")
    Traceback (most recent call last):
    ...
    ValueError: step 'warm': mode='screen' is not a blend mode; choose from [...].
    """

    name: str
    estimator: Any
    reference: Any = None
    mask: Any = None
    strength: float = 1.0
    mode: str = DEFAULT_MODE
    reference_mask: Any = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"step name must be a non-empty str, got {self.name!r}.")
        for attr in ("fit", "transform"):
            if not callable(getattr(self.estimator, attr, None)):
                raise TypeError(
                    f"step {self.name!r}: the estimator must have fit() and transform(), got "
                    f"{type(self.estimator).__name__}."
                )
        self.strength = check_strength(self.strength, name=f"steps[{self.name!r}].strength")
        if self.mode not in MODES:
            raise ValueError(
                f"step {self.name!r}: mode={self.mode!r} is not a blend mode; choose from "
                f"{list(MODES)}."
            )
        if not (self.mask is None or isinstance(self.mask, (Mapping, np.ndarray))
                or callable(self.mask)):
            raise TypeError(
                f"step {self.name!r}: mask must be a spec dict, an array, a callable or None, "
                f"got {type(self.mask).__name__}."
            )


def _as_step(item, i: int) -> Step:
    if isinstance(item, Step):
        return item
    if isinstance(item, tuple) and len(item) in (2, 3):
        extra = dict(item[2]) if len(item) == 3 else {}
        return Step(item[0], item[1], **extra)
    raise TypeError(
        f"steps[{i}] must be a Step, (name, estimator) or (name, estimator, options dict), "
        f"got {type(item).__name__}."
    )


class Pipeline:
    """An ordered list of named color steps, each fitted on its own reference.

    Parameters
    ----------
    steps : list
        :class:`Step` objects, ``(name, estimator)`` pairs, or
        ``(name, estimator, {"mask": ..., "strength": ..., "reference": ...,
        "mode": ...})``.
    reference : str, path or ndarray, optional
        Reference of the steps that have none of their own.
    base_dir : str or path, optional
        Folder that relative reference and mask-file paths start from (a
        loaded recipe's folder). Default: the current folder.

    Examples
    --------
    >>> from chroma.transfers import ReinhardTransfer
    >>> rng = np.random.default_rng(0)
    >>> img, ref = rng.random((16, 16, 3), np.float32), rng.random((8, 8, 3)) * 0.5
    >>> pipe = Pipeline([("left", ReinhardTransfer(), {"mask": {"rectangle": [0, 0, 8, 16]}})])
    >>> out = pipe.fit(ref).transform(img)
    >>> bool((out[:, 8:] == img[:, 8:]).all()), bool((out[:, :8] != img[:, :8]).any())
    (True, True)
    """

    def __init__(self, steps, *, reference=None, base_dir=None):
        if isinstance(steps, (str, bytes)) or not hasattr(steps, "__iter__"):
            raise TypeError(f"`steps` must be a list of steps, got {type(steps).__name__}.")
        self.steps = [_as_step(s, i) for i, s in enumerate(steps)]
        names = [s.name for s in self.steps]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"step names must be unique; repeated: {dup}.")
        self.reference = reference
        self.base_dir = None if base_dir is None else Path(base_dir)

    def __repr__(self) -> str:
        inner = ", ".join(f"{s.name}={s.estimator!r}" for s in self.steps)
        return f"Pipeline([{inner}])"

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, key):
        if isinstance(key, str):
            for s in self.steps:
                if s.name == key:
                    return s
            raise KeyError(f"no step named {key!r}; steps are {[s.name for s in self.steps]}.")
        return self.steps[key]

    # --- fitting and running ------------------------------------------------------------
    def _path(self, p) -> Path:
        p = Path(p)
        if not p.is_absolute() and self.base_dir is not None:
            p = self.base_dir / p
        return p

    def _load_reference(self, ref):
        if ref is None or isinstance(ref, np.ndarray):
            return ref
        if isinstance(ref, (str, os.PathLike)):
            from chroma.io import read_image

            return read_image(self._path(ref))
        return np.asarray(ref)

    def fit(self, reference=None) -> Pipeline:
        """Fit every step on its reference (its own, else `reference`, else the pipeline's).

        A reference given as a path is read once even if several steps share
        it. A step without any reference is fitted with ``fit()`` if its
        estimator allows that (toning, the colorizer), else it is an error.

        Returns
        -------
        self
        """
        cache: dict[str, np.ndarray] = {}
        default = reference if reference is not None else self.reference
        for step in self.steps:
            ref = step.reference if step.reference is not None else default
            if isinstance(ref, (str, os.PathLike)):
                key = str(self._path(ref))
                if key not in cache:
                    cache[key] = self._load_reference(ref)
                ref = cache[key]
            else:
                ref = self._load_reference(ref)
            if ref is None:
                if not _fit_takes_no_reference(step.estimator):
                    raise ValueError(
                        f"step {step.name!r} ({type(step.estimator).__name__}) needs a "
                        "reference: give the step one, or pass one to Pipeline.fit "
                        "(CLI: --reference)."
                    )
                step.estimator.fit()
            elif step.reference_mask is not None:
                ref_mask = self._resolve_mask(step.reference_mask, ref, step.name,
                                              "reference_mask")
                step.estimator.fit(ref, reference_mask=ref_mask)
            else:
                step.estimator.fit(ref)
        self.n_steps_ = len(self.steps)
        return self

    def _resolve_mask(self, spec, image: np.ndarray, who: str, what: str = "mask"):
        """A step's mask (spec, array or function) as float (M, N) on `image`."""
        if spec is None:
            return None
        if isinstance(spec, Mapping):
            from chroma.masks import from_spec

            return from_spec(spec, image, base_dir=self.base_dir)
        m = spec(image) if callable(spec) else spec
        return check_mask(m, np.shape(image), name=f"{what} of step {who!r}")

    def transform(self, image, *, mask=None, channel_axis: int = -1) -> np.ndarray:
        """Run the fitted steps on `image`.

        Each step transforms the current image everywhere (its image statistics
        from its mask's region) and is blended in by its mask, its strength and
        its mode: :func:`chroma.compositing.apply_step`, step after step. Masks
        are computed on the pipeline's input image. A recipe of unmasked steps
        (a per-pixel first step, then histogram matching) runs in row tiles and
        passes (:mod:`chroma.pipeline._stream`): the same pixels, bit for bit,
        without the full-size float copies of each step.

        Parameters
        ----------
        image : ndarray
            Gray or RGB, optional alpha; uint8, uint16 or float.
        mask : ndarray of shape (M, N), optional
            Where the whole pipeline applies: it multiplies each step's mask.
        channel_axis : int, optional
            Channel axis of `image` and of the result.

        Returns
        -------
        out : ndarray
            Same dtype and alpha as `image` (gray comes back RGB if a step
            colors it); pixels that no mask reaches are `image`'s, bit for bit.
        """
        if not hasattr(self, "n_steps_"):
            from chroma._core.validate import NotFittedError

            raise NotFittedError("Pipeline is not fitted; call fit(reference) first.")
        arr = check_image(image, channel_axis=channel_axis)
        final = None if mask is None else check_mask(mask, arr.shape, name="mask")
        layers = []
        for step in self.steps:
            m = self._resolve_mask(step.mask, arr, step.name)
            if final is not None:
                m = final if m is None else m * final
            layers.append((step.estimator, m, step.mode, step.strength))
        out = stream_layers(arr, layers)  # in row tiles, bit for bit, when the recipe allows
        if out is None:
            out = _apply_layers(arr, layers)
        return to_channel_axis(out, channel_axis)

    def fit_transform(self, image, reference=None, **kwargs) -> np.ndarray:
        """``fit(reference).transform(image, **kwargs)`` (image first, as everywhere)."""
        return self.fit(reference).transform(image, **kwargs)

    # --- recipes -------------------------------------------------------------------------
    def to_dict(self, *, relative_to=None) -> dict:
        """The recipe as plain data (what :meth:`save` writes).

        Parameters
        ----------
        relative_to : str or path, optional
            Write reference and mask-file paths relative to this folder.

        Raises
        ------
        ValueError
            A reference or mask is an in-memory array or a function (give a
            file path or a mask spec instead), or an option has no recipe form.
        """
        out: dict[str, Any] = {"version": 1}
        if self.reference is not None:
            out["reference"] = self._ref_for_recipe(self.reference, "pipeline", relative_to)
        steps = []
        for s in self.steps:
            d: dict[str, Any] = {"name": s.name, "method": _method_name(s.estimator)}
            opts = changed_params(s.estimator, s.name)
            if opts:
                d["options"] = opts
            if s.reference is not None:
                d["reference"] = self._ref_for_recipe(s.reference, s.name, relative_to)
            if s.mask is not None:
                if not isinstance(s.mask, Mapping):
                    raise ValueError(
                        f"step {s.name!r}: a mask given as an array or function cannot be "
                        "saved; use a mask spec such as {'file': 'mask.png'} or "
                        "{'hue': [200, 60]}."
                    )
                d["mask"] = self._spec_for_recipe(dict(s.mask), relative_to)
            if s.strength != 1.0:
                d["strength"] = s.strength
            if s.mode != DEFAULT_MODE:
                d["mode"] = s.mode
            if s.reference_mask is not None:
                if not isinstance(s.reference_mask, Mapping):
                    raise ValueError(
                        f"step {s.name!r}: a reference_mask given as an array cannot be saved;"
                        " use a mask spec."
                    )
                d["reference_mask"] = self._spec_for_recipe(dict(s.reference_mask),
                                                            relative_to)
            steps.append(d)
        out["steps"] = steps
        return out

    def _ref_for_recipe(self, ref, who: str, relative_to) -> str:
        if not isinstance(ref, (str, os.PathLike)):
            raise ValueError(
                f"{who}: a reference given as an array cannot be saved in a recipe; give the "
                "path of an image file instead."
            )
        return self._relpath(ref, relative_to)

    def _relpath(self, p, relative_to) -> str:
        p = self._path(p)
        if relative_to is None:
            return p.as_posix()
        try:
            return Path(os.path.relpath(p.resolve(), Path(relative_to).resolve())).as_posix()
        except ValueError:  # another drive on Windows
            return p.resolve().as_posix()

    def _spec_for_recipe(self, spec: dict, relative_to) -> dict:
        if "file" in spec:
            spec["file"] = self._relpath(spec["file"], relative_to)
        return plain(spec, "mask")

    @classmethod
    def from_dict(cls, recipe: Mapping, *, base_dir=None) -> Pipeline:
        """Build a pipeline from recipe data (see the module docstring).

        Parameters
        ----------
        recipe : dict
            ``{"steps": [{"method": ..., ...}, ...], "reference": ...}``.
        base_dir : str or path, optional
            Folder that relative paths in the recipe start from.
        """
        if not isinstance(recipe, Mapping):
            raise TypeError(f"a recipe must be a dict, got {type(recipe).__name__}.")
        unknown = set(recipe) - _TOP_KEYS
        if unknown:
            raise ValueError(f"recipe has unknown keys {sorted(unknown)}; allowed: "
                             f"{sorted(_TOP_KEYS)}.")
        raw = recipe.get("steps")
        if not isinstance(raw, list) or not raw:
            raise ValueError("recipe needs a non-empty list of steps ([[steps]] in TOML).")
        steps = []
        for i, d in enumerate(raw):
            if not isinstance(d, Mapping):
                raise TypeError(f"recipe steps[{i}] must be a table/dict, got {d!r}.")
            bad = set(d) - _STEP_KEYS
            if bad:
                raise ValueError(f"recipe steps[{i}] has unknown keys {sorted(bad)}; allowed: "
                                 f"{sorted(_STEP_KEYS)}.")
            if "method" not in d:
                raise ValueError(f"recipe steps[{i}] needs a method, one of {sorted(STEPS)}.")
            klass = _import_class(d["method"])
            options = dict(d.get("options", {}))
            if "mode" in d and "blend" in d:
                raise ValueError(f"recipe steps[{i}]: give `mode` (the blend mode) only; "
                                 "`blend` is its old name.")
            try:
                check_options(klass, options, label=f"recipe steps[{i}] ({d['method']})")
                est = klass(**options)
            except TypeError as err:
                raise TypeError(f"recipe steps[{i}] ({d['method']}): bad options: {err}"
                                ) from None
            name = d.get("name") or str(d["method"]).rpartition(":")[2]
            if any(s.name == name for s in steps):
                name = f"{name}{i}"
            steps.append(Step(name, est, reference=d.get("reference"), mask=d.get("mask"),
                              strength=d.get("strength", 1.0),
                              mode=d.get("mode", d.get("blend", DEFAULT_MODE)),
                              reference_mask=d.get("reference_mask")))
        return cls(steps, reference=recipe.get("reference"), base_dir=base_dir)

    @classmethod
    def load(cls, path) -> Pipeline:
        """Read a recipe file (``.toml`` or ``.json``); paths in it are relative to its folder."""
        path = Path(path)
        return cls.from_dict(read_recipe(path), base_dir=path.parent)

    def save(self, path, *, overwrite: bool = False) -> None:
        """Write the recipe as TOML or JSON (by extension); paths relative to its folder."""
        path = Path(path)
        check_recipe_path(path)
        write_recipe(path, self.to_dict(relative_to=path.parent), overwrite=overwrite)


def _fit_takes_no_reference(estimator) -> bool:
    try:
        params = list(inspect.signature(estimator.fit).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return not positional or positional[0].default is not inspect.Parameter.empty
