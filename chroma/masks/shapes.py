"""Masks from geometry: rectangle, ellipse, polygon (anti-aliased or hard).

``x`` is the column and ``y`` the row; pixel ``(row, col)`` is the unit
square centred on ``(x=col, y=row)``. :func:`rectangle` has slice semantics.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from chroma.masks._common import _finish, _shape2

__all__ = ["ellipse", "polygon", "rectangle"]


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
