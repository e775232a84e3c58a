"""Image-quality and color-difference metrics.

Two kinds of input:

* **Lab arrays** (float, shape ``(..., 3)``, L* in [0, 100]) for the per-pixel
  color differences :func:`ciede2000` and :func:`deltae76` and for the
  colorization scores :func:`ab_rmse` and :func:`auc_ab`.
* **Images** (uint8 / uint16 / float RGB in the dtype's range, channels last,
  read through :func:`chroma._validate.to_float`; alpha is ignored) for
  everything else. Functions that work in CIELAB convert with
  :func:`chroma.convert` (D65, the same constants as scikit-image).

The ``*_to_image`` / ``*_to_reference`` functions at the bottom are adapters
with the benchmark harness's signature ``metric(output, image, reference) ->
float``; each carries a ``label`` (column header) and ``better`` (``"lower"``
or ``"higher"``) attribute.

References
----------
.. [1] G. Sharma, W. Wu, E. N. Dalal, "The CIEDE2000 color-difference formula:
       implementation notes, supplementary test data, and mathematical
       observations", Color Research & Application 30(1), 2005.
.. [2] D. Hasler, S. Süsstrunk, "Measuring colourfulness in natural images",
       Proc. SPIE 5007, Human Vision and Electronic Imaging VIII, 2003.
.. [3] R. Zhang, P. Isola, A. A. Efros, "Colorful Image Colorization",
       ECCV 2016.
.. [4] N. Bonneel, J. Rabin, G. Peyré, H. Pfister, "Sliced and Radon
       Wasserstein barycenters of measures", JMIV 51, 2015.
.. [5] Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality
       assessment: from error visibility to structural similarity", IEEE TIP
       13(4), 2004.

Examples
--------
>>> lab1 = np.array([50.0, 2.6772, -79.7751])
>>> lab2 = np.array([50.0, 0.0, -82.7485])
>>> round(float(ciede2000(lab1, lab2)), 4)
2.0425
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validate import check_random_state, to_float

__all__ = [
    "ab_rmse",
    "auc_ab",
    "bhattacharyya_ab",
    "bhattacharyya_ab_to_reference",
    "ciede2000",
    "ciede2000_max_to_image",
    "ciede2000_mean_to_image",
    "colorfulness",
    "colorfulness_of_output",
    "deltae76",
    "deltae76_mean_to_image",
    "emd_per_channel",
    "emd_to_reference",
    "gradient_artifacts",
    "gradient_artifacts_vs_image",
    "lightness_ssim",
    "lightness_ssim_to_image",
    "psnr",
    "psnr_to_image",
    "sliced_wasserstein_lab",
    "sliced_wasserstein_to_reference",
    "ssim",
    "ssim_to_image",
]

_CHUNK = 1 << 18  # pixels per chunk in the NumPy ciede2000 (bounds its float64 temporaries)
_NUMBA_MIN_PIXELS = 1 << 14  # from here on ciede2000 uses the Numba kernel
_POW25_7 = 25.0**7


# --- helpers -----------------------------------------------------------------------
def _lab_pair(lab1, lab2, channel_axis: int) -> tuple[np.ndarray, np.ndarray]:
    arrays = []
    for name, lab in (("lab1", lab1), ("lab2", lab2)):
        x = np.asarray(lab)
        if x.dtype.kind not in "fiu" or x.dtype == np.bool_:
            raise TypeError(
                f"`{name}` must be a float array of CIELAB values, got dtype {x.dtype}."
            )
        if x.ndim < 1 or not -x.ndim <= channel_axis < x.ndim or x.shape[channel_axis] != 3:
            raise ValueError(
                f"`{name}` must have 3 channels (L*, a*, b*) along channel_axis={channel_axis}, "
                f"got shape {x.shape}."
            )
        dtype = np.float32 if x.dtype == np.float32 else np.float64
        arrays.append(np.moveaxis(x, channel_axis, -1).astype(dtype, copy=False))
    try:
        a, b = np.broadcast_arrays(*arrays)
    except ValueError:
        raise ValueError(
            f"`lab1` and `lab2` must have broadcastable shapes, got {np.shape(lab1)} and "
            f"{np.shape(lab2)}."
        ) from None
    return a, b


def _rgb(image, name: str) -> np.ndarray:
    """Float32 RGB in [0, 1], shape (M, N, 3) (gray is repeated, alpha dropped)."""
    x, _ = to_float(image, name=name, channels=(3,), gray_to_rgb=True)
    return x


def _lab(image, name: str) -> np.ndarray:
    """CIELAB float32 (M, N, 3) of an RGB image."""
    from .spaces import _convert_float

    return _convert_float(_rgb(image, name), "rgb", "lab")


def _same_shape(a: np.ndarray, b: np.ndarray, names: tuple[str, str]) -> None:
    if a.shape[:2] != b.shape[:2]:
        raise ValueError(
            f"`{names[0]}` and `{names[1]}` must have the same height and width, got "
            f"{a.shape[:2]} and {b.shape[:2]}."
        )


def _lab_of_images(output, image) -> tuple[np.ndarray, np.ndarray]:
    """CIELAB of `output` and `image`, checked to have the same height and width."""
    a, b = _lab(output, "output"), _lab(image, "image")
    _same_shape(a, b, ("output", "image"))
    return a, b


def _pixels(x: np.ndarray, max_pixels: int | None, rng: np.random.Generator) -> np.ndarray:
    flat = x.reshape(-1, x.shape[-1])
    if max_pixels is not None and len(flat) > max_pixels:
        flat = flat[rng.choice(len(flat), max_pixels, replace=False)]
    return flat.astype(np.float64)


def _space_pixels(image, name, space, max_pixels, rng) -> np.ndarray:
    if space == "rgb":
        x = _lab(image, name)
    elif space == "lab":
        x = np.asarray(image, dtype=np.float64)
        if x.ndim < 2 or x.shape[-1] != 3:
            raise ValueError(f"`{name}` must be a Lab array of shape (..., 3), got {x.shape}.")
    else:
        raise ValueError(f"space={space!r} is not supported; choose from ['lab', 'rgb'].")
    return _pixels(x, max_pixels, rng)


# --- per-pixel color differences -------------------------------------------------------
def _ciede2000_flat(p: np.ndarray, q: np.ndarray, kL: float, kC: float, kH: float) -> np.ndarray:
    p = p.astype(np.float64, copy=False)
    q = q.astype(np.float64, copy=False)
    L1, a1, b1 = p[:, 0], p[:, 1], p[:, 2]
    L2, a2, b2 = q[:, 0], q[:, 1], q[:, 2]
    c_bar = 0.5 * (np.hypot(a1, b1) + np.hypot(a2, b2))
    c7 = c_bar**7
    g = 0.5 * (1.0 - np.sqrt(c7 / (c7 + _POW25_7)))
    a1p = (1.0 + g) * a1
    a2p = (1.0 + g) * a2
    c1p = np.hypot(a1p, b1)
    c2p = np.hypot(a2p, b2)
    # atan2(0, 0) = 0, which is the paper's convention for achromatic colors
    h1p = np.arctan2(b1, a1p) % (2 * np.pi)
    h2p = np.arctan2(b2, a2p) % (2 * np.pi)
    cc = c1p * c2p
    chromatic = cc != 0

    dl = L2 - L1
    dc = c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > np.pi, dh - 2 * np.pi, np.where(dh < -np.pi, dh + 2 * np.pi, dh))
    dh = np.where(chromatic, dh, 0.0)
    dH = 2.0 * np.sqrt(cc) * np.sin(0.5 * dh)

    l_bar = 0.5 * (L1 + L2)
    c_bar_p = 0.5 * (c1p + c2p)
    h_sum = h1p + h2p
    h_bar = np.where(
        np.abs(h1p - h2p) <= np.pi,
        0.5 * h_sum,
        np.where(h_sum < 2 * np.pi, 0.5 * (h_sum + 2 * np.pi), 0.5 * (h_sum - 2 * np.pi)),
    )
    h_bar = np.where(chromatic, h_bar, h_sum)

    t = (
        1.0
        - 0.17 * np.cos(h_bar - np.radians(30.0))
        + 0.24 * np.cos(2.0 * h_bar)
        + 0.32 * np.cos(3.0 * h_bar + np.radians(6.0))
        - 0.20 * np.cos(4.0 * h_bar - np.radians(63.0))
    )
    d_theta = np.radians(30.0) * np.exp(-(((np.degrees(h_bar) - 275.0) / 25.0) ** 2))
    c7p = c_bar_p**7
    r_c = 2.0 * np.sqrt(c7p / (c7p + _POW25_7))
    l50 = (l_bar - 50.0) ** 2
    s_l = 1.0 + 0.015 * l50 / np.sqrt(20.0 + l50)
    s_c = 1.0 + 0.045 * c_bar_p
    s_h = 1.0 + 0.015 * c_bar_p * t
    r_t = -np.sin(2.0 * d_theta) * r_c
    tl = dl / (kL * s_l)
    tc = dc / (kC * s_c)
    th = dH / (kH * s_h)
    return np.sqrt(np.maximum(tl * tl + tc * tc + th * th + r_t * tc * th, 0.0))


def ciede2000(
    lab1,
    lab2,
    kL: float = 1,
    kC: float = 1,
    kH: float = 1,
    *,
    channel_axis: int = -1,
    backend: str = "auto",
) -> np.ndarray:
    """CIEDE2000 color difference ΔE00 between two CIELAB arrays, per pixel.

    Follows the implementation notes of Sharma, Wu & Dalal [1]_ (hue mean and
    difference for achromatic colors included) and reproduces their 34 test
    pairs to 1e-4.

    Parameters
    ----------
    lab1, lab2 : array_like of shape (..., 3)
        CIELAB values (L* in [0, 100]); shapes must broadcast.
    kL, kC, kH : float, optional
        Parametric weighting factors for lightness, chroma and hue (1 for the
        reference conditions; textiles use ``kL=2``).
    channel_axis : int, optional
        Axis of L*, a*, b* in both inputs.
    backend : {"auto", "numba", "numpy"}, optional
        ``"auto"`` uses the parallel Numba kernel from 16 Ki pixels on. Both
        compute in float64 (float32 input is read as is).

    Returns
    -------
    delta_e : ndarray of float64
        The broadcast shape without the channel axis (a 0-d array for single
        colors).

    See Also
    --------
    deltae76, skimage.color.deltaE_ciede2000

    Examples
    --------
    >>> round(float(ciede2000([50, 2.5, 0], [73, 25, -18])), 4)
    27.1492
    >>> ciede2000(np.zeros((2, 3, 3)), np.zeros((2, 3, 3))).shape
    (2, 3)
    """
    if backend not in ("auto", "numba", "numpy"):
        raise ValueError(f"backend={backend!r}; choose from ['auto', 'numba', 'numpy'].")
    a, b = _lab_pair(lab1, lab2, channel_axis)
    if a.dtype != b.dtype:
        a, b = a.astype(np.float64, copy=False), b.astype(np.float64, copy=False)
    shape = a.shape[:-1]
    p = np.ascontiguousarray(a.reshape(-1, 3))
    q = np.ascontiguousarray(b.reshape(-1, 3))
    if backend == "numba" or (backend == "auto" and p.shape[0] >= _NUMBA_MIN_PIXELS):
        from . import _metrics_kernels

        return _metrics_kernels.ciede2000(p, q, float(kL), float(kC), float(kH)).reshape(shape)
    out = np.empty(p.shape[0], dtype=np.float64)
    for start in range(0, p.shape[0], _CHUNK):
        sl = slice(start, start + _CHUNK)
        out[sl] = _ciede2000_flat(p[sl], q[sl], float(kL), float(kC), float(kH))
    return out.reshape(shape)


def deltae76(lab1, lab2, *, channel_axis: int = -1) -> np.ndarray:
    """CIE 1976 color difference: Euclidean distance in CIELAB, per pixel.

    Parameters
    ----------
    lab1, lab2 : array_like of shape (..., 3)
        CIELAB values; shapes must broadcast.
    channel_axis : int, optional
        Axis of L*, a*, b*.

    Returns
    -------
    delta_e : ndarray of float64
        The broadcast shape without the channel axis.

    Examples
    --------
    >>> float(deltae76([50, 0, 0], [53, 4, 0]))
    5.0
    """
    a, b = _lab_pair(lab1, lab2, channel_axis)
    return np.sqrt(((a - b) ** 2).sum(-1))


# --- single-image scores ------------------------------------------------------------------
def colorfulness(image) -> float:
    """Colorfulness of an image, Hasler & Süsstrunk's metric M(3) [2]_.

    Computed in the rg-yb opponent space on sRGB values scaled to [0, 255],
    as in the paper (their chosen metric, the one with 95.3 % correlation to
    the panel)::

        rg = R - G,   yb = (R + G) / 2 - B
        M = sqrt(std(rg)^2 + std(yb)^2) + 0.3 * sqrt(mean(rg)^2 + mean(yb)^2)

    with population standard deviations over all pixels. The paper's scale:
    0 not colorful, ~15 slightly, ~33 moderately, ~45 averagely, ~59 quite,
    ~82 highly, >= ~109 extremely colorful.

    Parameters
    ----------
    image : ndarray
        RGB or gray image (uint8, uint16 or float in [0, 1]); alpha is ignored.

    Returns
    -------
    m : float
        0 for any gray image.

    Examples
    --------
    >>> colorfulness(np.full((4, 4, 3), 0.5))
    0.0
    >>> round(colorfulness(np.array([[[255, 0, 0], [0, 0, 255]]], dtype=np.uint8)), 3)
    272.619
    """
    x = _rgb(image, "image").astype(np.float64) * 255.0
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    rg = r - g
    yb = 0.5 * (r + g) - b
    m = np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())
    return float(m)


# --- full-reference scores ------------------------------------------------------------------
def psnr(image, reference) -> float:
    """Peak signal-to-noise ratio (dB) of `image` against `reference`.

    Both are read in their dtype's range (uint8 / 255, uint16 / 65535, float
    as is) so the data range is 1; via
    :func:`skimage.metrics.peak_signal_noise_ratio`.

    Parameters
    ----------
    image, reference : ndarray
        Images of the same shape (gray or RGB; alpha is ignored).

    Returns
    -------
    psnr : float
        ``inf`` for identical images.

    Examples
    --------
    >>> a = np.zeros((4, 4, 3), dtype=np.uint8)
    >>> b = a.copy(); b[0, 0, 0] = 255
    >>> round(psnr(b, a), 2)
    16.81
    """
    from skimage.metrics import peak_signal_noise_ratio

    x, _ = to_float(image, name="image")
    y, _ = to_float(reference, name="reference")
    if x.shape != y.shape:
        raise ValueError(
            f"`image` and `reference` must have the same shape, got {x.shape} and {y.shape}."
        )
    if np.array_equal(x, y):
        return float("inf")
    return float(peak_signal_noise_ratio(y, x, data_range=1.0))


def ssim(image, reference) -> float:
    """Structural similarity (Wang et al. [5]_) of `image` and `reference`.

    Via :func:`skimage.metrics.structural_similarity` with its defaults (7x7
    uniform window), per channel and averaged, on values read in their
    dtype's range (data range 1).

    Parameters
    ----------
    image, reference : ndarray
        Images of the same shape, at least 7x7 (gray or RGB; alpha ignored).

    Returns
    -------
    ssim : float
        1 for identical images.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = rng.random((16, 16, 3))
    >>> ssim(img, img)
    1.0
    """
    from skimage.metrics import structural_similarity

    x, _ = to_float(image, name="image")
    y, _ = to_float(reference, name="reference")
    if x.shape != y.shape:
        raise ValueError(
            f"`image` and `reference` must have the same shape, got {x.shape} and {y.shape}."
        )
    return float(structural_similarity(x, y, data_range=1.0, channel_axis=-1))


def lightness_ssim(image, output) -> float:
    """SSIM of the L* channels of `image` and `output`: is the structure kept?

    Color transfer should change colors, not the picture's structure; this
    compares lightness only (data range 100, skimage's default window).

    Parameters
    ----------
    image, output : ndarray
        RGB (or gray) images of the same height and width.

    Returns
    -------
    ssim : float
        1 when the lightness is unchanged (whatever happened to a*, b*).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = rng.random((16, 16, 3)).astype(np.float32)
    >>> lightness_ssim(img, img)
    1.0
    """
    from skimage.metrics import structural_similarity

    a = _lab(image, "image")[..., 0]
    b = _lab(output, "output")[..., 0]
    _same_shape(a, b, ("image", "output"))
    return float(structural_similarity(a, b, data_range=100.0))


def _gradient_magnitude(lab: np.ndarray) -> np.ndarray:
    g2 = np.zeros(lab.shape[:2], dtype=np.float64)
    for c in range(3):
        ch = lab[..., c].astype(np.float64)
        gy, gx = np.gradient(ch)
        g2 += gx * gx + gy * gy
    return np.sqrt(g2)


def gradient_artifacts(image, output) -> float:
    """Energy of the gradients that `output` has and `image` had not.

    With ``G`` the per-pixel CIELAB gradient magnitude (central differences,
    ``sqrt(sum over L*, a*, b* of dx^2 + dy^2)``)::

        artifacts = mean(max(G(output) - G(image), 0) ** 2)

    Grain, blocking and banding created by a transfer raise it; a smooth
    recoloring keeps it near 0 (contrast stretching raises it a little too,
    so compare methods on the same inputs). Units: (ΔE per pixel)².

    Parameters
    ----------
    image, output : ndarray
        RGB (or gray) images of the same height and width.

    Returns
    -------
    energy : float
        >= 0; 0 when `output` has nowhere a stronger gradient than `image`.

    Examples
    --------
    >>> flat = np.full((8, 8, 3), 0.5, dtype=np.float32)
    >>> noisy = flat + np.float32(0.05) * np.random.default_rng(0).standard_normal((8, 8, 3))
    >>> gradient_artifacts(flat, flat), gradient_artifacts(noisy, flat)
    (0.0, 0.0)
    >>> gradient_artifacts(flat, noisy.clip(0, 1)) > 1
    True
    """
    a = _lab(image, "image")
    b = _lab(output, "output")
    _same_shape(a, b, ("image", "output"))
    excess = np.maximum(_gradient_magnitude(b) - _gradient_magnitude(a), 0.0)
    return float(np.mean(excess**2))


# --- colorization scores (Lab in, Lab out) ---------------------------------------------
def _ab_error(pred_lab, true_lab) -> np.ndarray:
    p, t = _lab_pair(pred_lab, true_lab, -1)
    return np.hypot(p[..., 1] - t[..., 1], p[..., 2] - t[..., 2])


def ab_rmse(pred_lab, true_lab) -> float:
    """Root mean square a*b* error between a predicted and a true CIELAB image.

    ``sqrt(mean((a_pred - a_true)^2 + (b_pred - b_true)^2))``: the error of
    the chroma only (L* is ignored), as used to score colorizations.

    Parameters
    ----------
    pred_lab, true_lab : array_like of shape (..., 3)
        CIELAB values.

    Returns
    -------
    rmse : float

    Examples
    --------
    >>> ab_rmse(np.array([[50.0, 3.0, 4.0]]), np.array([[10.0, 0.0, 0.0]]))
    5.0
    """
    e = _ab_error(pred_lab, true_lab)
    return float(np.sqrt(np.mean(e**2)))


def auc_ab(
    pred_lab,
    true_lab,
    thresholds=None,
    weights=None,
) -> float:
    """Area under the curve of a*b* accuracy vs threshold (Zhang et al. 2016 [3]_).

    For each threshold ``t`` the (weighted) fraction of pixels whose a*b*
    error ``hypot(Δa*, Δb*)`` is at most ``t``; the curve over
    ``thresholds`` (default 0, 1, ..., 150) is integrated with the trapezoid
    rule and divided by its span, so a perfect prediction scores 1.

    Parameters
    ----------
    pred_lab, true_lab : array_like of shape (..., 3)
        Predicted and true CIELAB images.
    thresholds : array_like, optional
        Increasing thresholds in a*b* units; default ``np.arange(151)``.
    weights : array_like, optional
        Per-pixel weights, shape of the images without the channel axis. Zhang
        et al.'s *rebalanced* AuC weights each pixel by the inverse of the prior
        probability of its true color's a*b* bin; without weights all pixels
        count the same.

    Returns
    -------
    auc : float
        In [0, 1].

    Examples
    --------
    >>> lab = np.zeros((4, 4, 3))
    >>> auc_ab(lab, lab)
    1.0
    >>> far = lab + [0, 200, 0]
    >>> auc_ab(far, lab)
    0.0
    """
    err = _ab_error(pred_lab, true_lab)
    e = err.ravel()
    t = np.arange(151.0) if thresholds is None else np.asarray(thresholds, dtype=np.float64)
    if t.ndim != 1 or t.size < 2 or np.any(np.diff(t) <= 0):
        raise ValueError(
            f"`thresholds` must be a 1-D increasing array of at least 2 values, got {t!r}."
        )
    if weights is None:
        w = np.ones_like(e)
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != err.shape:
            raise ValueError(
                f"`weights` must have the images' shape without the channel axis {err.shape}, "
                f"got {w.shape}."
            )
        w = w.ravel()
        if not np.isfinite(w).all() or np.any(w < 0) or w.sum() <= 0:
            raise ValueError("`weights` must be finite, >= 0 and not all 0.")
    order = np.argsort(e, kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(w[order])]) / w.sum()
    frac = cum[np.searchsorted(e[order], t, side="right")]
    area = np.sum(0.5 * (frac[1:] + frac[:-1]) * np.diff(t))
    return float(area / (t[-1] - t[0]))


# --- distances between color distributions ---------------------------------------------------
def sliced_wasserstein_lab(
    a,
    b,
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
    ``sqrt(mean over directions of W2²)`` is returned [4]_. Units are Lab
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
    if not isinstance(n_projections, (int, np.integer)) or n_projections < 1:
        raise ValueError(f"`n_projections` must be a positive int, got {n_projections!r}.")
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
    a, b, *, max_pixels: int | None = 200_000, space: str = "rgb", random_state=0
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

    rng = check_random_state(random_state)
    p = _space_pixels(a, "a", space, max_pixels, rng)
    q = _space_pixels(b, "b", space, max_pixels, rng)
    return np.array([wasserstein_distance(p[:, c], q[:, c]) for c in range(3)])


def bhattacharyya_ab(
    a, b, *, bins: int = 64, ab_range: tuple[float, float] = (-128.0, 128.0), space: str = "rgb"
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
    hists = []
    for name, img in (("a", a), ("b", b)):
        px = _space_pixels(img, name, space, None, np.random.default_rng(0))
        ab = np.clip(px[:, 1:], ab_range[0], np.nextafter(ab_range[1], -np.inf))
        h, _, _ = np.histogram2d(ab[:, 0], ab[:, 1], bins=bins, range=[ab_range, ab_range])
        hists.append(h / h.sum())
    bc = float(np.sum(np.sqrt(hists[0] * hists[1])))
    return float(np.sqrt(max(1.0 - bc, 0.0)))


# --- adapters for the benchmark harness: metric(output, image, reference) -> float -----
def _adapter(label: str, better: str) -> Callable:
    def mark(fn: Callable) -> Callable:
        fn.label = label
        fn.better = better
        return fn

    return mark


@_adapter("ΔE00 mean vs input", "lower")
def ciede2000_mean_to_image(output, image, reference=None) -> float:
    """Mean CIEDE2000 between `output` and `image` (same size), e.g. a round trip's error.

    Examples
    --------
    >>> img = np.random.default_rng(0).random((8, 8, 3))
    >>> ciede2000_mean_to_image(img, img, None)
    0.0
    """
    a, b = _lab_of_images(output, image)
    return float(np.mean(ciede2000(a, b)))


@_adapter("ΔE00 max vs input", "lower")
def ciede2000_max_to_image(output, image, reference=None) -> float:
    """Largest CIEDE2000 between `output` and `image` over all pixels.

    Examples
    --------
    >>> img = np.zeros((2, 2, 3)); out = img.copy(); out[0, 0] = 1.0
    >>> round(ciede2000_max_to_image(out, img, None), 2)
    100.0
    """
    a, b = _lab_of_images(output, image)
    return float(np.max(ciede2000(a, b)))


@_adapter("ΔE76 mean vs input", "lower")
def deltae76_mean_to_image(output, image, reference=None) -> float:
    """Mean CIE76 ΔE between `output` and `image`.

    Examples
    --------
    >>> img = np.full((2, 2, 3), 0.5)
    >>> deltae76_mean_to_image(img, img, None)
    0.0
    """
    a, b = _lab_of_images(output, image)
    return float(np.mean(deltae76(a, b)))


@_adapter("PSNR vs input (dB)", "higher")
def psnr_to_image(output, image, reference=None) -> float:
    """PSNR of `output` against `image` (see :func:`psnr`)."""
    return psnr(output, image)


@_adapter("SSIM vs input", "higher")
def ssim_to_image(output, image, reference=None) -> float:
    """SSIM of `output` against `image` (see :func:`ssim`)."""
    return ssim(output, image)


@_adapter("SW2 Lab to reference", "lower")
def sliced_wasserstein_to_reference(output, image, reference) -> float:
    """Sliced Wasserstein distance (Lab) from `output`'s colors to `reference`'s.

    How well a transfer reached the reference's color distribution; see
    :func:`sliced_wasserstein_lab`.
    """
    return sliced_wasserstein_lab(output, reference)


@_adapter("EMD Lab to reference", "lower")
def emd_to_reference(output, image, reference) -> float:
    """Sum over L*, a*, b* of the per-channel EMD from `output` to `reference`."""
    return float(emd_per_channel(output, reference).sum())


@_adapter("Bhattacharyya ab to reference", "lower")
def bhattacharyya_ab_to_reference(output, image, reference) -> float:
    """Bhattacharyya distance of `output`'s and `reference`'s a*b* histograms."""
    return bhattacharyya_ab(output, reference)


@_adapter("L* SSIM vs input", "higher")
def lightness_ssim_to_image(output, image, reference=None) -> float:
    """Lightness-structure preservation: :func:`lightness_ssim` of `image` and `output`."""
    return lightness_ssim(image, output)


@_adapter("gradient artifacts vs input", "lower")
def gradient_artifacts_vs_image(output, image, reference=None) -> float:
    """:func:`gradient_artifacts` of `output` relative to `image`."""
    return gradient_artifacts(image, output)


@_adapter("colorfulness of output", "higher")
def colorfulness_of_output(output, image=None, reference=None) -> float:
    """Hasler & Süsstrunk colorfulness of `output` (see :func:`colorfulness`)."""
    return colorfulness(output)


# --- colorization: vivid-wrong pixels (issue 12) ---------------------------------------------
def vivid_wrong(output, truth, *, chroma_min: float = 20.0, neutral: float = 8.0,
                hue_deg: float = 60.0) -> float:
    """Share of *vivid-wrong* pixels of a colorization: confidently colored, and wrongly.

    A pixel is vivid-wrong when the output's chroma ``C*ab >= chroma_min``
    while the truth there is near-neutral (``C*ab < neutral``) or has a hue
    ``h_ab`` more than ``hue_deg`` degrees away from the output's. CIELAB (D65)
    of sRGB inputs. A gray output scores 0; a faithful one about 0.

    Parameters
    ----------
    output, truth : ndarray (M, N, 3) or (M, N, 4)
        sRGB images (uint8, uint16 or float in [0, 1]) of the same height and
        width; alpha is ignored; gray inputs are taken as RGB.
    chroma_min : float, optional
        Output chroma from which a pixel counts as vivid (C*ab units).
    neutral : float, optional
        Truth chroma below which a pixel counts as near-neutral.
    hue_deg : float, optional
        Largest hue difference, in degrees, that still counts as the right hue.

    Returns
    -------
    share : float
        In [0, 1], over all pixels.

    Examples
    --------
    >>> truth = np.zeros((1, 3, 3), np.uint8); truth[..., 0] = 200  # dark red
    >>> out = truth.copy(); out[0, 1] = (0, 160, 0); out[0, 2] = (120, 120, 120)
    >>> round(vivid_wrong(out, truth), 4)  # green where red: wrong; gray: not vivid
    0.3333
    >>> vivid_wrong(truth, truth)
    0.0
    """
    from .spaces import _convert_float

    for name, v, low, high in (("chroma_min", chroma_min, 0.0, np.inf),
                               ("neutral", neutral, 0.0, np.inf),
                               ("hue_deg", hue_deg, 0.0, 180.0)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"`{name}` must be a number, got {type(v).__name__}.")
        if not low <= float(v) <= high:
            raise ValueError(f"`{name}` must be in [{low:g}, {high:g}], got {v!r}.")
    o, _ = to_float(output, name="output", channels=(3,), gray_to_rgb=True)
    t, _ = to_float(truth, name="truth", channels=(3,), gray_to_rgb=True)
    if o.shape[:2] != t.shape[:2]:
        raise ValueError(
            f"`output` and `truth` must have the same height and width, got {o.shape[:2]} "
            f"and {t.shape[:2]}."
        )
    if o.shape[0] * o.shape[1] == 0:
        raise ValueError("`output` and `truth` must have at least one pixel.")
    ab_o = _convert_float(o, "rgb", "lab")[..., 1:].astype(np.float64)
    ab_t = _convert_float(t, "rgb", "lab")[..., 1:].astype(np.float64)
    c_o = np.hypot(ab_o[..., 0], ab_o[..., 1])
    c_t = np.hypot(ab_t[..., 0], ab_t[..., 1])
    # hue difference through the angle between the two a*b* vectors (no wrap-around issue)
    cos = (ab_o * ab_t).sum(-1) / np.maximum(c_o * c_t, 1e-12)
    wrong_hue = cos < np.cos(np.deg2rad(float(hue_deg)))
    bad = (c_o >= float(chroma_min)) & ((c_t < float(neutral)) | wrong_hue)
    return float(bad.mean())


__all__ += ["vivid_wrong"]
