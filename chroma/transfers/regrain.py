"""Regrain: give a color-transferred image back the original's gradients (Pitié 2007).

A distribution transfer (IDT, sliced OT, histogram matching) moves every pixel
on its own, so it can stretch the colors of smooth areas into visible grain,
banding and JPEG blocks. Pitié, Kokaram and Dahyot's regrain post-process
looks for the image ``J`` that keeps the transferred colors ``T`` where the
original ``I`` has detail, and the gradients of ``I`` everywhere:

.. math::

    \\min_J \\iint \\phi\\, \\|\\nabla J - \\nabla I\\|^2 + \\psi\\, \\|J - T\\|^2

with ``psi = min(256 |grad I| / 5, 1)`` (trust the colors on edges) and
``phi = 30 * 2**-level / (1 + 10 |grad I| / smoothness)`` (follow the
original's gradients in flat areas). It is solved coarse to fine on a
pyramid of half-size levels (bilinear resampling) with relaxed Jacobi sweeps,
``(4, 16, 32, 64, 64, 64)`` sweeps from the finest level down, as in the
authors' MATLAB code and python-color-transfer's ``Regrain``.
"""

from __future__ import annotations

import numbers

import numpy as np

from chroma._core.validate import check_scalar, to_float

__all__ = ["regrain"]

SWEEPS = (4, 16, 32, 64, 64, 64)
_MIN_SIDE = 20  # a level is halved again only while both halves exceed this


def regrain(
    image,
    transferred,
    *,
    smoothness: float = 1.0,
    sweeps: tuple[int, ...] = SWEEPS,
    channel_axis: int = -1,
) -> np.ndarray:
    """Restore the gradients of `image` in its color-transferred version `transferred`.

    Parameters
    ----------
    image : ndarray of shape (M, N, 3)
        The original image (before the color transfer); uint8, uint16 or float
        in [0, 1]. Gray and alpha are accepted like everywhere in chroma.
    transferred : ndarray of shape (M, N, 3)
        The output of a color transfer of `image` (any method); same height
        and width. Its dtype and alpha are those of the result.
    smoothness : float, optional
        Larger values follow the original's gradients across stronger edges
        (Pitié's ``smoothness``; default 1).
    sweeps : tuple of int, optional
        Jacobi sweeps per pyramid level, finest first; its length is the
        maximum number of levels (a level is only added while both sides of
        the half-size image exceed 20 pixels).
    channel_axis : int, optional
        Channel axis of both images and of the result.

    Returns
    -------
    out : ndarray
        Same shape, dtype and alpha as `transferred`; float output is clipped
        to [0, 1].

    Notes
    -----
    Numba kernels; cost is linear in the pixel count (about 11 full-size
    sweeps in all). The solver starts from `transferred`; Pitié's MATLAB
    code and python-color-transfer start from `image`. On photos the two
    agree to within one uint8 level (the sweeps converge), but where `image`
    is flat (no gradient, so no data term) starting from `image` would bring
    its old colors back: a constant image keeps its transferred color here.
    Images smaller than 2x2 come back as `transferred`.

    References
    ----------
    .. [1] F. Pitié, A. C. Kokaram, R. Dahyot, "Automated colour grading using
           colour distribution transfer", Computer Vision and Image
           Understanding 107(1-2), 2007.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = rng.random((24, 24, 3))
    >>> out = regrain(img, 0.5 * img + 0.25)
    >>> out.shape, out.dtype
    ((24, 24, 3), dtype('float64'))
    """
    check_scalar(smoothness, "smoothness", numbers.Real, low=0, high=np.inf, include_low=False,
                 include_high=False)
    sweeps = _check_sweeps(sweeps)
    x, _ = to_float(image, name="image", channel_axis=channel_axis, gray_to_rgb=True,
                    channels=(3,))
    t, restore = to_float(transferred, name="transferred", channel_axis=channel_axis,
                          gray_to_rgb=True, channels=(3,))
    if x.shape != t.shape:
        raise ValueError(
            f"`transferred` must have the height and width of `image` {x.shape[:2]}, "
            f"got {t.shape[:2]}."
        )
    np.clip(t, 0.0, 1.0, out=t)
    from chroma.transfers._base import _restore  # one fused Numba pass back to uint8 / uint16

    return _restore(_regrain_float(x, t, smoothness=float(smoothness), sweeps=sweeps), restore)


