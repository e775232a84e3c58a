"""Iterative distribution transfer (Pitié, Kokaram, Dahyot 2005/2007), with regrain.

IDT matches the whole 3-D color distribution of an image to a reference's by
repeating one cheap step: rotate the color space, match the three 1-D
marginals (histogram / CDF matching along each rotated axis), rotate back.
After a few rotations the distributions agree in every direction, so they
agree in 3-D. The result keeps the image's structure but the colors can
stretch into grain in smooth areas; :func:`chroma.transfers.regrain.regrain`
(``regrain=True``) fixes that.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from chroma._core.validate import check_random_state, working_copy
from chroma.transfers import _maps
from chroma.transfers._base import ChainTransfer, _restore, _select

__all__ = ["PITIE_ROTATIONS", "IDTTransfer", "random_rotations"]

# Pitié et al. (2007)'s optimized rotation sequence (rows are the axes), as printed in
# the paper and used by python-color-transfer; re-orthonormalized below.
_PITIE = np.array(
    [
        [[1.000000, 0.000000, 0.000000], [0.000000, 1.000000, 0.000000],
         [0.000000, 0.000000, 1.000000]],
        [[0.333333, 0.666667, 0.666667], [0.666667, 0.333333, -0.666667],
         [-0.666667, 0.666667, -0.333333]],
        [[0.577350, 0.211297, 0.788682], [-0.577350, 0.788668, 0.211352],
         [0.577350, 0.577370, -0.577330]],
        [[0.577350, 0.408273, 0.707092], [-0.577350, -0.408224, 0.707121],
         [0.577350, -0.816497, 0.000029]],
        [[0.332572, 0.910758, 0.244778], [-0.910887, 0.242977, 0.333536],
         [-0.244295, 0.333890, -0.910405]],
        [[0.243799, 0.910726, 0.333376], [0.910699, -0.333174, 0.244177],
         [-0.333450, -0.244075, 0.910625]],
    ]
)


def _orthonormalize(m: np.ndarray) -> np.ndarray:
    u, _, vt = np.linalg.svd(m)
    return u @ vt


PITIE_ROTATIONS = np.stack([_orthonormalize(r) for r in _PITIE])


def random_rotations(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random orthogonal 3x3 matrices, uniform (Haar) over O(3).

    QR of a Gaussian matrix with the signs of R's diagonal moved into Q.

    Examples
    --------
    >>> r = random_rotations(2, np.random.default_rng(0))
    >>> np.allclose(r[1] @ r[1].T, np.eye(3))
    True
    """
    out = np.empty((n, 3, 3))
    for k in range(n):
        q, r = np.linalg.qr(rng.standard_normal((3, 3)))
        out[k] = q * np.sign(np.diag(r))
    return out


