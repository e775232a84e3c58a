"""Palette extraction: :func:`extract_palette` and the :class:`KMeansPalette` step.

k-means in CIELAB over every pixel of the image, summarized exactly by a 32³
color histogram with per-bin mean colors; deterministic for a seed; weights
are pixel shares.
"""

from __future__ import annotations

import numbers

import numpy as np

from chroma._core.base import ColorStep
from chroma._core.deprecation import UNSET, renamed
from chroma._core.parallel import NUMBA_MIN_PIXELS as _NUMBA_MIN_PIXELS
from chroma._core.validate import (
    check_fitted,
    check_image,
    check_mask,
    check_random_state,
    check_scalar,
)
from chroma.palettes.palette import ORDERS, Palette, _rgb_to_lab
from chroma.palettes.quantization import quantize

__all__ = ["KMeansPalette", "extract_palette"]


def _np_color_histogram(img, scale, weights, use_weights):
    """NumPy twin of :func:`chroma.palettes._kernels.color_histogram`."""
    from chroma.palettes._kernels import BITS, NBINS

    v = np.asarray(img, dtype=np.float64).reshape(-1, 3)
    b = np.clip((v * scale).astype(np.int64), 0, (1 << BITS) - 1)
    k = (b[:, 0] << (2 * BITS)) | (b[:, 1] << BITS) | b[:, 2]
    w = np.asarray(weights, dtype=np.float64).reshape(-1) if use_weights else np.ones(len(v))
    counts = np.bincount(k, weights=w, minlength=NBINS)
    sums = np.stack([np.bincount(k, weights=w * v[:, c], minlength=NBINS) for c in range(3)], 1)
    return counts, sums


