"""Masks: where an effect applies. Builders, algebra, feathering, edge snapping.

A mask is a float32 array of shape ``(M, N)`` with values in [0, 1]: 1 means
"apply fully", 0 "leave alone", values between blend. Every function here
returns a fresh mask of that kind; inputs are never modified.

Coordinates
-----------
``x`` is the column and ``y`` the row. Pixel ``(row, col)`` is the unit
square centred on ``(x=col, y=row)`` (the scikit-image convention), so a
point ``(x, y)`` given as integers names one pixel. :func:`rectangle` takes a
box ``(x0, y0, x1, y1)`` with slice semantics: integer corners select exactly
``image[y0:y1, x0:x1]``.

Soft edges
----------
Builders that threshold a quantity (hue, lightness, chroma, color distance)
fall off smoothly (a smoothstep) over ``softness`` units instead of cutting
hard; ``softness=0`` gives a hard 0/1 mask. Shapes are anti-aliased by exact
pixel coverage (rectangle) or a one-pixel-wide ramp across the edge (ellipse,
polygon); ``antialias=False`` gives hard masks from pixel centres. All
builders take ``feather`` (a Gaussian sigma in pixels, applied last, 0 = off).

References
----------
.. [1] K. He, J. Sun, X. Tang, "Guided Image Filtering", IEEE TPAMI 35(6),
       2013 (ECCV 2010).
.. [2] G. Sharma, W. Wu, E. N. Dalal, "The CIEDE2000 color-difference
       formula: implementation notes, supplementary test data, and
       mathematical observations", Color Res. Appl. 30(1), 2005.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from chroma._core.validate import check_image, check_mask, to_float

__all__ = [
    "chroma_threshold",
    "ellipse",
    "feather",
    "from_file",
    "from_spec",
    "hue_range",
    "intersect",
    "invert",
    "lightness_range",
    "pick",
    "polygon",
    "rectangle",
    "refine",
    "subtract",
    "union",
]


# --- helpers ---------------------------------------------------------------------------
def _as_mask(mask, name: str = "mask", shape: tuple[int, ...] | None = None) -> np.ndarray:
    """Validate a mask (bool, uint or float in [0, 1]); return float32 (M, N)."""
    if shape is None:
        arr = mask if isinstance(mask, np.ndarray) else np.asarray(mask)
        if arr.ndim == 3 and arr.shape[-1] == 1:
            arr = arr[..., 0]
        if arr.ndim != 2:
            raise ValueError(f"`{name}` must be a 2-D (M, N) mask, got shape {arr.shape}.")
        shape = arr.shape
        mask = arr
    m = check_mask(mask, shape, name=name)
    if m is mask:  # check_mask may return the caller's float32 array: never hand it out
        m = m.copy()
    return m


def _shape2(shape, name: str = "shape") -> tuple[int, int]:
    """(M, N) from an image shape, an image, or a 2-tuple."""
    if isinstance(shape, np.ndarray):
        shape = shape.shape
    try:
        hw = tuple(int(s) for s in tuple(shape)[:2])
    except (TypeError, ValueError):
        raise TypeError(
            f"`{name}` must be an image shape (rows, cols[, channels]) or an array, "
            f"got {shape!r}."
        ) from None
    if len(hw) != 2 or hw[0] <= 0 or hw[1] <= 0:
        raise ValueError(f"`{name}` must give a positive (rows, cols), got {shape!r}.")
    return hw


def _check_nonneg(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a number, got {type(value).__name__}.")
    v = float(value)
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"`{name}` must be a finite number >= 0, got {value!r}.")
    return v


def _smoothstep(t: np.ndarray) -> np.ndarray:
    """3t² - 2t³ on t clipped to [0, 1] (in place on a float array it owns)."""
    np.clip(t, 0.0, 1.0, out=t)
    return t * t * (3.0 - 2.0 * t)


def _falloff(dist: np.ndarray, inner: float, softness: float) -> np.ndarray:
    """1 where dist <= inner, smoothly 0 at dist >= inner + softness (hard if softness=0)."""
    if softness <= 0:
        return (dist <= inner).astype(np.float32)
    t = (inner + softness - dist) / softness
    return _smoothstep(t.astype(np.float32, copy=False))


def _band(x: np.ndarray, low: float, high: float, softness: float) -> np.ndarray:
    """1 on [low, high], smooth ramps of width `softness` outside it."""
    centre, half = 0.5 * (low + high), 0.5 * (high - low)
    return _falloff(np.abs(x - centre), half, softness)


def _lab(image, name: str = "image") -> np.ndarray:
    """float32 CIELAB (M, N, 3) of an image (gray is taken as neutral)."""
    from chroma.spaces import _convert_float

    x, _ = to_float(image, name=name, gray_to_rgb=True)
    return _convert_float(x, "rgb", "lab")


def _finish(mask: np.ndarray, feather_sigma) -> np.ndarray:
    mask = np.asarray(mask, dtype=np.float32)
    sigma = _check_nonneg(feather_sigma, "feather")
    if sigma > 0:
        mask = feather(mask, sigma)
    return np.ascontiguousarray(mask, dtype=np.float32)


# --- builders from images --------------------------------------------------------------
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


def hue_range(
    image,
    center: float,
    width: float,
    *,
    softness: float = 10.0,
    min_chroma: float = 8.0,
    feather: float = 0.0,
) -> np.ndarray:
    """Select the pixels whose CIE LCh hue lies in a band of hue angles.

    Hue is the LCh(ab) angle in degrees (0 ≈ magenta-red, 40 ≈ red, 70 ≈
    orange, 100 ≈ yellow, 140 ≈ green, 200 ≈ cyan, 260-300 ≈ blue). The band
    wraps around 360: ``center=350, width=40`` covers 330..10.

    Gray pixels have no reliable hue (their angle is set by noise), so
    pixels of low chroma are suppressed: the weight is multiplied by a
    smooth ramp from 0 at ``C* = min_chroma`` to 1 at ``C* = 2 * min_chroma``
    (``min_chroma=0`` turns this off).

    Parameters
    ----------
    image : ndarray
        RGB image (uint8, uint16 or float); gray input gives an empty mask.
    center : float
        Centre of the band, degrees (any real; taken modulo 360).
    width : float
        Full width of the fully-selected band, degrees (``center ± width/2``);
        360 selects every hue.
    softness : float, optional
        Width in degrees of the smooth falloff on each side of the band.
    min_chroma : float, optional
        Chroma (C*, CIELAB units) below which pixels count as gray.
    feather : float, optional
        Gaussian sigma in pixels applied to the mask at the end.

    Returns
    -------
    mask : ndarray of float32, shape (M, N)

    Examples
    --------
    >>> img = np.array([[[255, 0, 0], [0, 0, 255], [128, 128, 128]]], dtype=np.uint8)
    >>> hue_range(img, center=40, width=20)  # red: hue 40 degrees
    array([[1., 0., 0.]], dtype=float32)
    """
    for v, n in ((center, "center"), (width, "width")):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v):
            raise TypeError(f"`{n}` must be a finite number of degrees, got {v!r}.")
    width = _check_nonneg(width, "width")
    softness = _check_nonneg(softness, "softness")
    min_chroma = _check_nonneg(min_chroma, "min_chroma")
    from chroma.spaces import _convert_float

    lch = _convert_float(_lab(image), "lab", "lch")
    hue, c = lch[..., 2], lch[..., 1]
    if width >= 360:
        m = np.ones(hue.shape, np.float32)
    else:
        d = np.abs((hue - np.float32(center % 360.0) + 180.0) % 360.0 - 180.0)
        m = _falloff(d, 0.5 * width, softness)
    if min_chroma > 0:
        m *= _smoothstep((c - np.float32(min_chroma)) / np.float32(min_chroma))
    return _finish(m, feather)


def lightness_range(
    image, low: float, high: float, *, softness: float = 5.0, feather: float = 0.0
) -> np.ndarray:
    """Select pixels whose CIELAB lightness L* (0..100) lies in ``[low, high]``.

    Parameters
    ----------
    image : ndarray
        Gray or RGB image.
    low, high : float
        Band of L*, with ``low <= high``.
    softness : float, optional
        Width in L* of the smooth falloff outside the band (0 = hard).
    feather : float, optional
        Gaussian sigma in pixels applied at the end.

    Returns
    -------
    mask : ndarray of float32, shape (M, N)

    Examples
    --------
    >>> img = np.array([[0.0, 0.5, 1.0]])  # L* = 0, 76, 100
    >>> lightness_range(img, 60, 100, softness=0)
    array([[0., 1., 1.]], dtype=float32)
    """
    low, high = float(low), float(high)
    if not (np.isfinite(low) and np.isfinite(high)) or low > high:
        raise ValueError(f"`low` and `high` must be finite with low <= high, got {low}, {high}.")
    softness = _check_nonneg(softness, "softness")
    return _finish(_band(_lab(image)[..., 0], low, high, softness), feather)


def chroma_threshold(
    image,
    low: float,
    high: float = np.inf,
    *,
    softness: float = 5.0,
    feather: float = 0.0,
) -> np.ndarray:
    """Select pixels whose CIELAB chroma ``C* = hypot(a*, b*)`` lies in ``[low, high]``.

    ``chroma_threshold(img, 20)`` keeps the saturated colors;
    ``chroma_threshold(img, 0, 10)`` the near-grays.

    Parameters
    ----------
    image : ndarray
        RGB image (gray input has C* = 0 everywhere).
    low : float
        Lowest chroma selected (sRGB reaches about C* = 130).
    high : float, optional
        Highest chroma selected (default: no upper limit).
    softness : float, optional
        Width in C* of the smooth falloff outside the band (0 = hard).
    feather : float, optional
        Gaussian sigma in pixels applied at the end.

    Returns
    -------
    mask : ndarray of float32, shape (M, N)

    Examples
    --------
    >>> img = np.array([[[255, 0, 0], [128, 128, 128]]], dtype=np.uint8)
    >>> chroma_threshold(img, 30)
    array([[1., 0.]], dtype=float32)
    """
    low, high = float(low), float(high)
    if not np.isfinite(low) or np.isnan(high) or low > high:
        raise ValueError(f"`low` must be finite and <= `high`, got {low}, {high}.")
    softness = _check_nonneg(softness, "softness")
    lab = _lab(image)
    c = np.hypot(lab[..., 1], lab[..., 2])
    if np.isinf(high):
        m = _falloff(low - c, 0.0, softness)
    else:
        m = _band(c, low, high, softness)
    return _finish(m, feather)


def _parse_colors(colors) -> np.ndarray:
    """sRGB colors -> float (K, 3) in [0, 1]: hex strings, int triples 0..255, floats 0..1."""
    if isinstance(colors, str) or (
        np.ndim(colors) == 1 and not isinstance(colors, str) and len(colors) == 3
        and not isinstance(colors[0], str)
    ):
        colors = [colors]
    out = []
    for c in colors:
        if isinstance(c, str):
            h = c.strip().lstrip("#")
            if len(h) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in h):
                raise ValueError(f"`colors`: {c!r} is not a '#rrggbb' hex color.")
            out.append([int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4)])
            continue
        a = np.asarray(c)
        if a.shape != (3,) or a.dtype.kind not in "iuf":
            raise ValueError(
                f"`colors` entries must be '#rrggbb' strings or RGB triples, got {c!r}."
            )
        if a.dtype.kind in "iu":
            if a.min() < 0 or a.max() > 255:
                raise ValueError(f"`colors`: integer triples must lie in [0, 255], got {c!r}.")
            a = a / 255.0
        elif not np.isfinite(a).all() or a.min() < 0 or a.max() > 1:
            raise ValueError(f"`colors`: float triples must lie in [0, 1], got {c!r}.")
        out.append(a.astype(float))
    if not out:
        raise ValueError("`colors` is empty; give at least one color.")
    return np.array(out, dtype=np.float64)


def _ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 between Lab arrays (broadcasting): chroma.metrics, else scikit-image."""
    try:
        from chroma.metrics import ciede2000
    except ImportError:  # pragma: no cover - metrics ships with chroma
        from skimage.color import deltaE_ciede2000

        return deltaE_ciede2000(lab1, lab2, channel_axis=-1)
    return ciede2000(lab1, np.broadcast_to(lab2, lab1.shape))


