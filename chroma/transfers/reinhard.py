"""Reinhard et al. (2001) color transfer: match per-channel mean and spread."""

from __future__ import annotations

import numpy as np

from chroma._core.parallel import NUMBA_MIN_PIXELS as _NUMBA_MIN_PIXELS
from chroma.spaces import convert_pixels
from chroma.transfers._base import AffineTransfer, _affine_pixels
from chroma.transfers._blocks import lab_partials, mean_std
from chroma.transfers.linear import _mean_cov

__all__ = ["ReinhardTransfer", "reinhard_transfer"]

# a channel whose standard deviation is below this is "constant"
_STD_EPS = 1e-6


def _moments(x: np.ndarray, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation of ``(N, 3)`` pixels ``* scale``, float64
    (fixed pixel blocks: :mod:`chroma.transfers._blocks`)."""
    mean, cov = _mean_cov(x, scale)
    return mean, np.sqrt(np.maximum(np.diag(cov), 0.0))


def _np_lab_moments(x2d: np.ndarray, scale: float, lab: np.ndarray | None = None,
                    space: str = "lab"):
    """NumPy twin of the fused kernel: CIELAB (or lαβ) mean and std of sRGB pixels."""
    return mean_std(lab_partials(x2d, None, scale, lab, space, kernel=False))


def _np_lab_affine_to_srgb(lab, gain, offset, alpha, out, out_scale, rint, space="lab"):
    """NumPy twin of the fused kernel (exact formulas)."""
    y = lab.astype(np.float64) * gain + offset
    rgb = convert_pixels(y, space, "rgb", backend="numpy").astype(np.float64) * out_scale
    out[:, :3] = np.floor(rgb + 0.5) if rint else rgb
    if alpha.shape[0]:
        out[:, 3] = alpha


def _lab_moments(x2d: np.ndarray, scale: float, lab: np.ndarray | None = None,
                 space: str = "lab", sel: np.ndarray | None = None):
    """CIELAB (or lαβ) mean/std of sRGB pixels (of those where `sel` with it), in fixed
    pixel blocks (a fused kernel for large inputs); fills ``lab`` (every pixel)."""
    return mean_std(lab_partials(x2d, sel, scale, lab, space))


def _lab_affine_to_srgb(lab, gain, offset, alpha, out, out_scale, rint, space="lab"):
    if lab.shape[0] < _NUMBA_MIN_PIXELS:
        return _np_lab_affine_to_srgb(lab, gain, offset, alpha, out, out_scale, rint, space)
    from chroma.transfers import _reinhard_kernels as K

    K._AFFINE[space](lab, np.asarray(gain, np.float64), np.asarray(offset, np.float64),
                     alpha, out, out_scale, rint)


def _gains(std_img: np.ndarray, std_ref: np.ndarray) -> np.ndarray:
    """``std_ref / std_img`` per channel; 1 where the image channel is constant."""
    gain = np.ones(3)
    ok = std_img > _STD_EPS
    gain[ok] = std_ref[ok] / std_img[ok]
    return gain


class ReinhardTransfer(AffineTransfer):
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
        return _affine_pixels(pixels, np.diag(gain), mean_ref - mean * gain)

    def _fast_ok(self) -> bool:
        return self.space in ("rgb", "lab", "lalphabeta") and not self.keep_luminance

    def _fit_fast(self, x2d: np.ndarray, scale: float) -> None:
        self.mean_, self.std_ = _moments(x2d, scale)

    def _fit_image(self, arr, sel):
        if self.space in ("lab", "lalphabeta") and self._fast_ok():
            view = self._rgb_view(arr)
            if view is not None:  # moments of CIELAB / lαβ straight from the caller's pixels
                x2d, scale, _ = view
                self.n_features_in_ = 3
                self.mean_, self.std_ = _lab_moments(x2d, scale, None, self.space, sel)
                return
        super()._fit_image(arr, sel)

    def _transform_image(self, arr, sel):
        view = self._rgb_view(arr) if self._fast_ok() else None
        if self.space == "rgb" or view is None:
            return super()._transform_image(arr, sel)
        # CIELAB or lαβ: one pass converts and measures, one maps and converts back
        x2d, scale, levels = view
        lab = np.empty((x2d.shape[0], 3), dtype=np.float32)
        mean, std = _lab_moments(x2d, scale, lab, self.space, sel)
        gain = _gains(std, self.std_)
        s = self._strength()
        offset = s * (self.mean_ - mean * gain)
        gain = (1.0 - s) + s * gain
        out = np.empty(x2d.shape, dtype=x2d.dtype)
        alpha = x2d[:, 3] if x2d.shape[1] == 4 else np.zeros(0, dtype=x2d.dtype)
        _lab_affine_to_srgb(lab, gain, offset, alpha, out, float(levels or 1.0),
                            levels is not None, self.space)
        return out.reshape((*arr.shape[:2], x2d.shape[1]))

    def _fast_affine(self, x2d: np.ndarray, scale: float):
        return self._affine_moments(*_mean_cov(x2d, scale))

    def _affine_moments(self, mean, cov):
        """The map ``x @ m + b`` for an image of this mean and covariance (float64)."""
        mean, gain, mean_ref = self._affine_from(mean, np.sqrt(np.maximum(np.diag(cov), 0.0)))
        return np.diag(gain), mean_ref - mean * gain

    def _affine_from(self, mean, std):
        return mean, _gains(std, self.std_), self.mean_


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
    from chroma.transfers import transfer

    return transfer(image, reference, "reinhard", space=space, strength=strength,
                    keep_luminance=keep_luminance, mask=mask, reference_mask=reference_mask,
                    channel_axis=channel_axis)
