"""Pipelines: ordered color steps, each with its own reference, mask and strength.

A :class:`Pipeline` runs named steps in order. A step is any estimator with
``fit(reference)`` and ``transform(image)`` (the transfers, palette transfer,
toning, the colorizer). The pipeline fits each step on its reference, runs
it on the current image, and blends the result in by the step's mask and
strength: steps never see masks. Pipelines are saved as recipes (TOML or
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
    blend = "normal"                  # "normal" | "chroma" | "pyramid"
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

import importlib
import inspect
import json
import math
import numbers
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._validate import check_mask, check_strength, to_float

__all__ = ["STEPS", "Pipeline", "Step", "ToneStep", "register_step"]

# recipe name -> "module:Class" (imported on first use)
STEPS: dict[str, str] = {
    "histogram": "chroma.histogram:HistogramMatcher",
    "reinhard": "chroma.transfer.reinhard:ReinhardTransfer",
    "mkl": "chroma.transfer.linear:MKLTransfer",
    "idt": "chroma.transfer.idt:IDTTransfer",
    "sot": "chroma.transfer.sliced:SlicedOTTransfer",
    "palette": "chroma.palette:PaletteTransfer",
    "tone": "chroma.pipeline:ToneStep",
    "colorize": "chroma.colorize:Colorizer",
    "style": "chroma.stylize:Stylizer",
}
BLEND_MODES = ("normal", "chroma", "pyramid")
_STEP_KEYS = {"name", "method", "options", "reference", "mask", "strength", "blend"}
_TOP_KEYS = {"version", "reference", "steps"}


def register_step(name: str, cls: type | str) -> None:
    """Make a step class available to recipes as ``method = name``.

    Parameters
    ----------
    name : str
        Name used in recipes.
    cls : type or str
        The estimator class, or ``"package.module:Class"``.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"`name` must be a non-empty str, got {name!r}.")
    STEPS[name] = cls if isinstance(cls, str) else f"{cls.__module__}:{cls.__qualname__}"


def _import_class(method: str):
    target = STEPS.get(method, method)
    if ":" not in target:
        raise ValueError(
            f"method={method!r} is not a step; choose from {sorted(STEPS)} or give "
            "'package.module:Class'."
        )
    module, _, qual = target.partition(":")
    try:
        obj = importlib.import_module(module)
        for part in qual.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as err:
        raise ImportError(f"method={method!r} needs {target}, which is not available: {err}"
                          ) from err
    return obj


def _method_name(estimator) -> str:
    cls = type(estimator)
    full = f"{cls.__module__}:{cls.__qualname__}"
    for name, target in STEPS.items():
        if target == full:
            return name
    # classes re-exported elsewhere (chroma.transfer.ReinhardTransfer, ...): match by object
    for name, target in STEPS.items():
        module, _, qual = target.partition(":")
        mod = importlib.import_module(module) if module.startswith("chroma") else None
        try:
            if mod is not None and getattr(mod, qual) is cls:
                return name
        except AttributeError:
            continue
    return full