def pick(
    image,
    points: Sequence[Sequence[float]] | None = None,
    colors=None,
    *,
    fuzziness: float = 12.0,
    radius: int = 1,
    feather: float = 0.0,
) -> np.ndarray:
    """Eyedropper: select pixels close (CIEDE2000) to sampled colors.

    Each target color is taken from the image at a point (the mean Lab of
    the ``(2 radius + 1)²`` window around it) or given directly. A pixel's
    weight is 1 where its CIEDE2000 difference to the nearest target is at
    most `fuzziness`, falling smoothly to 0 at ``2 * fuzziness``.

    Parameters
    ----------
    image : ndarray
        Gray or RGB image.
    points : sequence of (x, y), optional
        Pixel positions to sample: ``x`` is the column, ``y`` the row.
    colors : color or sequence of colors, optional
        sRGB targets: ``"#rrggbb"`` strings, integer triples in [0, 255], or
        float triples in [0, 1].
    fuzziness : float, optional
        ΔE00 tolerance (about 1 is a just-noticeable difference; 10-20 picks
        an object of one color under varying light).
    radius : int, optional
        Half-size of the sampling window at each point.
    feather : float, optional
        Gaussian sigma in pixels applied at the end.

    Returns
    -------
    mask : ndarray of float32, shape (M, N)

    Examples
    --------
    >>> img = np.zeros((2, 3, 3), dtype=np.uint8); img[:, 2] = (200, 30, 30)
    >>> pick(img, points=[(2, 0)], radius=0)
    array([[0., 0., 1.],
           [0., 0., 1.]], dtype=float32)
    >>> pick(img, colors=["#c81e1e"])
    array([[0., 0., 1.],
           [0., 0., 1.]], dtype=float32)
    """
    if points is None and colors is None:
        raise ValueError("pick needs `points` (a list of (x, y)) or `colors` (or both).")
    fuzziness = _check_nonneg(fuzziness, "fuzziness")
    if isinstance(radius, bool) or not isinstance(radius, numbers.Integral) or radius < 0:
        raise ValueError(f"`radius` must be an int >= 0, got {radius!r}.")
    lab = _lab(image)
    h, w = lab.shape[:2]
    targets = []
    if points is not None:
        pts = np.asarray(points, dtype=float)
        if pts.ndim == 1 and pts.shape == (2,):
            pts = pts[None]
        if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) == 0:
            raise ValueError(f"`points` must be a list of (x, y) pairs, got {points!r}.")
        for x, y in pts:
            xi, yi = round(x), round(y)
            if not (0 <= xi < w and 0 <= yi < h):
                raise ValueError(
                    f"`points`: ({x:g}, {y:g}) is outside the image (x = column in [0, {w - 1}], "
                    f"y = row in [0, {h - 1}])."
                )
            win = lab[max(yi - radius, 0) : yi + radius + 1, max(xi - radius, 0) : xi + radius + 1]
            targets.append(win.reshape(-1, 3).mean(0))
    if colors is not None:
        from chroma.spaces import _convert_float

        targets.extend(_convert_float(_parse_colors(colors), "rgb", "lab"))
    dist = None
    for t in targets:
        d = _ciede2000(lab, np.asarray(t, dtype=np.float32)[None, None, :]).astype(np.float32)
        dist = d if dist is None else np.minimum(dist, d)
    return _finish(_falloff(dist, fuzziness, fuzziness), feather)


