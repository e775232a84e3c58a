"""The step contract every color operation follows, and the base class that gives it.

A *step* learns from a reference once and applies what it learned to many
images. Every registered transfer, palette transfer, tone, colorizer and
stylizer is one, so :class:`chroma.Pipeline`, :func:`chroma.transfer`,
``chroma batch`` and the contract test suite can treat them alike:

* ``fit(reference, /, *, reference_mask=None, channel_axis=-1) -> self``:
  `reference_mask` says which reference pixels count.
* ``transform(image, /, *, region=None, channel_axis=-1) -> ndarray``: the
  effect on the whole image, same height, width, dtype and alpha (gray may
  come back RGB). `region` says where *image statistics* come from (for the
  methods that use them); it is never a blend. Applying a mask is the job
  of :func:`chroma.compositing.blend` alone.
* ``get_params()`` / ``set_params(**p)`` / ``clone(step)``: the constructor's
  parameters, stored unvalidated in ``__init__`` (scikit-learn's convention,
  without importing scikit-learn). Learned state ends in ``_``.

Inside chroma, the pipeline and the one-call functions validate an image once
and call :func:`transform_checked` (and ``_fit_image``) on the checked array,
so a step is never checked twice.

*Tiles at the door.* A step whose effect is per pixel once its operator is
known offers ``_tile_operator(arr, sel)``: it gathers what it needs from the
whole image (the statistics of methods that fit on the image, in fixed
blocks) and returns a function that maps one row tile of `arr` to the result
in the caller's dtype. :func:`transform_checked` then runs it over the row
tiles of :mod:`chroma._core.tiles` into one preallocated output, so peak
memory is the output plus a few tile-sized temporaries. Steps without one
(``None``) run ``_transform_image(arr, sel)`` on the whole array.

Examples
--------
>>> from chroma.transfers.reinhard import ReinhardTransfer
>>> step = ReinhardTransfer(space="lab", strength=0.5)
>>> isinstance(step, Step)
True
>>> clone(step).get_params() == step.get_params()
True
"""

from __future__ import annotations

import copy
import functools
import inspect
import warnings
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

__all__ = ["ColorStep", "Step", "clone", "transform_checked"]


@runtime_checkable
class Step(Protocol):
    """What every pipeline step provides (see the module docstring)."""

    def fit(self, reference: np.ndarray, /, *, reference_mask=None) -> Step: ...

    def transform(self, image: np.ndarray, /, *, region=None) -> np.ndarray: ...

    def get_params(self, deep: bool = True) -> dict[str, Any]: ...

    def set_params(self, **params: Any) -> Step: ...


class ColorStep:
    """Parameters, ``repr`` and cloning for steps (scikit-learn's BaseEstimator, slimmed).

    Subclasses store each ``__init__`` argument under its own name. A class
    attribute ``_renamed = {"old": "new"}`` keeps an old parameter name working
    (with a ``DeprecationWarning``) after a rename to the glossary's name.
    """

    _renamed: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        renamed = cls.__dict__.get("_renamed")
        if not renamed or "__init__" not in cls.__dict__:
            return
        init = cls.__init__

        @functools.wraps(init)
        def __init__(self, *args, **kw):
            for old, new in renamed.items():
                if old in kw:
                    if new in kw:
                        raise TypeError(f"give `{new}` only; `{old}` is its old name.")
                    warnings.warn(f"{cls.__name__}: `{old}` is now called `{new}`.",
                                  DeprecationWarning, stacklevel=2)
                    kw[new] = kw.pop(old)
            init(self, *args, **kw)

        cls.__init__ = __init__

    @classmethod
    def _param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        sig = inspect.signature(init)
        return sorted(
            p.name for p in sig.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        )

    #: a learned attribute that exists once the step is fitted
    _fitted_attr: ClassVar[str] = "n_features_in_"

    def _check_params(self) -> None:
        """Validate the parameters (called by fit and transform; subclasses extend it)."""

    def transform(self, image, /, *, region=None, channel_axis: int = -1):
        """The step's effect on `image`, everywhere (its dtype and alpha kept).

        Parameters
        ----------
        image : ndarray
            RGB(A) or gray image; uint8, uint16 or float in [0, 1].
        region : ndarray of shape (M, N), optional
            Where the image's statistics come from, for steps that use them.
            Never a blend (see :func:`chroma.compositing.apply_step`).
        channel_axis : int, optional
            Channel axis of `image` and of the result.

        Returns
        -------
        out : ndarray
            Same dtype (float16 gives float32) and alpha as `image`.
        """
        from chroma._core.validate import (
            check_fitted,
            check_image,
            check_region,
            to_channel_axis,
        )

        check_fitted(self, self._fitted_attr)
        self._check_params()
        arr = check_image(image, name="image", channel_axis=channel_axis)
        sel = check_region(region, arr.shape, name="region")
        return to_channel_axis(transform_checked(self, arr, sel), channel_axis)

    def _transform_image(self, arr: np.ndarray, sel: np.ndarray | None) -> np.ndarray:
        """The effect on a checked array (channels last, its dtype), `sel` a flat region."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _tile_operator(self, arr: np.ndarray, sel: np.ndarray | None):
        """A function mapping one row tile of `arr` to its result, or None (see the module).

        Called once per transform with the whole checked array, so that image
        statistics come from all of it (or its region `sel`).
        """
        return None

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters and their current values."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> ColorStep:
        """Set constructor parameters; an unknown name is a ``ValueError``."""
        valid = set(self._param_names())
        for key, value in params.items():
            if key not in valid:
                raise ValueError(
                    f"{key!r} is not a parameter of {type(self).__name__}; "
                    f"parameters are {sorted(valid)}."
                )
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        defaults = {}
        sig = inspect.signature(type(self).__init__)
        for p in sig.parameters.values():
            if p.default is not p.empty:
                defaults[p.name] = p.default
        shown = []
        for name, value in self.get_params().items():
            default = defaults.get(name, inspect.Parameter.empty)
            same = default is not inspect.Parameter.empty and _same(value, default)
            if not same:
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def __getstate__(self):
        return dict(self.__dict__)

    def __setstate__(self, state):
        self.__dict__.update(state)


def transform_checked(step: Any, arr: np.ndarray, sel: np.ndarray | None) -> np.ndarray:
    """`step`'s effect on a checked array (channels last): in row tiles when it can.

    Examples
    --------
    >>> from chroma.toning import ToneStep
    >>> img = np.full((4, 4, 3), 128, np.uint8)
    >>> transform_checked(ToneStep().fit(), img, None).dtype
    dtype('uint8')
    """
    plan = getattr(step, "_tile_operator", None)
    op = plan(arr, sel) if plan is not None else None
    if op is None:
        return step._transform_image(arr, sel)
    from chroma._core.tiles import apply_tiles

    return apply_tiles(arr, op)


def _same(a: Any, b: Any) -> bool:
    try:
        result = a == b
        return bool(result) if not isinstance(result, np.ndarray) else bool(result.all())
    except Exception:  # pragma: no cover - exotic parameter types
        return a is b


def clone(step: Any) -> Any:
    """A new, unfitted step with the same parameters (deep-copied).

    Examples
    --------
    >>> from chroma.transfers.reinhard import ReinhardTransfer
    >>> clone(ReinhardTransfer(space="rgb"))
    ReinhardTransfer(space='rgb')
    """
    if not hasattr(step, "get_params"):
        raise TypeError(f"cannot clone {type(step).__name__}: it has no get_params().")
    params = {k: copy.deepcopy(v) for k, v in step.get_params(deep=False).items()}
    return type(step)(**params)