class ToneStep:
    """Toning as a pipeline step: :func:`chroma.palette.tone` needs no reference.

    Parameters
    ----------
    mode : {"sepia", "duotone", "gradient"}, optional
    colors : list of str, optional
        Ramp colors for ``"duotone"`` / ``"gradient"``.
    strength : float, optional
        0 gives the input back, 1 the full toning.

    Examples
    --------
    >>> img = np.full((2, 2, 3), 0.5)
    >>> ToneStep().fit().transform(img).shape
    (2, 2, 3)
    """

    def __init__(self, mode: str = "sepia", *, colors=None, strength: float = 1.0):
        self.mode = mode
        self.colors = colors
        self.strength = strength

    def get_params(self, deep: bool = True) -> dict:
        return {"mode": self.mode, "colors": self.colors, "strength": self.strength}

    def set_params(self, **params) -> ToneStep:
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        return f"ToneStep(mode={self.mode!r})"

    def fit(self, reference=None) -> ToneStep:
        """Nothing to learn; returns self."""
        self.fitted_ = True
        return self

    def transform(self, image):
        """Tone `image` (see :func:`chroma.palette.tone`)."""
        from .palette import tone

        return tone(image, mode=self.mode, colors=self.colors, strength=self.strength)


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
    blend : {"normal", "chroma", "pyramid"}, optional
        How the step's output is blended in (see :func:`chroma.blend.blend`).
    """

    name: str
    estimator: Any
    reference: Any = None
    mask: Any = None
    strength: float = 1.0
    blend: str = "normal"

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
        if self.blend not in BLEND_MODES:
            raise ValueError(
                f"step {self.name!r}: blend={self.blend!r}; choose from {list(BLEND_MODES)}."
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
        "blend": ...})``.
    reference : str, path or ndarray, optional
        Reference of the steps that have none of their own.
    base_dir : str or path, optional
        Folder that relative reference and mask-file paths start from (a
        loaded recipe's folder). Default: the current folder.

    Examples
    --------
    >>> from chroma.transfer import ReinhardTransfer
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
            from .io import read_image

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
            else:
                step.estimator.fit(ref)
        self.n_steps_ = len(self.steps)
        return self

    def _step_mask(self, step: Step, image: np.ndarray) -> np.ndarray | None:
        spec = step.mask
        if spec is None:
            return None
        if isinstance(spec, Mapping):
            from .masks import from_spec

            return from_spec(spec, image, base_dir=self.base_dir)
        m = spec(image) if callable(spec) else spec
        return check_mask(m, image.shape, name=f"mask of step {step.name!r}")

    def transform(self, image, *, mask=None, channel_axis: int = -1) -> np.ndarray:
        """Run the fitted steps on `image`.

        Parameters
        ----------
        image : ndarray
            Gray or RGB, optional alpha; uint8, uint16 or float.
        mask : ndarray of shape (M, N), optional
            Where the whole pipeline applies (on top of each step's mask).
        channel_axis : int, optional
            Channel axis of `image` and of the result.

        Returns
        -------
        out : ndarray
            Same dtype and alpha as `image` (gray comes back RGB if a step
            colors it).
        """
        from .blend import _as_rgb, blend

        if not hasattr(self, "n_steps_"):
            from ._validate import NotFittedError

            raise NotFittedError("Pipeline is not fitted; call fit(reference) first.")
        x, restore = to_float(image, channel_axis=channel_axis)
        final_mask = None if mask is None else check_mask(mask, x.shape, name="mask")
        source = x  # masks are computed on the input
        cur = x
        for step in self.steps:
            y = np.asarray(step.estimator.transform(cur))
            y = to_float(y)[0] if y.dtype.kind != "f" else y.astype(np.float32, copy=False)
            if y.ndim == 2:
                y = y[..., None]
            if y.shape[:2] != cur.shape[:2]:
                raise ValueError(
                    f"step {step.name!r} changed the image size from {cur.shape[:2]} to "
                    f"{y.shape[:2]}; steps must keep it."
                )
            if y.shape[-1] != cur.shape[-1]:  # a gray image came back in color
                cur = np.repeat(cur, 3, axis=-1) if cur.shape[-1] == 1 else cur
                y = np.repeat(y, 3, axis=-1) if y.shape[-1] == 1 else y
                restore = _as_rgb(restore)
            m = self._step_mask(step, source)
            if m is None and step.strength == 1.0:
                cur = np.clip(y, 0.0, 1.0)
            else:
                cur = blend(cur, y, m, mode=step.blend, strength=step.strength)
        if final_mask is not None:
            x0 = x if x.shape[-1] == cur.shape[-1] else np.repeat(x, 3, axis=-1)
            cur = blend(x0, cur, final_mask, mode="normal")
        return restore(cur)

    def fit_transform(self, image, reference=None, **kwargs) -> np.ndarray:
        """``fit(reference).transform(image, **kwargs)``."""
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
            opts = _changed_params(s.estimator, s.name)
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
            if s.blend != "normal":
                d["blend"] = s.blend
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
        return _plain(spec, "mask")

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
            try:
                est = klass(**options)
            except TypeError as err:
                raise TypeError(f"recipe steps[{i}] ({d['method']}): bad options: {err}"
                                ) from None
            name = d.get("name") or str(d["method"]).rpartition(":")[2]
            if any(s.name == name for s in steps):
                name = f"{name}{i}"
            steps.append(Step(name, est, reference=d.get("reference"), mask=d.get("mask"),
                              strength=d.get("strength", 1.0), blend=d.get("blend", "normal")))
        return cls(steps, reference=recipe.get("reference"), base_dir=base_dir)

    @classmethod
    def load(cls, path) -> Pipeline:
        """Read a recipe file (``.toml`` or ``.json``); paths in it are relative to its folder."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no such recipe file: {str(path)!r}")
        text = path.read_text(encoding="utf-8")
        suffix = path.suffix.lower()
        try:
            if suffix == ".toml":
                try:
                    import tomllib
                except ImportError:  # Python 3.10
                    import tomli as tomllib
                data = tomllib.loads(text)
            elif suffix == ".json":
                data = json.loads(text)
            else:
                raise ValueError(
                    f"recipe {str(path)!r}: unknown extension {suffix!r}; use .toml or .json."
                )
        except (ValueError, TypeError) as err:  # TOMLDecodeError and JSONDecodeError too
            if "unknown extension" in str(err):
                raise
            raise ValueError(f"cannot parse recipe {str(path)!r}: {err}") from None
        return cls.from_dict(data, base_dir=path.parent)

    def save(self, path, *, overwrite: bool = False) -> None:
        """Write the recipe as TOML or JSON (by extension); paths relative to its folder."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".toml", ".json"):
            raise ValueError(f"cannot save recipe {str(path)!r}: use a .toml or .json name.")
        if path.exists() and not overwrite:
            raise FileExistsError(f"{str(path)!r} exists; pass overwrite=True to replace it.")
        data = self.to_dict(relative_to=path.parent)
        text = _to_toml(data) if suffix == ".toml" else json.dumps(data, indent=2) + "\n"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)


def _fit_takes_no_reference(estimator) -> bool:
    try:
        params = list(inspect.signature(estimator.fit).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return not positional or positional[0].default is not inspect.Parameter.empty


def _changed_params(estimator, who: str) -> dict:
    """Parameters that differ from the class defaults, as recipe data."""
    get = getattr(estimator, "get_params", None)
    if get is None:
        return {}
    params = get(deep=False)
    try:
        sig = inspect.signature(type(estimator).__init__).parameters
    except (TypeError, ValueError):
        sig = {}
    out = {}
    for k, v in params.items():
        default = sig[k].default if k in sig else inspect.Parameter.empty
        if default is not inspect.Parameter.empty and _same(v, default):
            continue
        out[k] = _plain(v, f"step {who!r} option {k!r}")
    return out


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return type(a) is type(b) and bool(a == b)
    except (ValueError, TypeError):
        return False


def _plain(value, who: str):
    """Recipe-safe copy of `value`: str, bool, int, float, lists and dicts of those."""
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v, who) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist(), who)
    if isinstance(value, Mapping):
        return {str(k): _plain(v, who) for k, v in value.items()}
    if hasattr(value, "to_hex"):  # a Palette
        return list(value.to_hex())
    if value is None:
        raise ValueError(f"{who} is None where the default is not; recipes have no null.")
    raise ValueError(
        f"{who} = {value!r} ({type(value).__name__}) cannot be written to a recipe; use "
        "numbers, strings, booleans and lists of them."
    )


# --- a small TOML writer (the recipe subset: scalars, arrays, inline tables) ----------------
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise ValueError(f"cannot write {v!r} to TOML")


def _to_toml(data: dict) -> str:
    lines = ["# chroma recipe: run with `chroma run THIS_FILE IMAGE -o OUT`"]
    for k, v in data.items():
        if k != "steps":
            lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    for step in data.get("steps", []):
        lines += ["", "[[steps]]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in step.items()]
    return "\n".join(lines) + "\n"