# --- shapes ----------------------------------------------------------------------------
def _coverage_1d(n: int, lo: float, hi: float, antialias: bool) -> np.ndarray:
    """Share of each pixel [i-0.5, i+0.5] inside [lo, hi] (or centre test if hard)."""
    i = np.arange(n, dtype=np.float64)
    if antialias:
        return np.clip(np.minimum(i + 0.5, hi) - np.maximum(i - 0.5, lo), 0.0, 1.0)
    return ((i >= lo) & (i <= hi)).astype(np.float64)


def rectangle(shape, box: Sequence[float], *, antialias: bool = True, feather: float = 0.0
              ) -> np.ndarray:
    """An axis-aligned box ``(x0, y0, x1, y1)``, with slice semantics.

    Integer corners select exactly ``[y0:y1, x0:x1]``; fractional corners
    give partial coverage on the border pixels (``antialias=True``) or are
    rounded by pixel centres.

    Parameters
    ----------
    shape : tuple or ndarray
        The image (or its shape).
    box : (x0, y0, x1, y1)
        Left, top, right, bottom; ``x`` = column, ``y`` = row.
    antialias : bool, optional
        Exact area coverage on fractional edges.
    feather : float, optional
        Gaussian sigma in pixels applied at the end.

    Returns
    -------
    mask : ndarray of float32, shape (M, N)

    Examples
    --------
    >>> rectangle((3, 4), (1, 0, 3, 2))
    array([[0., 1., 1., 0.],
           [0., 1., 1., 0.],
           [0., 0., 0., 0.]], dtype=float32)
    >>> rectangle((1, 4), (0.5, 0, 2, 1))
    array([[0.5, 1. , 0. , 0. ]], dtype=float32)
    """
    h, w = _shape2(shape)
    try:
        x0, y0, x1, y1 = (float(v) for v in box)
    except (TypeError, ValueError):
        raise ValueError(f"`box` must be (x0, y0, x1, y1), got {box!r}.") from None
    if not all(np.isfinite([x0, y0, x1, y1])) or x1 < x0 or y1 < y0:
        raise ValueError(f"`box` must be finite with x0 <= x1 and y0 <= y1, got {box!r}.")
    if antialias:
        cx = _coverage_1d(w, x0 - 0.5, x1 - 0.5, True)
        cy = _coverage_1d(h, y0 - 0.5, y1 - 0.5, True)
    else:  # pixel centre i is inside [lo, hi)
        i, j = np.arange(w), np.arange(h)
        cx = ((i + 0.5 > x0) & (i + 0.5 <= x1)).astype(float)
        cy = ((j + 0.5 > y0) & (j + 0.5 <= y1)).astype(float)
    return _finish(np.outer(cy, cx), feather)


