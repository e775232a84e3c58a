"""Masks from image content: hue, lightness and chroma bands, and the eyedropper.

Each thresholds a quantity (hue angle, L*, C*, CIEDE2000 distance) with a
smooth falloff (a smoothstep over `falloff` units; 0 = hard) instead of a
hard cut, then blurs by `feather` (a Gaussian sigma in pixels; 0 = off).

References
----------
.. [1] G. Sharma, W. Wu, E. N. Dalal, "The CIEDE2000 color-difference
       formula: implementation notes, supplementary test data, and
       mathematical observations", Color Res. Appl. 30(1), 2005.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from chroma._core.deprecation import UNSET, renamed
from chroma._core.validate import check_scalar
from chroma.colors import parse_colors
from chroma.masks._common import _band, _check_nonneg, _falloff, _finish, _lab, _smoothstep

__all__ = ["chroma_threshold", "hue_range", "lightness_range", "pick"]


def _band_args(low, high, falloff, softness, *, allow_inf: bool):
    """Checked ``(low, high, falloff)`` of a band builder (`softness`: falloff's old name)."""
    falloff = renamed(falloff, softness, old="softness", new="falloff", default=5.0, stacklevel=4)
    low = check_scalar(low, "low", numbers.Real)
    high = check_scalar(high, "high", numbers.Real)
    finite = np.isfinite(low) and (np.isfinite(high) or (allow_inf and high == np.inf))
    if not finite or low > high:
        raise ValueError(f"`low` and `high` must be finite with low <= high, got {low}, {high}.")
    return low, high, _check_nonneg(falloff, "falloff")


def hue_range(
    image,
    center: float,
    width: float,
    *,
    falloff: float = 10.0,
    min_chroma: float = 8.0,
    feather: float = 0.0,
    softness=UNSET,
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
    falloff : float, optional
        Width in degrees of the smooth falloff on each side of the band
        (0 = hard).
    min_chroma : float, optional
        Chroma (C*, CIELAB units) below which pixels count as gray.
    feather : float, optional
        Gaussian sigma in pixels applied to the mask at the end.
    softness : float, optional
        Deprecated name of `falloff`.

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
    falloff = renamed(falloff, softness, old="softness", new="falloff", default=10.0)
    width = _check_nonneg(width, "width")
    falloff = _check_nonneg(falloff, "falloff")
    min_chroma = _check_nonneg(min_chroma, "min_chroma")
    from chroma.spaces import convert_pixels

    lch = convert_pixels(_lab(image), "lab", "lch")
    hue, c = lch[..., 2], lch[..., 1]
    if width >= 360:
        m = np.ones(hue.shape, np.float32)
    else:
        d = np.abs((hue - np.float32(center % 360.0) + 180.0) % 360.0 - 180.0)
        m = _falloff(d, 0.5 * width, falloff)
    if min_chroma > 0:
        m *= _smoothstep((c - np.float32(min_chroma)) / np.float32(min_chroma))
    return _finish(m, feather)


def lightness_range(
    image, low: float, high: float, *, falloff: float = 5.0, feather: float = 0.0,
    softness=UNSET,
) -> np.ndarray:
    """Select pixels whose CIELAB lightness L* (0..100) lies in ``[low, high]``.

    Parameters
    ----------
    image : ndarray
        Gray or RGB image.
    low, high : float
        Band of L*, with ``low <= high``.
    falloff : float, optional
        Width in L* of the smooth falloff outside the band (0 = hard).
    feather : float, optional
        Gaussian sigma in pixels applied at the end.
    softness : float, optional
        Deprecated name of `falloff`.

    Returns
    -------
    mask : ndarray of float32, shape (M, N)

    Examples
    --------
    >>> img = np.array([[0.0, 0.5, 1.0]])  # L* = 0, 76, 100
    >>> lightness_range(img, 60, 100, falloff=0)
    array([[0., 1., 1.]], dtype=float32)
    """
    low, high, falloff = _band_args(low, high, falloff, softness, allow_inf=False)
    return _finish(_band(_lab(image)[..., 0], low, high, falloff), feather)


def chroma_threshold(
    image,
    low: float,
    high: float = np.inf,
    *,
    falloff: float = 5.0,
    feather: float = 0.0,
    softness=UNSET,
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
    falloff : float, optional
        Width in C* of the smooth falloff outside the band (0 = hard).
    feather : float, optional
        Gaussian sigma in pixels applied at the end.
    softness : float, optional
        Deprecated name of `falloff`.

    Returns
    -------
    mask : ndarray of float32, shape (M, N)

    Examples
    --------
    >>> img = np.array([[[255, 0, 0], [128, 128, 128]]], dtype=np.uint8)
    >>> chroma_threshold(img, 30)
    array([[1., 0.]], dtype=float32)
    """
    low, high, falloff = _band_args(low, high, falloff, softness, allow_inf=True)
    lab = _lab(image)
    c = np.hypot(lab[..., 1], lab[..., 2])
    if np.isinf(high):
        m = _falloff(low - c, 0.0, falloff)
    else:
        m = _band(c, low, high, falloff)
    return _finish(m, feather)


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
    tolerance: float = 12.0,
    radius: int = 1,
    feather: float = 0.0,
    fuzziness=UNSET,
) -> np.ndarray:
    """Eyedropper: select pixels close (CIEDE2000) to sampled colors.

    Each target color is taken from the image at a point (the mean Lab of
    the ``(2 radius + 1)²`` window around it) or given directly. A pixel's
    weight is 1 where its CIEDE2000 difference to the nearest target is at
    most `tolerance`, falling smoothly to 0 at ``2 * tolerance`` (the same rule
    as :func:`chroma.palettes.replace_color`'s `tolerance`).

    Parameters
    ----------
    image : ndarray
        Gray or RGB image.
    points : sequence of (x, y), optional
        Pixel positions to sample: ``x`` is the column, ``y`` the row.
    colors : color or sequence of colors, optional
        sRGB targets, anything :func:`chroma.colors.parse_colors` reads: hex
        codes (``"#rrggbb"``, ``"#rgb"``), names, integer triples in
        [0, 255] or float triples in [0, 1].
    tolerance : float, optional
        ΔE00 tolerance (about 1 is a just-noticeable difference; 10-20 picks
        an object of one color under varying light).
    radius : int, optional
        Half-size of the sampling window at each point.
    feather : float, optional
        Gaussian sigma in pixels applied at the end.
    fuzziness : float, optional
        Deprecated name of `tolerance`.

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
    tolerance = renamed(tolerance, fuzziness, old="fuzziness", new="tolerance", default=12.0)
    tolerance = _check_nonneg(tolerance, "tolerance")
    radius = check_scalar(radius, "radius", numbers.Integral, low=0)
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
        from chroma.spaces import convert_pixels

        rgb = parse_colors(colors, name="colors").astype(np.float32)
        targets.extend(convert_pixels(rgb, "rgb", "lab"))
    dist = None
    for t in targets:
        d = _ciede2000(lab, np.asarray(t, dtype=np.float32)[None, None, :]).astype(np.float32)
        dist = d if dist is None else np.minimum(dist, d)
    return _finish(_falloff(dist, tolerance, tolerance), feather)