def _histogram(arr: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Non-empty histogram bins of an (M, N, 3) image: their weights and mean sRGB."""
    if arr.dtype == np.uint8:
        maxval = 255.0
    elif arr.dtype == np.uint16:
        maxval = 65535.0
    else:
        maxval = 1.0
        if arr.dtype != np.float32 and arr.dtype != np.float64:
            arr = arr.astype(np.float32)
    scale = 32.0 / (maxval + 1.0) if maxval > 1 else 32.0
    use_w = weights is not None
    w = weights if use_w else np.ones((1, 1), dtype=np.float32)
    if arr.shape[0] * arr.shape[1] >= _NUMBA_MIN_PIXELS:
        from chroma._core.parallel import get_num_threads
        from chroma.palettes import _kernels as K

        nchunks = int(min(get_num_threads() * 2, arr.shape[0]))
        if arr.dtype == np.uint8 and not use_w:
            counts, sums = K.color_histogram_u8(arr, nchunks)
        else:
            counts, sums = K.color_histogram(arr, scale, w, use_w, nchunks)
    else:
        counts, sums = _np_color_histogram(arr, scale, w, use_w)
    nz = np.flatnonzero(counts > 0)
    if not len(nz):
        raise ValueError("`region` (or the alpha channel) selects no pixels; nothing to extract.")
    mean = np.clip(sums[nz] / (counts[nz, None] * maxval), 0.0, 1.0)
    return counts[nz], mean


def _split(image, name: str, region) -> tuple[np.ndarray, np.ndarray | None]:
    """Channels-last RGB view of `image` (no copy) and the per-pixel weights (region * alpha)."""
    arr = check_image(image, name=name)
    if arr.ndim == 2:
        arr = arr[..., None]
    alpha = None
    if arr.shape[-1] in (2, 4):
        alpha = arr[..., -1]
        arr = arr[..., :-1]
    if arr.shape[-1] == 1:
        arr = np.broadcast_to(arr, (*arr.shape[:2], 3))
    if arr.dtype == np.float16:
        arr = arr.astype(np.float32)
    weights = None
    if region is not None:
        weights = check_mask(region, arr.shape, name="region")
    if alpha is not None:
        a = alpha.astype(np.float32)
        if alpha.dtype.kind == "u":
            a /= np.float32(np.iinfo(alpha.dtype).max)
        a = np.clip(a, 0, 1)
        weights = a if weights is None else weights * a
    return arr, None if weights is None else np.ascontiguousarray(weights, dtype=np.float32)


_CONTROLLER = None
_N_INIT = 4  # k-means restarts (k-means++ starts) in extract_palette


def _threadpools():
    """A cached threadpoolctl controller (building one scans the loaded libraries)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER


def _kmeans_palette(counts, mean_rgb, n_colors, rng, order) -> Palette:
    """Weighted k-means in Lab over histogram bins -> Palette ordered by `order`."""
    lab = _rgb_to_lab(mean_rgb)
    if len(lab) <= n_colors:  # no more distinct colors than asked for: they are the palette
        centers, shares = lab, counts
    else:
        from sklearn.cluster import KMeans

        seed = int(rng.integers(0, 2**31 - 1))
        km = KMeans(n_clusters=n_colors, n_init=_N_INIT, random_state=seed)
        # a few thousand points: OpenMP threads cost more than they give (much more on a
        # busy machine), so k-means runs on one thread
        with _threadpools().limit(limits=1, user_api="openmp"):
            labels = km.fit(lab, sample_weight=counts).labels_
        shares = np.bincount(labels, weights=counts, minlength=n_colors)
        sums = np.stack(
            [np.bincount(labels, weights=counts * lab[:, c], minlength=n_colors)
             for c in range(3)], 1,
        )
        keep = shares > 0
        centers, shares = sums[keep] / shares[keep, None], shares[keep]
    return Palette.from_lab(centers, shares).sorted(order)


def _check_n_colors(n_colors) -> int:
    return check_scalar(n_colors, "n_colors", numbers.Integral, low=1, high=256)


def _check_order(order) -> str:
    if order not in ORDERS:
        raise ValueError(f"order={order!r} is not an order; choose from {list(ORDERS)}.")
    return order


def extract_palette(
    image,
    n_colors: int = 6,
    *,
    region=None,
    random_state=None,
    order: str = "share",
    channel_axis: int = -1,
    mask=UNSET,
) -> Palette:
    """The `n_colors` dominant colors of `image`, by k-means in CIELAB.

    Every pixel counts: one pass builds a 32×32×32 sRGB histogram that keeps
    the exact mean color of each bin, and weighted k-means (scikit-learn,
    k-means++ with 4 restarts) clusters the bins' Lab colors. Palette colors
    are the clusters' mean Lab colors; weights are their shares of the
    pixels. An image with at most `n_colors` distinct bins gives those colors
    exactly (and a shorter palette when there are fewer).

    Parameters
    ----------
    image : ndarray
        RGB(A) or gray image; uint8, uint16 or float in [0, 1]. Alpha weights
        the pixels (transparent ones do not count).
    n_colors : int, optional
        Number of colors (1 to 256).
    region : ndarray of shape (M, N), optional
        Which pixels count: bool, or float in [0, 1] (pixels count by their
        value).
    random_state : None, int or numpy.random.Generator, optional
        Seed of the k-means initialization; the same seed gives the same palette.
    order : {"share", "lightness", "hue"}, optional
        Order of the colors: largest share first, dark to light, or by hue.
    channel_axis : int, optional
        Channel axis of `image`.
    mask : ndarray, optional
        Deprecated name of `region`.

    Returns
    -------
    palette : Palette

    See Also
    --------
    KMeansPalette : the same as an estimator whose ``transform`` quantizes.

    Examples
    --------
    >>> img = np.zeros((10, 10, 3)); img[:, :3] = (1.0, 0.6, 0.0)
    >>> extract_palette(img, 3, random_state=0)
    Palette(['#000000', '#ff9900'], weights=[0.7, 0.3])
    """
    region = renamed(region, mask, old="mask", new="region", default=None)
    n_colors = _check_n_colors(n_colors)
    order = _check_order(order)
    if channel_axis not in (-1, 2):
        image = check_image(image, channel_axis=channel_axis)  # now channels-last
    arr, weights = _split(image, "image", region)
    counts, mean_rgb = _histogram(arr, weights)
    return _kmeans_palette(counts, mean_rgb, n_colors, check_random_state(random_state), order)


class KMeansPalette(ColorStep):
    """Palette extraction as an estimator: ``fit`` learns a palette, ``transform`` quantizes.

    Parameters
    ----------
    n_colors : int, optional
        Number of colors.
    order : {"share", "lightness", "hue"}, optional
        Order of ``palette_``'s colors.
    dither : bool, optional
        Floyd–Steinberg dithering in ``transform``.
    random_state : None, int or numpy.random.Generator, optional
        Seed of the k-means initialization.

    Attributes
    ----------
    palette_ : Palette
        The palette of the reference.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    >>> km = KMeansPalette(4, random_state=0).fit(img)
    >>> len(km.palette_), km.transform(img).dtype
    (4, dtype('uint8'))
    >>> len(np.unique(km.transform(img).reshape(-1, 3), axis=0))
    4
    """

    def __init__(self, n_colors: int = 6, *, order: str = "share", dither: bool = False,
                 random_state=None):
        self.n_colors = n_colors
        self.order = order
        self.dither = dither
        self.random_state = random_state

    def fit(self, reference, /, *, reference_mask=None, channel_axis: int = -1):
        """Extract the palette of `reference` (see :func:`extract_palette`)."""
        self.palette_ = extract_palette(
            reference, self.n_colors, region=reference_mask, random_state=self.random_state,
            order=self.order, channel_axis=channel_axis,
        )
        return self

    def transform(self, image, /, *, region=None, channel_axis: int = -1):
        """Quantize `image` to ``palette_`` (see :func:`quantize`); `region` is unused."""
        check_fitted(self, "palette_")
        return quantize(image, self.palette_, dither=self.dither, channel_axis=channel_axis)