def ellipse(
    shape,
    center: Sequence[float],
    radii: float | Sequence[float],
    *,
    angle: float = 0.0,
    antialias: bool = True,
    feather: float = 0.0,
) -> np.ndarray:
    """A filled ellipse (or circle).

    Parameters
    ----------
    shape : tuple or ndarray
        The image (or its shape).
    center : (x, y)
        Centre in pixel coordinates (``x`` = column, ``y`` = row).
    radii : float or (rx, ry)
        Semi-axes in pixels (one number for a circle).
    angle : float, optional
        Counter-clockwise rotation of the x semi-axis, degrees (on screen,
        with rows going down, it turns clockwise).
    antialias : bool, optional
        A ramp one pixel wide across the edge (by the approximate signed
        distance); otherwise pixel centres inside are 1.
    feather : float, optional
        Gaussian sigma in pixels applied at the end.

    Returns
    -------
    mask : ndarray of float32, shape (M, N)

    Examples
    --------
    >>> ellipse((5, 5), (2, 2), 1.5, antialias=False).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 1, 1, 1, 0],
           [0, 1, 1, 1, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 0, 0, 0]])
    """
    h, w = _shape2(shape)
    cx, cy = (float(v) for v in center)
    r = np.broadcast_to(np.asarray(radii, dtype=float), (2,))
    rx, ry = float(r[0]), float(r[1])
    if not (rx > 0 and ry > 0 and np.isfinite([rx, ry, cx, cy]).all()):
        raise ValueError(f"`radii` must be positive and `center` finite, got {radii!r}, "
                         f"{center!r}.")
    t = np.radians(float(angle))
    ct, st = np.cos(t), np.sin(t)
    # evaluate only on the bounding box (+2 px), the rest is 0
    ext = max(rx, ry) + 2
    r0, r1 = max(int(np.floor(cy - ext)), 0), min(int(np.ceil(cy + ext)) + 1, h)
    c0, c1 = max(int(np.floor(cx - ext)), 0), min(int(np.ceil(cx + ext)) + 1, w)
    out = np.zeros((h, w), np.float32)
    if r0 >= r1 or c0 >= c1:
        return _finish(out, feather)
    yy, xx = np.mgrid[r0:r1, c0:c1].astype(np.float64)
    dx, dy = xx - cx, yy - cy
    u = (ct * dx + st * dy) / rx
    v = (-st * dx + ct * dy) / ry
    rho = np.hypot(u, v)
    if antialias:
        # signed distance ≈ (rho - 1) / |grad rho|, grad rho in pixels
        gu, gv = u / rx, v / ry
        grad = np.hypot(gu, gv) / np.maximum(rho, 1e-12)
        sd = (rho - 1.0) / np.maximum(grad, 1e-12)
        sd = np.where(rho < 1e-9, -min(rx, ry), sd)
        cov = np.clip(0.5 - sd, 0.0, 1.0)
    else:
        cov = (rho <= 1.0).astype(np.float64)
    out[r0:r1, c0:c1] = cov
    return _finish(out, feather)


