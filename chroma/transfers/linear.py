"""Linear Monge-Kantorovich (MKL) color transfer (Pitié & Kokaram 2007)."""

from __future__ import annotations

import numbers

import numpy as np

from chroma._core.validate import check_scalar
from chroma.transfers._base import AffineTransfer, _affine_pixels

__all__ = ["MKLTransfer", "mkl_matrix"]


def _mean_cov(x: np.ndarray, scale: float = 1.0,
              sel: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mean (3,) and covariance (3, 3) of ``(N, >=3)`` pixels ``* scale``, float64
    (population), gathered in fixed pixel blocks (:mod:`chroma.transfers._blocks`);
    only the pixels where `sel` with it."""
    from chroma.transfers._blocks import combine, rgb_partials

    return combine(rgb_partials(x, sel, scale))


def _np_mean_cov(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=0)
    d = x - mean
    return mean, d.T @ d / len(x)


def _regularize(cov: np.ndarray, reg: float) -> np.ndarray:
    """``cov + (reg * trace / 3 + 1e-12) * I``: keeps a singular covariance invertible."""
    return cov + (reg * np.trace(cov) / 3.0 + 1e-12) * np.eye(3)


def _sqrtm(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric square root and inverse square root of a symmetric PSD matrix."""
    w, v = np.linalg.eigh((a + a.T) / 2)
    w = np.maximum(w, 0.0)
    sw = np.sqrt(w)
    inv = np.where(sw > 0, 1.0 / np.where(sw > 0, sw, 1.0), 0.0)
    return (v * sw) @ v.T, (v * inv) @ v.T


def mkl_matrix(cov_image: np.ndarray, cov_reference: np.ndarray, *, reg: float = 1e-6):
    """The MKL map ``T`` with ``T cov_image T = cov_reference`` (Pitié & Kokaram 2007).

    ``T = A^{-1/2} (A^{1/2} B A^{1/2})^{1/2} A^{-1/2}`` for ``A = cov_image``,
    ``B = cov_reference``: the linear map between the two Gaussians that moves
    colors the least (in the mean-squared sense).

    Examples
    --------
    >>> a = np.diag([1.0, 4.0, 9.0]); b = np.diag([4.0, 4.0, 1.0])
    >>> np.round(mkl_matrix(a, b, reg=0), 6)
    array([[2.      , 0.      , 0.      ],
           [0.      , 1.      , 0.      ],
           [0.      , 0.      , 0.333333]])
    """
    a = _regularize(np.asarray(cov_image, dtype=np.float64), reg)
    b = np.asarray(cov_reference, dtype=np.float64)
    a_half, a_inv_half = _sqrtm(a)
    middle, _ = _sqrtm(a_half @ b @ a_half)
    return a_inv_half @ middle @ a_inv_half


class MKLTransfer(AffineTransfer):
    """Linear Monge-Kantorovich transfer: impose the reference's mean and covariance.

    The image's colors are moved by the affine map
    ``out = T (x - mean_image) + mean_reference``, with ``T`` the closed-form
    MKL solution [1]_ (:func:`mkl_matrix`): among all linear maps that give the
    image the reference's covariance, the one that changes colors least.
    Unlike Reinhard it also transfers the correlations between channels.

    Parameters
    ----------
    space : {"rgb", "lab", "linear", "ycbcr", "lalphabeta", "xyz"}, optional
        Working space (``"rgb"``, as in the paper, by default).
    strength : float in [0, 1], optional
        Blend between the image (0) and the full transfer (1).
    keep_luminance : bool, optional
        Keep the image's CIELAB lightness.
    reg : float, optional
        Relative regularization added to the image covariance's diagonal
        (``reg * trace / 3 + 1e-12``), so that a gray or constant image (a
        singular covariance) gives a finite map: a constant image becomes the
        reference's mean color.

    Attributes
    ----------
    mean_ : ndarray of shape (3,)
        Reference mean in the working space.
    cov_ : ndarray of shape (3, 3)
        Reference covariance in the working space.

    Notes
    -----
    The result is converted back to sRGB and clipped per channel to [0, 1].

    References
    ----------
    .. [1] F. Pitié, A. Kokaram, "The linear Monge-Kantorovitch linear colour
           mapping for example-based colour transfer", IET CVMP, 2007.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ref = 0.3 + 0.2 * rng.random((32, 32, 3))
    >>> out = MKLTransfer().fit(ref).transform(rng.random((16, 16, 3)))
    >>> np.allclose(np.cov(out.reshape(-1, 3).T, bias=True),
    ...             np.cov(ref.reshape(-1, 3).T, bias=True), atol=1e-4)
    True
    """

    _spaces = ("rgb", "lab", "linear", "ycbcr", "lalphabeta", "xyz")
    _fitted_attr = "cov_"
    _uses_image_stats = True

    def __init__(self, space: str = "rgb", *, strength: float = 1.0,
                 keep_luminance: bool = False, reg: float = 1e-6):
        self.space = space
        self.strength = strength
        self.keep_luminance = keep_luminance
        self.reg = reg

    def _check_params(self) -> None:
        super()._check_params()
        check_scalar(self.reg, "reg", numbers.Real, low=0)

    def _fit_pixels(self, ref: np.ndarray) -> None:
        self.mean_, self.cov_ = _mean_cov(ref)

    def _affine(self, stats: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``out = (x - mean) @ m + mean_ref`` for an image with these statistics."""
        return self._affine_from(*_mean_cov(stats))

    def _transform_pixels(self, pixels: np.ndarray, stats: np.ndarray) -> np.ndarray:
        mean, m, mean_ref = self._affine(stats)
        # float64 inside: a near-singular image covariance gives a large gain, and
        # x @ m - mean @ m would cancel in float32
        return _affine_pixels(pixels, m, mean_ref - mean @ m)

    def _fast_ok(self) -> bool:
        return self.space == "rgb" and not self.keep_luminance

    def _fit_fast(self, x2d: np.ndarray, scale: float) -> None:
        self.mean_, self.cov_ = _mean_cov(x2d, scale)

    def _fast_affine(self, x2d: np.ndarray, scale: float):
        return self._affine_moments(*_mean_cov(x2d, scale))

    def _affine_moments(self, mean, cov):
        """The map ``x @ m + b`` for an image of this mean and covariance (float64)."""
        mean, m, mean_ref = self._affine_from(mean, cov)
        return m, mean_ref - mean @ m

    def _affine_from(self, mean, cov):
        t = mkl_matrix(cov, self.cov_, reg=float(self.reg))
        return mean, t.T, self.mean_
