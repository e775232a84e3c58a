"""Color blotches: low-frequency a*b* changes that the input's colors do not explain.

A color map that depends only on the input color (Reinhard, MKL, IDT, a LUT)
changes every pixel of one color the same way; a constant offset changes all
pixels alike. A *blotch* is what neither does: pixels of the same input color,
inside regions of nearly constant L*, that get different colors in different
places (a yellow-green patch on a cat's nose bridge, a pink flush on one
cheek). The measure:

1. ``d = a*b*(output) - a*b*(image)``, both at :data:`SIDE` px on the long side;
2. the part of ``d`` that the input color explains is removed: the mean of
   ``d`` over the pixels of each input-color bin (:data:`BIN_L` L* by
   :data:`BIN_AB` a*b* units) is subtracted, leaving ``r``;
3. ``r`` is averaged over blocks of 1/32 of the long side (low-pass: the grain
   that :func:`chroma.metrics.gradient_artifacts` counts averages out);
4. each block is weighted by how flat the input's L* is there,
   ``w = exp(-(std of L* in the block / FLAT_L)^2)``, and

``blotches = sqrt(mean over the blocks of w |mean_block r|^2)`` (ΔE units, a*b*):
a patch counts by its strength and its area, less where L* has texture.

The optimizer's blotch term (:mod:`chroma.stylization._torch`) is the square
of the same quantity on the proxy it fits, from the same helpers here.
"""

from __future__ import annotations

import numpy as np

from chroma.stylization._compat import _lab_image, _same_shape

__all__ = ["color_blotches"]

SIDE = 256  # long side at which the measure is taken
BLOCKS = 32  # blocks along the long side (the low-pass)
BIN_L = 10.0  # input-color bins: L* width
BIN_AB = 10.0  # and a*, b* width (a*, b* clipped to [-AB_LIMIT, AB_LIMIT])
AB_LIMIT = 80.0
FLAT_L = 10.0  # std of L* in a block at which its weight is 1/e


def block_size(hw: tuple[int, int]) -> int:
    """Side of the low-pass blocks for an image of shape ``hw`` (1/32 of the long side)."""
    return max(1, min(round(max(hw) / BLOCKS), min(hw)))


def color_bins(lab: np.ndarray) -> tuple[np.ndarray, int]:
    """Input-color bin of every pixel of Lab ``lab`` (h, w, 3): (h*w,) int64 and the count."""
    flat = lab.reshape(-1, 3)
    n_l = int(np.ceil(100.0 / BIN_L))
    n_ab = int(np.ceil(2 * AB_LIMIT / BIN_AB))
    il = np.clip((flat[:, 0] / BIN_L).astype(np.int64), 0, n_l - 1)
    ia = np.clip(((flat[:, 1] + AB_LIMIT) / BIN_AB).astype(np.int64), 0, n_ab - 1)
    ib = np.clip(((flat[:, 2] + AB_LIMIT) / BIN_AB).astype(np.int64), 0, n_ab - 1)
    return (il * n_ab + ia) * n_ab + ib, n_l * n_ab * n_ab


def block_mean(x: np.ndarray, block: int) -> np.ndarray:
    """Mean of (h, w, C) ``x`` over ``block`` x ``block`` blocks (the ragged edge dropped)."""
    h, w = (x.shape[0] // block) * block, (x.shape[1] // block) * block
    if h == 0 or w == 0:
        return x.mean((0, 1), keepdims=True)
    x = x[:h, :w]
    return x.reshape(h // block, block, w // block, block, -1).mean((1, 3))


def flat_weights(L: np.ndarray, block: int) -> np.ndarray:
    """Weight of each block (its L* flatness): ``exp(-(std of L* / FLAT_L)^2)``."""
    m = block_mean(L[..., None], block)
    m2 = block_mean(L[..., None] ** 2, block)
    var = np.maximum(m2 - m**2, 0.0)[..., 0]
    return np.exp(-var / FLAT_L**2)


def residual(d: np.ndarray, bins: np.ndarray, n_bins: int) -> np.ndarray:
    """``d`` (h, w, 2) minus its mean over the pixels of each input-color bin."""
    flat = d.reshape(-1, d.shape[-1])
    count = np.bincount(bins, minlength=n_bins)
    means = np.stack([np.bincount(bins, flat[:, c], minlength=n_bins)
                      for c in range(flat.shape[1])], 1) / np.maximum(count, 1)[:, None]
    return (flat - means[bins]).reshape(d.shape)


def blotch_energy(d: np.ndarray, lab: np.ndarray) -> float:
    """Squared blotch measure of the a*b* change ``d`` (h, w, 2) of an image of Lab ``lab``."""
    bins, n_bins = color_bins(lab)
    block = block_size(lab.shape[:2])
    r = block_mean(residual(d.astype(np.float64), bins, n_bins), block)
    w = flat_weights(lab[..., 0].astype(np.float64), block)
    return float((w * (r**2).sum(-1)).mean())


def _shrink(lab: np.ndarray) -> np.ndarray:
    from chroma.stylization._stylizer import _proxy

    return _proxy(lab, SIDE).astype(np.float64)


def color_blotches(output, image, /) -> float:
    """How much `output` recolors one input color differently in different flat places.

    The low-frequency part of the a*b* change from `image` to `output` that
    the input's colors do not explain, inside regions of nearly constant L*
    (see :mod:`chroma.stylization._blotch` for the steps). A global color map
    or a constant offset scores 0; a soft color patch on a flat region that
    has the same color elsewhere scores its size in ΔE. Grain and edges
    average out, so it sees what :func:`chroma.metrics.gradient_artifacts`
    misses, and the other way round.

    Parameters
    ----------
    output, image : ndarray
        The result and the input it was made from: RGB (or gray) images of
        the same height and width, any dtype chroma takes.

    Returns
    -------
    blotches : float
        >= 0, in ΔE (a*b*) units.

    Examples
    --------
    >>> img = np.full((64, 64, 3), 0.5, dtype=np.float32)
    >>> shifted = img * np.array([1.1, 1.0, 0.9], np.float32)  # one global change
    >>> patch = img.copy()
    >>> patch[16:40, 16:40] = shifted[16:40, 16:40]  # the same change, in one place only
    >>> color_blotches(shifted, img) < 1e-6, color_blotches(patch, img) > 1.0
    (True, True)
    """
    b = _lab_image(output, "output")
    a = _lab_image(image, "image")
    _same_shape(b, a, ("output", "image"))
    b, a = _shrink(b), _shrink(a)
    return float(np.sqrt(blotch_energy(b[..., 1:] - a[..., 1:], a)))