def polygon(
    shape,
    vertices: Sequence[Sequence[float]],
    *,
    antialias: bool = True,
    feather: float = 0.0,
) -> np.ndarray:
    """A filled polygon (even-odd rule).

    Parameters
    ----------
    shape : tuple or ndarray
        The image (or its shape).
    vertices : sequence of (x, y)
        At least 3 corners in pixel coordinates (``x`` = column, ``y`` = row).
    antialias : bool, optional
        A ramp one pixel wide across the edges (by the distance to the
        nearest edge); otherwise pixel centres inside are 1.
    feather : float, optional
        Gaussian sigma in pixels applied at the end.

    Returns
    -------
    mask : ndarray of float32, shape (M, N)

    Examples
    --------
    >>> polygon((4, 4), [(0, 0), (3, 0), (0, 3)], antialias=False).astype(int)
    array([[1, 1, 1, 1],
           [1, 1, 1, 0],
           [1, 1, 0, 0],
           [1, 0, 0, 0]])
    """
    from skimage.draw import polygon2mask

    h, w = _shape2(shape)
    v = np.asarray(vertices, dtype=float)
    if v.ndim != 2 or v.shape[1] != 2 or len(v) < 3 or not np.isfinite(v).all():
        raise ValueError(f"`vertices` must be 3 or more finite (x, y) pairs, got {vertices!r}.")
    inside = polygon2mask((h, w), v[:, ::-1])  # skimage wants (row, col)
    if not antialias:
        return _finish(inside, feather)
    r0 = max(int(np.floor(v[:, 1].min())) - 2, 0)
    r1 = min(int(np.ceil(v[:, 1].max())) + 3, h)
    c0 = max(int(np.floor(v[:, 0].min())) - 2, 0)
    c1 = min(int(np.ceil(v[:, 0].max())) + 3, w)
    out = inside.astype(np.float32)
    if r0 >= r1 or c0 >= c1:
        return _finish(out, feather)
    yy, xx = np.mgrid[r0:r1, c0:c1].astype(np.float64)
    dist = np.full(yy.shape, np.inf)
    for (ax, ay), (bx, by) in zip(v, np.roll(v, -1, axis=0)):
        ex, ey = bx - ax, by - ay
        ll = ex * ex + ey * ey
        t = np.zeros_like(xx) if ll == 0 else np.clip(((xx - ax) * ex + (yy - ay) * ey) / ll,
                                                       0, 1)
        np.minimum(dist, np.hypot(xx - ax - t * ex, yy - ay - t * ey), out=dist)
    sign = np.where(inside[r0:r1, c0:c1], 1.0, -1.0)
    out[r0:r1, c0:c1] = np.clip(0.5 + sign * dist, 0.0, 1.0)
    return _finish(out, feather)


