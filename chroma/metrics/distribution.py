"""Distances between two images' color distributions, in CIELAB (any sizes).

:func:`sliced_wasserstein_lab`, :func:`emd_per_channel`, :func:`bhattacharyya_ab`:
symmetric in their two arguments (up to the random sample); each image may be
RGB or, with ``space="lab"``, a Lab array.

References
----------
.. [1] N. Bonneel, J. Rabin, G. Peyré, H. Pfister, "Sliced and Radon
       Wasserstein barycenters of measures", JMIV 51, 2015.
"""

from __future__ import annotations

import numbers

import numpy as np

from chroma._core.validate import check_random_state, check_scalar
from chroma.metrics._common import _space_pixels

__all__ = ["bhattacharyya_ab", "emd_per_channel", "sliced_wasserstein_lab"]


def _check_max_pixels(max_pixels) -> int | None:
    if max_pixels is None:
        return None
    return check_scalar(max_pixels, "max_pixels", numbers.Integral, low=1)


def sliced_wasserstein_lab(
    a,
    b,
    /,
    n_projections: int = 64,
    *,
    max_pixels: int | None = 50_000,
    space: str = "rgb",
    random_state=0,
) -> float:
    """Sliced 2-Wasserstein distance between the pixel colors of two images, in CIELAB.

    The two images' pixels (a random sample of at most `max_pixels` each) are
    projected on `n_projections` random unit directions in Lab; each pair of
    1-D distributions is compared through its quantile functions (at a common
    grid of quantile levels, so the images may differ in size) and
    ``sqrt(mean over directions of W2²)`` is returned [1]. Units are Lab
    units (ΔE76-like). Deterministic for a fixed `random_state`.

    Parameters
    ----------
    a, b : ndarray
        RGB images (any sizes), or Lab arrays ``(..., 3)`` with ``space="lab"``.
    n_projections : int, optional
        Number of random directions.
    max_pixels : int or None, optional
        Pixels sampled from each image (None: all).
    space : {"rgb", "lab"}, optional
        What `a` and `b` hold.
    random_state : None, int or numpy.random.Generator, optional
        Seed for the pixel samples and the directions.

    Returns
    -------
    distance : float
        0 for images with the same color distribution.

    Examples
    --------
    >>> img = np.random.default_rng(0).random((20, 20, 3))
    >>> sliced_wasserstein_lab(img, img)
    0.0
    >>> sliced_wasserstein_lab(img, img[::-1]) < 1e-9  # a permutation of the same pixels
    True
    """
    n_projections = check_scalar(n_projections, "n_projections", numbers.Integral, low=1)
    max_pixels = _check_max_pixels(max_pixels)
    rng = check_random_state(random_state)
    p = _space_pixels(a, "a", space, max_pixels, rng)
    q = _space_pixels(b, "b", space, max_pixels, rng)
    dirs = rng.standard_normal((int(n_projections), 3))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    n = max(len(p), len(q))
    levels = (np.arange(n) + 0.5) / n
    w2 = np.empty(len(dirs))
    for i, d in enumerate(dirs):
        qa = _quantiles(p @ d, levels)
        qb = _quantiles(q @ d, levels)
        w2[i] = np.mean((qa - qb) ** 2)
    return float(np.sqrt(np.mean(w2)))


def _quantiles(values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Empirical quantile function (inverse CDF, no interpolation) at `levels`."""
    s = np.sort(values)
    idx = np.minimum((levels * len(s)).astype(np.intp), len(s) - 1)
    return s[idx]


def emd_per_channel(
    a, b, /, *, max_pixels: int | None = 200_000, space: str = "rgb", random_state=0
) -> np.ndarray:
    """Earth mover's (1-Wasserstein) distance per CIELAB channel between two images.

    Each channel's pixel values are compared as 1-D distributions with
    :func:`scipy.stats.wasserstein_distance` (exact for the sampled values).

    Parameters
    ----------
    a, b : ndarray
        RGB images (any sizes), or Lab arrays with ``space="lab"``.
    max_pixels : int or None, optional
        Pixels sampled from each image (None: all).
    space : {"rgb", "lab"}, optional
        What `a` and `b` hold.
    random_state : None, int or numpy.random.Generator, optional
        Seed for the pixel samples.

    Returns
    -------
    emd : ndarray of shape (3,)
        Distances for L*, a*, b*, in Lab units.

    Examples
    --------
    >>> lab = np.zeros((4, 4, 3))
    >>> emd_per_channel(lab, lab + [1.0, 2.0, 0.0], space="lab")
    array([1., 2., 0.])
    """
    from scipy.stats import wasserstein_distance

    max_pixels = _check_max_pixels(max_pixels)
    rng = check_random_state(random_state)
    p = _space_pixels(a, "a", space, max_pixels, rng)
    q = _space_pixels(b, "b", space, max_pixels, rng)
    return np.array([wasserstein_distance(p[:, c], q[:, c]) for c in range(3)])


def bhattacharyya_ab(
    a, b, /, *, bins: int = 64, ab_range: tuple[float, float] = (-128.0, 128.0), space: str = "rgb"
) -> float:
    """Bhattacharyya (Hellinger) distance between two images' a*b* histograms.

    Both images' a*, b* values go into a ``bins x bins`` 2-D histogram over
    `ab_range` (values outside are clipped to the edge bins), normalized to sum
    1; with the Bhattacharyya coefficient ``BC = sum(sqrt(p * q))`` the
    result is ``sqrt(1 - BC)`` (OpenCV's ``HISTCMP_BHATTACHARYYA``). L* is
    ignored.

    Parameters
    ----------
    a, b : ndarray
        RGB images (any sizes), or Lab arrays with ``space="lab"``.
    bins : int, optional
        Bins per axis.
    ab_range : (float, float), optional
        Range of a* and b*.
    space : {"rgb", "lab"}, optional
        What `a` and `b` hold.

    Returns
    -------
    distance : float
        In [0, 1]: 0 for identical histograms, 1 for disjoint ones.

    Examples
    --------
    >>> lab = np.zeros((4, 4, 3))
    >>> bhattacharyya_ab(lab, lab, space="lab")
    0.0
    >>> bhattacharyya_ab(lab, lab + [0, 50, 0], space="lab")
    1.0
    """
    bins = check_scalar(bins, "bins", numbers.Integral, low=1)
    hists = []
    for name, img in (("a", a), ("b", b)):
        px = _space_pixels(img, name, space, None, np.random.default_rng(0))
        ab = np.clip(px[:, 1:], ab_range[0], np.nextafter(ab_range[1], -np.inf))
        h, _, _ = np.histogram2d(ab[:, 0], ab[:, 1], bins=bins, range=[ab_range, ab_range])
        hists.append(h / h.sum())
    bc = float(np.sum(np.sqrt(hists[0] * hists[1])))
    return float(np.sqrt(max(1.0 - bc, 0.0)))
