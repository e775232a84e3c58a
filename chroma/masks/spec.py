"""Masks from descriptions: :func:`from_spec` (recipes, the CLI) and :func:`from_file`."""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from chroma._core.validate import check_image
from chroma.masks._common import _as_mask, _shape2
from chroma.masks.algebra import intersect, invert
from chroma.masks.builders import chroma_threshold, hue_range, lightness_range, pick
from chroma.masks.refinement import feather, refine
from chroma.masks.shapes import ellipse, polygon, rectangle

__all__ = ["from_file", "from_spec"]


def from_file(path: str | os.PathLike, shape=None) -> np.ndarray:
    """Read a mask from an image file.

    A gray image is used as is; an image with alpha (gray + alpha, RGBA PNG)
    gives its alpha channel; an RGB image without alpha gives its BT.601
    luma. Values are scaled by the file's bit depth (255 or 65535).

    Parameters
    ----------
    path : str or path-like
        Image file (PNG, TIFF, JPEG, ...).
    shape : tuple or ndarray, optional
        The image the mask is for (or its shape); a mask of another height
        or width is an error rather than being resized silently.

    Returns
    -------
    mask : ndarray of float32, shape (M, N)

    Raises
    ------
    ValueError
        The size differs from `shape`, or the file holds NaN or values
        outside [0, 1] (float TIFF).

    Examples
    --------
    >>> import tempfile, os
    >>> from chroma.io import write_image
    >>> path = os.path.join(tempfile.mkdtemp(), "m.png")
    >>> write_image(path, np.array([[0, 255], [128, 255]], dtype=np.uint8))
    >>> from_file(path).round(2)
    array([[0. , 1. ],
           [0.5, 1. ]], dtype=float32)
    >>> from_file(path, shape=(3, 2))
    Traceback (most recent call last):
    ...
    ValueError: mask file '...' is 2x2 (rows x cols) but the image is 3x2; ...
    """
    from chroma.io import read_image

    img = read_image(path)
    if img.ndim == 3:
        c = img.shape[-1]
        if c in (2, 4):
            img = img[..., -1]
        elif c == 3:
            w = np.array([0.299, 0.587, 0.114], dtype=np.float32)
            scale = 1.0 if img.dtype.kind == "f" else float(np.iinfo(img.dtype).max)
            img = np.clip(img.astype(np.float32) @ w / np.float32(scale), 0.0, 1.0)
        else:
            img = img[..., 0]
    if shape is not None:
        hw = _shape2(shape)
        if img.shape[:2] != hw:
            raise ValueError(
                f"mask file {str(path)!r} is {img.shape[0]}x{img.shape[1]} (rows x cols) but "
                f"the image is {hw[0]}x{hw[1]}; resize the mask to the image first."
            )
    return _as_mask(img, name=f"mask file {str(path)!r}")


_SPEC_BUILDERS = ("file", "hue", "pick", "colors", "lightness", "chroma", "rectangle",
                  "ellipse", "polygon")
_SPEC_MODIFIERS = ("invert", "feather", "refine", "falloff", "min_chroma", "tolerance",
                   "angle", "antialias")
# older key -> its name now; still read (the CLI and saved recipes write them)
_SPEC_RENAMED = {"softness": "falloff", "fuzziness": "tolerance"}