# --- algebra ---------------------------------------------------------------------------
def invert(mask) -> np.ndarray:
    """``1 - mask``.

    Examples
    --------
    >>> invert(np.array([[0.0, 0.25, 1.0]]))
    array([[1.  , 0.75, 0.  ]], dtype=float32)
    """
    m = _as_mask(mask)
    np.subtract(np.float32(1.0), m, out=m)
    return m


def _combine(masks, fn, what: str) -> np.ndarray:
    if len(masks) == 1 and isinstance(masks[0], (list, tuple)):
        masks = tuple(masks[0])
    if not masks:
        raise ValueError(f"{what} needs at least one mask.")
    out = _as_mask(masks[0], name="masks[0]")
    for i, m in enumerate(masks[1:], 1):
        fn(out, _as_mask(m, name=f"masks[{i}]", shape=out.shape), out=out)
    return out


def union(*masks) -> np.ndarray:
    """Pointwise maximum of masks of one shape (fuzzy OR).

    Examples
    --------
    >>> union(np.array([[0.0, 0.7]]), np.array([[0.5, 0.2]]))
    array([[0.5, 0.7]], dtype=float32)
    """
    return _combine(masks, np.maximum, "union")


def intersect(*masks) -> np.ndarray:
    """Pointwise minimum of masks of one shape (fuzzy AND).

    Examples
    --------
    >>> intersect(np.array([[0.0, 0.7]]), np.array([[0.5, 0.2]]))
    array([[0. , 0.2]], dtype=float32)
    """
    return _combine(masks, np.minimum, "intersect")