def _check_sweeps(sweeps) -> tuple[int, ...]:
    try:
        s = tuple(int(v) for v in sweeps)
        ok = len(s) > 0 and all(v >= 0 for v in s) and all(
            isinstance(v, (numbers.Integral, np.integer)) for v in sweeps)
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(
            f"`sweeps` must be a non-empty sequence of non-negative ints, got {sweeps!r}."
        )
    return s


def _regrain_float(
    image: np.ndarray,
    transferred: np.ndarray,
    *,
    smoothness: float = 1.0,
    sweeps: tuple[int, ...] = SWEEPS,
    backend: str = "numba",
    init: str = "transferred",
) -> np.ndarray:
    """Regrain on float32 (M, N, 3) arrays in [0, 1] (no validation); returns float32.

    ``backend="numpy"`` runs the plain-NumPy twins (slow; for tests).
    ``init="original"`` starts the solver from `image` as the reference
    implementations do (for comparing with them).
    """
    if image.shape[0] < 2 or image.shape[1] < 2:
        return transferred.astype(np.float32, copy=True)
    from chroma.transfers import _ot_kernels as K

    if backend == "numba":
        resize, level_solve = K.resize, K.regrain_level
    else:
        resize, level_solve = K.np_resize, K.np_regrain_level
    img = np.ascontiguousarray(image, dtype=np.float32)
    col = np.ascontiguousarray(transferred, dtype=np.float32)
    start = img if init == "original" else col  # never written to: levels make new arrays
    return _regrain_rec(start, img, col, tuple(sweeps), 0, smoothness, resize,
                        level_solve)


def _regrain_rec(out, img, col, sweeps, level, smoothness, resize, level_solve):
    h, w = img.shape[:2]
    h2, w2 = (h + 1) // 2, (w + 1) // 2
    if len(sweeps) > 1 and h2 > _MIN_SIDE and w2 > _MIN_SIDE:
        small = _regrain_rec(resize(out, h2, w2), resize(img, h2, w2), resize(col, h2, w2),
                             sweeps[1:], level + 1, smoothness, resize, level_solve)
        out = resize(small, h, w)
        del small
        return _solve_in_bands(out, img, col, sweeps[0], level, smoothness, level_solve,
                               in_place=True)
    return _solve_in_bands(out, img, col, sweeps[0], level, smoothness, level_solve)


def _solve_in_bands(out, img, col, n_sweeps, level, smoothness, level_solve, *,
                    in_place=False, band_pixels=None):
    """One level solved in row bands with a halo: the same array as one solve, bit for bit.

    A level's weights at a row need the image two rows away, and each Jacobi
    sweep moves information one row, so a band solved with ``n_sweeps + 2``
    extra rows on each side has its own rows exact. Bands keep the solver's
    temporaries (weights, constants, two sweep buffers: 4 float32 images'
    worth for a whole level) to band size; with ``in_place`` the result is
    written over `out` (a private array), keeping the few original rows the
    next band's halo still needs.
    """
    from chroma._core.tiles import tile_pixels_for

    h, w = img.shape[:2]
    halo = int(n_sweeps) + 2
    rows = max(8 * halo, -(-(tile_pixels_for(h, w) if band_pixels is None else band_pixels) // w))
    if h <= rows + 2 * halo:
        return level_solve(out, img, col, n_sweeps, level, smoothness)
    result = out if in_place else np.empty_like(out)
    kept = None  # out's original rows [r0 - halo, r0), already overwritten in result
    for r0 in range(0, h, rows):
        r1 = min(h, r0 + rows)
        a, b = max(0, r0 - halo), min(h, r1 + halo)
        if kept is None or r0 == a:
            window = out[a:b]
        else:
            window = np.concatenate([kept[len(kept) - (r0 - a):], out[r0:b]])
        solved = level_solve(window, img[a:b], col[a:b], n_sweeps, level, smoothness)
        kept = out[max(0, r1 - halo):r1].copy() if in_place else None
        result[r0:r1] = solved[r0 - a : r1 - a]
        del solved, window
    return result

