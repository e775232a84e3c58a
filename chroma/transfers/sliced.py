"""Sliced optimal transport color transfer (Rabin et al. 2011, Bonneel et al. 2015).

Gradient descent on the sliced Wasserstein distance between the image's
colors and a sample of the reference's: at each iteration, project both
point clouds on a few random directions, solve each 1-D optimal transport
exactly by sorting, and move the image's colors along each direction by
the average 1-D displacement. It approximates the 3-D optimal transport
that POT's ``EMDTransport`` computes exactly, in O(n log n) per direction
instead of a network-simplex solve on an n x n cost matrix.
"""

from __future__ import annotations

import numbers
from typing import ClassVar

import numpy as np

from chroma._core.validate import check_random_state, check_scalar
from chroma.transfers import _maps
from chroma.transfers._base import ChainTransfer

__all__ = ["SlicedOTTransfer", "random_directions"]

_TABLE_BINS = 512  # grid nodes per 1-D map (the maps apply to all pixels through them)


def random_directions(n_iter: int, n_projections: int, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors ``(n_iter, n_projections, 3)``, uniform on the sphere.

    Each group of 3 is an orthonormal basis (a random rotation): the
    directions of an iteration are spread out, which lowers the variance of
    the step.

    Examples
    --------
    >>> d = random_directions(2, 4, np.random.default_rng(0))
    >>> d.shape, bool(np.allclose(np.linalg.norm(d, axis=-1), 1))
    ((2, 4, 3), True)
    """
    from chroma.transfers.idt import random_rotations

    n_bases = -(-n_projections // 3)
    rot = random_rotations(n_iter * n_bases, rng).reshape(n_iter, n_bases * 3, 3)
    return np.ascontiguousarray(rot[:, :n_projections])


class SlicedOTTransfer(ChainTransfer):
    """Sliced optimal transport: move the image's colors onto a reference sample.

    Parameters
    ----------
    n_projections : int, optional
        Random directions per iteration (grouped in orthonormal triples).
    n_iter : int, optional
        Iterations (gradient steps on the sliced Wasserstein distance).
    max_pixels : int, optional
        Pixels of the reference, and of the image, that the 1-D transports
        are solved on (exactly, by sorting); every pixel of the image is then
        moved by the same 1-D maps.
    step : float in (0, 1], optional
        Step size: each iteration moves a color by ``step`` times the mean
        1-D displacement over the directions, scaled by ``3 / n_projections``
        (so ``step=1`` with 3 directions is a full per-axis match).
    space : {"rgb", "linear", "lab", "lalphabeta", "ycbcr", "xyz"}, optional
        Working color space (directions are uniform in its coordinates).
    strength : float in [0, 1], optional
        Blend with the input in the working space.
    keep_luminance : bool, optional
        Keep the image's lightness.
    random_state : None, int or numpy.random.Generator, optional
        Seed of the directions and the samples.

    Attributes
    ----------
    directions_ : ndarray of shape (n_iter, n_projections, 3)
        The directions of each iteration.
    reference_quantiles_ : ndarray of shape (n_iter, n_projections, 1025)
        Quantile function of the reference sample along each direction.
    sample_seed_ : int
        Seed of the image sample drawn in :meth:`transform`.

    Notes
    -----
    The 1-D maps are stored as piecewise-linear functions on a grid over the
    range of the image sample's projections, so the transfer is a function of
    the color (equal colors stay equal) and :meth:`to_lut` exports it (with
    ``image=``: the mapping depends on the image). A constant image moves to
    the reference's mean color. Output is clipped to the gamut.

    References
    ----------
    .. [1] J. Rabin, G. Peyré, J. Delon, M. Bernot, "Wasserstein barycenter
           and its application to texture mixing", SSVM 2011.
    .. [2] N. Bonneel, J. Rabin, G. Peyré, H. Pfister, "Sliced and Radon
           Wasserstein barycenters of measures", JMIV 51(1), 2015.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = rng.random((16, 16, 3)).astype(np.float32)
    >>> ref = (0.2 + 0.3 * rng.random((20, 20, 3))).astype(np.float32)
    >>> out = SlicedOTTransfer(random_state=0).fit(ref).transform(img)
    >>> bool(abs(out.mean() - ref.mean()) < 0.01)
    True
    """

    _renamed: ClassVar[dict[str, str]] = {"sample_size": "max_pixels"}
    _spaces = ("rgb", "linear", "lab", "lalphabeta", "ycbcr", "xyz")
    _fitted_attr = "directions_"
    _uses_image_stats = True

    def __init__(
        self,
        n_projections: int = 6,
        n_iter: int = 10,
        *,
        max_pixels: int = 50_000,
        step: float = 1.0,
        space: str = "rgb",
        strength: float = 1.0,
        keep_luminance: bool = False,
        random_state=None,
    ):
        self.n_projections = n_projections
        self.n_iter = n_iter
        self.max_pixels = max_pixels
        self.step = step
        self.space = space
        self.strength = strength
        self.keep_luminance = keep_luminance
        self.random_state = random_state

    def _check_params(self) -> tuple[int, int, int, float]:
        n_proj = _maps.check_int(self.n_projections, "n_projections", 1, 3000)
        n_iter = _maps.check_int(self.n_iter, "n_iter", 1, 100_000)
        max_pixels = _maps.check_int(self.max_pixels, "max_pixels", 1)
        step = check_scalar(self.step, "step", numbers.Real, low=0, high=1, include_low=False)
        return n_proj, n_iter, max_pixels, float(step)

    def _fit_pixels(self, ref: np.ndarray) -> None:
        from chroma.transfers import _ot_kernels as K

        n_proj, n_iter, max_pixels, _ = self._check_params()
        rng = check_random_state(self.random_state)
        dirs = random_directions(n_iter, n_proj, rng)
        sample = _maps.sample_rows(ref, max_pixels, rng)
        q = np.empty((n_iter, n_proj, _maps.N_LEVELS))
        for k in range(n_iter):
            q[k] = _maps.quantiles_from_sorted(K.proj_sort(sample, dirs[k]))
        self.directions_ = dirs
        self.reference_quantiles_ = q
        self.sample_seed_ = int(rng.integers(0, 2**63 - 1))

    def _learn_chain(self, sample: np.ndarray) -> dict:
        """Solve the 1-D transports on a sample of the image; return the maps."""
        from chroma.transfers import _ot_kernels as K

        n_proj, _, _, step = self._check_params()
        dirs = self.directions_
        n_iter = len(dirs)
        n = len(sample)
        chain = {
            "dirs": dirs,
            "weights": np.full(n_iter, step * 3.0 / n_proj),
            "lo": np.empty((n_iter, n_proj)),
            "hi": np.empty((n_iter, n_proj)),
            "tables": np.empty((n_iter, n_proj, _TABLE_BINS + 1)),
        }
        ranks = (np.arange(n) + 0.5) / n
        grid = np.linspace(0.0, 1.0, _TABLE_BINS + 1)
        for k in range(n_iter):
            s = K.proj_sort(sample, dirs[k])
            lo, hi = s[:, 0].copy(), s[:, -1].copy()
            cdf = np.empty((n_proj, _TABLE_BINS + 1))
            for j in range(n_proj):
                # CDF of the sample at the grid nodes, ranks at mid-steps (ties averaged)
                nodes = lo[j] + grid * (hi[j] - lo[j])
                cdf[j] = np.interp(nodes, s[j], ranks)
                cdf[j, 0], cdf[j, -1] = 0.0, 1.0
            _maps.add_step(chain, k, cdf, lo, hi, self.reference_quantiles_[k], sample)
        return chain