def subtract(mask, other) -> np.ndarray:
    """``mask`` AND NOT ``other``: ``min(mask, 1 - other)``.

    Examples
    --------
    >>> subtract(np.array([[1.0, 1.0, 0.2]]), np.array([[0.0, 0.75, 0.0]]))
    array([[1.  , 0.25, 0.2 ]], dtype=float32)
    """
    a = _as_mask(mask)
    b = _as_mask(other, name="other", shape=a.shape)
    return np.minimum(a, 1.0 - b, out=a)


def feather(mask, sigma: float) -> np.ndarray:
    """Soften a mask's edges with a Gaussian of standard deviation `sigma` pixels.

    Borders are extended by their nearest value, so a mask that is 1 up to
    the image edge stays 1 there. The result is clipped to [0, 1].

    Examples
    --------
    >>> m = feather(np.eye(5), 1.0)
    >>> bool(m.min() >= 0 and m.max() <= 1), m.dtype
    (True, dtype('float32'))
    """
    from scipy.ndimage import gaussian_filter

    m = _as_mask(mask)
    sigma = _check_nonneg(sigma, "sigma")
    if sigma == 0:
        return m
    out = gaussian_filter(m, sigma, mode="nearest", truncate=3.0)
    return np.clip(out, 0.0, 1.0, out=out)


def _box(x: np.ndarray, r: int) -> np.ndarray:
    """Mean over a (2r+1)² window, edges by reflection."""
    from scipy.ndimage import uniform_filter

    return uniform_filter(x, size=2 * r + 1, mode="reflect")