class IDTTransfer(ChainTransfer):
    """Iterative distribution transfer: match the 3-D color distribution of a reference.

    Each iteration rotates the colors, matches the three 1-D marginals to the
    reference's along the rotated axes (binned CDF matching, piecewise-linear
    maps), and rotates back. The maps are learned on a sample of the image
    (all of it up to `max_pixels` pixels) and then applied to every pixel,
    so the transfer is a function of the color: equal colors stay equal, and
    :meth:`to_lut` exports it (``to_lut(image=...)``: the mapping depends on
    the image).

    Parameters
    ----------
    n_iter : int, optional
        Number of rotations (iterations). 10 is usually enough for the
        distributions to agree; python-color-transfer uses 6.
    space : {"rgb", "linear", "lab", "lalphabeta", "ycbcr", "xyz"}, optional
        Working color space.
    rotations : {"random", "pitie"}, optional
        ``"random"``: a seeded uniform random orthogonal matrix per
        iteration. ``"pitie"``: the paper's optimized sequence of 6
        rotations, then (for ``n_iter > 6``) that sequence again, each time
        turned by a random rotation.
    bins : int, optional
        Histogram bins per axis (the paper's 300 by default).
    max_pixels : int, optional
        At most this many pixels (drawn with a seed) estimate the marginals of
        the image and of the reference at each iteration; every pixel is then
        mapped.
    regrain : bool, optional
        Run :func:`chroma.transfers.regrain.regrain` on the result (restores
        the image's gradients; not part of :meth:`to_lut`).
    strength : float in [0, 1], optional
        Blend with the input in the working space (0: unchanged).
    keep_luminance : bool, optional
        Keep the image's lightness (CIELAB L*, or the first channel of a
        lightness-first space).
    random_state : None, int or numpy.random.Generator, optional
        Seed of the rotations and the samples: equal seeds give equal
        outputs.

    Attributes
    ----------
    rotations_ : ndarray of shape (n_iter, 3, 3)
        The rotation of each iteration (rows are the axes).
    reference_quantiles_ : ndarray of shape (n_iter, 3, 1025)
        The reference's quantile function along each rotated axis.
    sample_seed_ : int
        Seed of the image sample drawn in :meth:`transform`.

    Notes
    -----
    A constant image (or one constant along an axis) is moved to the
    reference's mean along that axis: a point mass is transported onto the
    mean. A pixel outside the range seen in the image sample keeps the end
    displacement of the map. Output is clipped to the gamut at the end.

    References
    ----------
    .. [1] F. Pitié, A. C. Kokaram, R. Dahyot, "N-dimensional probability
           density function transfer and its application to colour
           transfer", ICCV 2005.
    .. [2] F. Pitié, A. C. Kokaram, R. Dahyot, "Automated colour grading
           using colour distribution transfer", Computer Vision and Image
           Understanding 107(1-2), 2007.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = rng.random((16, 16, 3)).astype(np.float32)
    >>> ref = (0.2 + 0.3 * rng.random((20, 20, 3))).astype(np.float32)
    >>> out = IDTTransfer(random_state=0).fit(ref).transform(img)
    >>> out.shape, out.dtype
    ((16, 16, 3), dtype('float32'))
    >>> bool(abs(out.mean() - ref.mean()) < 0.01)
    True
    """

    _renamed: ClassVar[dict[str, str]] = {"sample_size": "max_pixels"}
    _spaces = ("rgb", "linear", "lab", "lalphabeta", "ycbcr", "xyz")
    _fitted_attr = "rotations_"
    _uses_image_stats = True

    def __init__(
        self,
        n_iter: int = 10,
        *,
        space: str = "rgb",
        rotations: str = "random",
        bins: int = 300,
        max_pixels: int = 262_144,
        regrain: bool = False,
        strength: float = 1.0,
        keep_luminance: bool = False,
        random_state=None,
    ):
        self.n_iter = n_iter
        self.space = space
        self.rotations = rotations
        self.bins = bins
        self.max_pixels = max_pixels
        self.regrain = regrain
        self.strength = strength
        self.keep_luminance = keep_luminance
        self.random_state = random_state

    # --- fitting ---------------------------------------------------------------------
    def _check_params(self) -> tuple[int, int, int]:
        n_iter = _maps.check_int(self.n_iter, "n_iter", 1, 10_000)
        bins = _maps.check_int(self.bins, "bins", 2, 1 << 16)
        max_pixels = _maps.check_int(self.max_pixels, "max_pixels", 1)
        if self.rotations not in ("random", "pitie"):
            raise ValueError(
                f"rotations={self.rotations!r} is not supported; choose from "
                "['random', 'pitie']."
            )
        if not isinstance(self.regrain, (bool, np.bool_)):
            raise TypeError(f"`regrain` must be a bool, got {type(self.regrain).__name__}.")
        return n_iter, bins, max_pixels

    def _fit_pixels(self, ref: np.ndarray) -> None:
        from chroma.transfers import _ot_kernels as K

        n_iter, bins, max_pixels = self._check_params()
        rng = check_random_state(self.random_state)
        if self.rotations == "random":
            rot = random_rotations(n_iter, rng)
        else:
            rot = np.empty((n_iter, 3, 3))
            for k in range(n_iter):
                turn = np.eye(3) if k < 6 else random_rotations(1, rng)[0]
                rot[k] = PITIE_ROTATIONS[k % 6] @ turn
        sample = _maps.sample_rows(ref, max_pixels, rng)
        axes = rot.reshape(-1, 3)  # the reference does not move: all axes in one pass
        mm = K.proj_minmax(sample, axes)
        hist = K.proj_hist(sample, axes, mm[:, 0], mm[:, 1], bins)
        q = _maps.quantiles_from_hist(hist, mm[:, 0], mm[:, 1]).reshape(
            n_iter, 3, _maps.N_LEVELS)
        self.rotations_ = rot
        self.reference_quantiles_ = q
        self.sample_seed_ = int(rng.integers(0, 2**63 - 1))

    # --- transforming ----------------------------------------------------------------
    def _learn_chain(self, sample: np.ndarray) -> dict:
        """Learn the per-iteration 1-D maps from a sample of the image's pixels."""
        from chroma.transfers import _ot_kernels as K

        _, bins, _ = self._check_params()
        rot = self.rotations_
        n_iter = len(rot)
        chain = {
            "dirs": np.ascontiguousarray(rot),
            "weights": np.ones(n_iter),
            "lo": np.empty((n_iter, 3)),
            "hi": np.empty((n_iter, 3)),
            "tables": np.empty((n_iter, 3, bins + 1)),
        }
        for k in range(n_iter):
            mm = K.proj_minmax(sample, rot[k])
            lo, hi = mm[:, 0], mm[:, 1]
            hist = K.proj_hist(sample, rot[k], lo, hi, bins)
            cdf = np.zeros((3, bins + 1))
            np.cumsum(hist, axis=1, out=cdf[:, 1:])
            cdf /= cdf[:, -1:]
            _maps.add_step(chain, k, cdf, lo, hi, self.reference_quantiles_[k], sample)
        return chain


    def _transform_image(self, arr, sel):
        if not getattr(self, "regrain", False):
            return super()._transform_image(arr, sel)
        x, restore = working_copy(arr, channels=(3,), gray_to_rgb=True)
        flat = x.reshape(-1, 3)
        out = self._transform_rgb(flat, _select(flat, sel)).reshape(x.shape)
        np.clip(out, 0.0, 1.0, out=out)
        from chroma.transfers.regrain import _regrain_float

        return _restore(_regrain_float(x, out), restore)