def from_spec(spec: Mapping, image, *, base_dir: str | os.PathLike | None = None
              ) -> np.ndarray:
    """Build a mask from a recipe-style description (a dict).

    Keys that build a mask (several are intersected):

    * ``file = "sky.png"`` (:func:`from_file`; relative to `base_dir`)
    * ``hue = [center, width]`` (:func:`hue_range`; with ``falloff``,
      ``min_chroma``)
    * ``pick = [[x, y], ...]`` and/or ``colors = ["#rrggbb", ...]``
      (:func:`pick`; with ``tolerance``)
    * ``lightness = [low, high]`` (:func:`lightness_range`)
    * ``chroma = [low]`` or ``[low, high]`` (:func:`chroma_threshold`)
    * ``rectangle = [x0, y0, x1, y1]``, ``ellipse = [cx, cy, rx, ry]``
      (with ``angle``), ``polygon = [[x, y], ...]``

    ``falloff`` also applies to ``lightness`` and ``chroma``; the older key
    names ``softness`` and ``fuzziness`` are read as ``falloff`` and
    ``tolerance``. Then modifiers, in this order: ``refine = true`` (or a radius) snaps to
    edges (:func:`refine`), ``feather = sigma`` blurs (:func:`feather`),
    ``invert = true`` inverts.

    Examples
    --------
    >>> img = np.zeros((4, 6, 3), dtype=np.uint8)
    >>> from_spec({"rectangle": [0, 0, 3, 4], "invert": True}, img)[0]
    array([0., 0., 0., 1., 1., 1.], dtype=float32)
    """
    if not isinstance(spec, Mapping):
        raise TypeError(f"a mask spec must be a dict (e.g. {{hue = [200, 60]}}), got {spec!r}.")
    spec = {_SPEC_RENAMED.get(k, k): v for k, v in spec.items()}
    unknown = set(spec) - set(_SPEC_BUILDERS) - set(_SPEC_MODIFIERS)
    if unknown:
        raise ValueError(
            f"mask spec has unknown keys {sorted(unknown)}; builders are "
            f"{list(_SPEC_BUILDERS)}, modifiers {list(_SPEC_MODIFIERS)}."
        )
    img = check_image(image)
    shape = img.shape[:2]
    kw_soft = {"falloff": float(spec["falloff"])} if "falloff" in spec else {}
    parts = []
    if "file" in spec:
        p = Path(spec["file"])
        if base_dir is not None and not p.is_absolute():
            p = Path(base_dir) / p
        parts.append(from_file(p, shape=shape))
    if "hue" in spec:
        center, width = _pair(spec["hue"], "hue", "[center, width]")
        kw = dict(kw_soft)
        if "min_chroma" in spec:
            kw["min_chroma"] = float(spec["min_chroma"])
        parts.append(hue_range(img, center, width, **kw))
    if "pick" in spec or "colors" in spec:
        kw = {"tolerance": float(spec["tolerance"])} if "tolerance" in spec else {}
        parts.append(pick(img, points=spec.get("pick"), colors=spec.get("colors"), **kw))
    if "lightness" in spec:
        lo, hi = _pair(spec["lightness"], "lightness", "[low, high]")
        parts.append(lightness_range(img, lo, hi, **kw_soft))
    if "chroma" in spec:
        v = spec["chroma"]
        v = [v] if isinstance(v, numbers.Real) else list(v)
        if len(v) not in (1, 2):
            raise ValueError(f"mask spec chroma must be [low] or [low, high], got {v!r}.")
        parts.append(chroma_threshold(img, *map(float, v), **kw_soft))
    aa = {"antialias": bool(spec["antialias"])} if "antialias" in spec else {}
    if "rectangle" in spec:
        parts.append(rectangle(shape, spec["rectangle"], **aa))
    if "ellipse" in spec:
        e = list(spec["ellipse"])
        if len(e) not in (3, 4):
            raise ValueError(
                f"mask spec ellipse must be [cx, cy, r] or [cx, cy, rx, ry], got {e}."
            )
        parts.append(ellipse(shape, e[:2], e[2:], angle=float(spec.get("angle", 0.0)), **aa))
    if "polygon" in spec:
        parts.append(polygon(shape, spec["polygon"], **aa))
    if not parts:
        raise ValueError(f"mask spec {dict(spec)!r} builds nothing; give one of "
                         f"{list(_SPEC_BUILDERS)}.")
    m = intersect(*parts) if len(parts) > 1 else parts[0]
    ref = spec.get("refine", False)
    if ref:
        m = refine(m, img, radius=8 if ref is True else int(ref))
    if spec.get("feather"):
        m = feather(m, float(spec["feather"]))
    if spec.get("invert", False):
        m = invert(m)
    return m


def _pair(value, key: str, form: str) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"mask spec {key} must be {form}, got {value!r}.") from None
    return a, b