def refine(mask, image, *, radius: int = 8, eps: float = 1e-3) -> np.ndarray:
    """Snap a rough mask to the image's edges with a guided filter.

    The guide is the image's CIELAB lightness scaled to [0, 1]. Inside each
    ``(2 radius + 1)²`` window the output is a linear function of the guide
    fitted to the mask in least squares, regularised by `eps`; so a mask edge
    that runs near an edge of the image moves onto it, and flat regions stay
    flat (He et al. [1]_).

    Parameters
    ----------
    mask : ndarray of shape (M, N)
        The rough mask.
    image : ndarray
        Gray or RGB image of the same height and width.
    radius : int, optional
        Window half-size in pixels (about the error in the rough mask).
    eps : float, optional
        Regularisation on lightness in [0, 1]: smaller snaps to weaker edges.

    Returns
    -------
    mask : ndarray of float32, shape (M, N)
        Clipped to [0, 1].

    Examples
    --------
    >>> img = np.zeros((8, 12)); img[:, 6:] = 1.0        # an edge between columns 5 and 6
    >>> rough = feather(np.where(img > 0, 1.0, 0.0), 1.5)  # a blurry mask around it
    >>> out = refine(rough, img, radius=3, eps=1e-4)
    >>> float(rough[0, 6] - rough[0, 5]) < 0.3 < 0.6 < float(out[0, 6] - out[0, 5])
    True
    """
    x, _ = to_float(image, gray_to_rgb=True)
    m = _as_mask(mask, shape=x.shape)
    if isinstance(radius, bool) or not isinstance(radius, numbers.Integral) or radius < 1:
        raise ValueError(f"`radius` must be an int >= 1, got {radius!r}.")
    eps = _check_nonneg(eps, "eps")
    from chroma.spaces import _convert_float

    guide = _convert_float(x, "rgb", "lab")[..., 0] * np.float32(0.01)
    r = int(radius)
    mean_i, mean_p = _box(guide, r), _box(m, r)
    cov_ip = _box(guide * m, r) - mean_i * mean_p
    var_i = _box(guide * guide, r) - mean_i * mean_i
    a = cov_ip / (var_i + np.float32(eps))
    b = mean_p - a * mean_i
    out = _box(a, r) * guide + _box(b, r)
    return np.clip(out, 0.0, 1.0, out=out).astype(np.float32, copy=False)


# --- mask specs (recipes, CLI) ---------------------------------------------------------
_SPEC_BUILDERS = ("file", "hue", "pick", "colors", "lightness", "chroma", "rectangle",
                  "ellipse", "polygon")
_SPEC_MODIFIERS = ("invert", "feather", "refine", "softness", "min_chroma", "fuzziness",
                   "angle", "antialias")


def from_spec(spec: Mapping, image, *, base_dir: str | os.PathLike | None = None
              ) -> np.ndarray:
    """Build a mask from a recipe-style description (a dict).

    Keys that build a mask (several are intersected):

    * ``file = "sky.png"`` (:func:`from_file`; relative to `base_dir`)
    * ``hue = [center, width]`` (:func:`hue_range`; with ``softness``,
      ``min_chroma``)
    * ``pick = [[x, y], ...]`` and/or ``colors = ["#rrggbb", ...]``
      (:func:`pick`; with ``fuzziness``)
    * ``lightness = [low, high]`` (:func:`lightness_range`)
    * ``chroma = [low]`` or ``[low, high]`` (:func:`chroma_threshold`)
    * ``rectangle = [x0, y0, x1, y1]``, ``ellipse = [cx, cy, rx, ry]``
      (with ``angle``), ``polygon = [[x, y], ...]``

    Then modifiers, in this order: ``refine = true`` (or a radius) snaps to
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
    unknown = set(spec) - set(_SPEC_BUILDERS) - set(_SPEC_MODIFIERS)
    if unknown:
        raise ValueError(
            f"mask spec has unknown keys {sorted(unknown)}; builders are "
            f"{list(_SPEC_BUILDERS)}, modifiers {list(_SPEC_MODIFIERS)}."
        )
    img = check_image(image)
    shape = img.shape[:2]
    kw_soft = {"softness": float(spec["softness"])} if "softness" in spec else {}
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
        kw = {"fuzziness": float(spec["fuzziness"])} if "fuzziness" in spec else {}
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
