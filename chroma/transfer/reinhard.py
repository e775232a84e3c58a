"""Reinhard et al. (2001) color transfer: match per-channel mean and spread."""

from __future__ import annotations

import numpy as np

from ._base import ColorTransfer

__all__ = ["ReinhardTransfer", "reinhard_transfer"]

# a channel whose standard deviation is below this is "constant"
_STD_EPS = 1e-6


def _moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation of ``(N, 3)`` pixels, float64."""
    mean = x.mean(axis=0, dtype=np.float64)
    std = np.sqrt(np.maximum(((x - mean.astype(x.dtype)) ** 2).mean(axis=0, dtype=np.float64),
                             0.0))
    return mean, std


def _gains(std_img: np.ndarray, std_ref: np.ndarray) -> np.ndarray:
    """``std_ref / std_img`` per channel; 1 where the image channel is constant."""
    gain = np.ones(3)
    ok = std_img > _STD_EPS
    gain[ok] = std_ref[ok] / std_img[ok]
    return gain


class ReinhardTransfer(ColorTransfer):
    """Give an image the per-channel mean and standard deviation of a reference.

    Each channel of the working space is shifted and scaled,
    ``out = (x - mean_img) * std_ref / std_img + mean_ref``, which imposes the
    reference's first two moments per channel [1]_.

    Parameters
    ----------
    space : {"lab", "lalphabeta", "rgb", "linear", "ycbcr", "xyz"}, optional
        Working space. ``"lalphabeta"`` is Ruderman's decorrelated space used
        in the paper; ``"lab"`` (CIELAB, default) is what most tools use.
        Statistics are always computed in the same space they are applied in.
    strength : float in [0, 1], optional
        Blend between the image (0) and the full transfer (1), in the working
        space.
    keep_luminance : bool, optional
        Keep the image's lightness channel (L*, l, Y) and transfer only color.

    Attributes
    ----------
    mean_ : ndarray of shape (3,)
        Reference mean per channel of the working space.
    std_ : ndarray of shape (3,)
        Reference standard deviation per channel.

    Notes
    -----
    *Constant channels.* Where the image's channel is constant (standard
    deviation below 1e-6) there is no spread to scale, so that channel is only
    shifted to the reference's mean (gain 1); a constant reference channel
    gives gain 0, i.e. the whole channel becomes the reference's value. No
    division by zero, no NaN.

    *Gamut.* The result is converted back to sRGB and clipped per channel to
    [0, 1] (out-of-gamut colors are clipped, not gamut-mapped).

    References
    ----------
    .. [1] E. Reinhard, M. Ashikhmin, B. Gooch, P. Shirley, "Color Transfer
           between Images", IEEE Computer Graphics and Applications 21(5),
           pp. 34-41, 2001.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ref = (0.3 + 0.4 * rng.random((16, 16, 3))).astype(np.float32)
    >>> t = ReinhardTransfer(space="rgb").fit(ref)
    >>> out = t.transform(rng.random((8, 8, 3)).astype(np.float32) * 0.5)
    >>> bool(np.allclose(out.mean((0, 1)), ref.mean((0, 1)), atol=1e-3))
    True
    """

    _spaces = ("lab", "lalphabeta", "rgb", "linear", "ycbcr", "xyz")
    _fitted_attr = "mean_"
    _uses_image_stats = True

    def __init__(self, space: str = "lab", *, strength: float = 1.0,
                 keep_luminance: bool = False):
        self.space = space
        self.strength = strength
        self.keep_luminance = keep_luminance

    def _fit_pixels(self, ref: np.ndarray) -> None:
        self.mean_, self.std_ = _moments(ref)

    def _affine(self, stats: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-channel ``out = (x - mean) * gain + mean_ref`` for an image with these stats."""
        mean, std = _moments(stats)
        return mean, _gains(std, self.std_), self.mean_

    def _transform_pixels(self, pixels: np.ndarray, stats: np.ndarray) -> np.ndarray:
        mean, gain, mean_ref = self._affine(stats)
        pixels -= mean.astype(np.float32)
        pixels *= gain.astype(np.float32)
        pixels += mean_ref.astype(np.float32)
        return pixels


def reinhard_transfer(image, reference, *, space: str = "lab", strength: float = 1.0,
                      keep_luminance: bool = False, mask=None, reference_mask=None,
                      channel_axis: int = -1):
    """One-call :class:`ReinhardTransfer`: ``fit(reference).transform(image)``.

    Examples
    --------
    >>> img = np.full((2, 2, 3), 100, np.uint8)
    >>> reinhard_transfer(img, np.full((3, 3, 3), 30, np.uint8))[0, 0]
    array([30, 30, 30], dtype=uint8)
    """
    t = ReinhardTransfer(space, strength=strength, keep_luminance=keep_luminance)
    t.fit(reference, mask=reference_mask, channel_axis=channel_axis)
    return t.transform(image, mask=mask, channel_axis=channel_axis)
