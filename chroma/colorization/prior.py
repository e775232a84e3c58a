"""The neural prior: a small CNN that colorizes a gray photo (Zhang et al. 2016).

The network (under 2 M parameters, shipped in ``chroma/colorize/weights/``)
reads the CIELAB lightness at a working resolution and predicts, for each
pixel of a 1/4-resolution grid, a distribution over the quantized a*b* bins
of :mod:`chroma.colorization.bins`. The *annealed mean* of that distribution is
the predicted color: ``vibrancy`` sets its temperature ``T = 1 - vibrancy``
(``vibrancy=0`` is the plain mean, washed out; values near 1 approach the
mode, vivid and patchy; Zhang et al. use ``T = 0.38``). Before decoding, the
distribution is divided by the class-rebalancing weights of training raised
to ``prior_correction``: training with rebalancing biases the network toward
rare, saturated colors by up to ~30x, which on unseen photos gave garish,
mostly wrong colors; ``prior_correction=1`` undoes the bias (the calibrated
posterior), ``0`` keeps Zhang et al.'s raw output. The a*b* planes are
upsampled bilinearly to the full size and recombined with the input's
original, full-resolution lightness, which the output keeps exactly: colors
that fall outside sRGB lose chroma (never lightness).

Decoding (:mod:`chroma.colorization._decode`): the a*b* of a cell whose
distribution spreads over competing hues are scaled toward neutral (the
hue-consistency gain), and the a*b* are upsampled with a guided filter on the
full-resolution L*, so color edges follow the input's edges.

Optional guidance (:mod:`chroma.colorization._predict`): ``hints`` (points) go to
the network's local hint channels (trained as in Zhang et al. 2017, on 90 %
of the crops), then what the network still misses at the hinted pixels is
propagated edge-aware (:mod:`chroma.colorization._residual`) and each hinted
pixel takes its hint. ``reference`` (a color photo) becomes the network's
global a*b* histogram hint, and its confident correspondences with the gray
image (the network's encoder features plus luminance statistics,
:mod:`chroma.colorization._correspond`) become point hints handled the same way;
``reference_strength`` blends from the histogram hint alone (0) to the
correspondences followed (1).

Torch is imported on first use; the weights are hash-checked, loaded once and
cached.

References
----------
.. [1] R. Zhang, P. Isola, A. A. Efros, "Colorful Image Colorization", ECCV 2016.
.. [2] R. Zhang, J.-Y. Zhu, P. Isola, X. Geng, A. S. Lin, T. Yu, A. A. Efros,
       "Real-Time User-Guided Image Colorization with Learned Deep Priors",
       SIGGRAPH 2017.
"""

from __future__ import annotations

import numbers

import numpy as np

from chroma._core.base import ColorStep
from chroma._core.validate import check_image, check_mask, check_strength, to_float

__all__ = ["DEFAULT_CORRECTION", "DEFAULT_VIBRANCY", "Colorizer", "colorize_prior",
           "load_weights"]

# chosen on the training photos held out by the training run (benchmarks/colorization.py
# select --auto-only; benchmarks/results/colorization_selection_auto.md), never on eval
# photos; AUTO_CORRECTION is the unguided network's, DEFAULT_CORRECTION the guided paths'
DEFAULT_VIBRANCY = 0.5
DEFAULT_CORRECTION = 0.5
AUTO_CORRECTION = 0.5
WORKING_SIZE = 112


def _check_vibrancy(vibrancy) -> float:
    if vibrancy is None:
        return DEFAULT_VIBRANCY
    if isinstance(vibrancy, bool) or not isinstance(vibrancy, numbers.Real):
        raise TypeError(
            f"`vibrancy` must be a number in [0, 0.99], got {type(vibrancy).__name__}."
        )
    v = float(vibrancy)
    if not 0.0 <= v <= 0.99:
        raise ValueError(f"`vibrancy` must be a number in [0, 0.99], got {vibrancy!r}.")
    return v


def _check_correction(value) -> float:
    if value is None:
        return DEFAULT_CORRECTION
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`prior_correction` must be a number in [0, 1], got {type(value).__name__}."
        )
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"`prior_correction` must be a number in [0, 1], got {value!r}.")
    return float(value)


def _check_working_size(size) -> int:
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or not 16 <= size <= 2048:
        raise ValueError(f"`working_size` must be an int in [16, 2048], got {size!r}.")
    return int(size)


def load_weights(weights=None):
    """Load (once, then cached) and hash-check the colorizer's weights.

    Parameters
    ----------
    weights : path-like, optional
        A weights file exported by ``python -m chroma.colorization.train --export``
        with its ``.json`` record next to it. Default: the shipped weights.

    Returns
    -------
    model : object
        Holds ``net`` (the torch module), ``bins``, ``prior``, ``config`` and
        ``record`` (the JSON record: SHA-256, recipe, data, metrics).

    Raises
    ------
    ImportError
        PyTorch is not installed.
    OSError
        The file does not match its recorded SHA-256.

    Examples
    --------
    >>> model = load_weights()
    >>> model.record["file"], model.bins.shape[1], model.bins.shape[0] == model.prior.shape[0]
    ('prior.pt', 2, True)
    >>> load_weights() is model  # cached
    True
    """
    from chroma.colorization._infer import load_model

    return load_model(weights)


def _reference_sample(grid, grid_w):
    """A strided sample (about 16k pixels) of the reference's Lab grid, and its weights."""
    step = max(1, int(np.ceil(np.sqrt(grid.shape[0] * grid.shape[1] / 16384))))
    lab = grid[::step, ::step].reshape(-1, 3)
    w = None
    if grid_w is not None:
        w = grid_w[::step, ::step].reshape(-1)
        if w.sum() <= 0:
            raise ValueError("`reference_mask` selects no pixel of `reference`.")
    return lab, w


def _reference_hist(model, lab, w) -> np.ndarray:
    """Global hint: the reference's a*b* distribution over the model's bins."""
    from chroma.colorization.bins import encode_soft

    z = encode_soft(lab[:, 1:], model.bins)
    if w is not None:
        hist = (z * w[:, None]).sum(0) / w.sum()
    else:
        hist = z.mean(0)
    return hist.astype(np.float32)


def colorize_prior(
    image,
    *,
    vibrancy: float | None = None,
    reference=None,
    reference_mask=None,
    reference_strength: float = 1.0,
    hints=None,
    strength: float = 1.0,
    prior_correction: float | None = None,
    working_size: int = WORKING_SIZE,
    weights=None,
    channel_axis: int = -1,
) -> np.ndarray:
    """Colorize a gray (or color) photo with the shipped CNN prior.

    Parameters
    ----------
    image : ndarray (M, N), (M, N, 1), (M, N, 2), (M, N, 3) or (M, N, 4)
        Gray or color image; a color image is colorized from its lightness.
        uint8, uint16 or float in [0, 1]; alpha is kept.
    vibrancy : float in [0, 0.99], optional
        How colorful: the annealed-mean temperature is ``T = 1 - vibrancy``.
        Default :data:`DEFAULT_VIBRANCY`.
    reference : ndarray, optional
        A color photo whose colors guide the output: its a*b* histogram is the
        network's global hint, and its confident correspondences with the
        gray image become point hints (:mod:`chroma.colorization._correspond`).
    reference_mask : array_like (P, Q), optional
        Which pixels of `reference` count (weights in [0, 1]; cells under 0.5
        are never matched).
    reference_strength : float in [0, 1], optional
        How far the output follows the reference's correspondences (0: the
        global histogram hint only; 1: followed). Ignored without `reference`.
    hints : list, dict, str, path-like, ndarray or Hints, optional
        Point color hints (see :mod:`chroma.colorization.hints`): fed to the
        network's local hint channels, then their residuals are propagated
        edge-aware and each hinted pixel takes its hint's a*b*.
    strength : float in [0, 1], optional
        Blend of the predicted a*b* with the input's.
    prior_correction : float in [0, 1], optional
        How much of the training's class rebalancing is undone before decoding
        (1: calibrated colors; 0: Zhang et al.'s raw, saturated output).
        Default :data:`DEFAULT_CORRECTION` with hints or reference
        correspondences, ``AUTO_CORRECTION`` for the unguided network (both 0.5).
    working_size : int, optional
        Short side, in pixels, at which the network runs.
    weights : path-like, optional
        Other weights (see :func:`load_weights`).
    channel_axis : int, optional
        Channel axis of `image` (and of the output).

    Returns
    -------
    out : ndarray
        RGB (plus alpha if the input had one), the input's dtype; its CIELAB
        L* equals the input's (up to the output dtype's rounding).

    Examples
    --------
    >>> from chroma.datasets import sample
    >>> gray = sample("coffee")[::4, ::4].mean(axis=-1).astype(np.uint8)
    >>> out = colorize_prior(gray)
    >>> out.shape, out.dtype
    ((100, 150, 3), dtype('uint8'))
    """
    from chroma.colorization._correspond import reference_grid as _reference_grid
    from chroma.colorization._infer import load_auto_model
    from chroma.colorization._predict import AUTO_CONFIDENCE, predict_guided
    from chroma.colorization.hints import parse_hints
    from chroma.spaces import _convert_float
    from chroma.spaces.gamut import lab_to_srgb_keep_lightness

    check_image(image, channel_axis=channel_axis)
    x, restore = to_float(image, channel_axis=channel_axis, gray_to_rgb=True)
    v = _check_vibrancy(vibrancy)
    s = check_strength(strength)
    rs = check_strength(reference_strength, name="reference_strength")
    alpha = _check_correction(prior_correction)
    side = _check_working_size(working_size)
    model = load_weights(weights)
    lab = _convert_float(x, "rgb", "lab")
    lightness = lab[..., 0]
    hint_ab = hint_known = grid = grid_w = hist = None
    if reference is not None:  # in Lab once: the grid for matching, a sample of it for the hint
        grid, grid_w = _reference_grid(reference, reference_mask)
        hist = _reference_hist(model, *_reference_sample(grid, grid_w))
    if hints is not None:
        hint_ab, hint_known = parse_hints(hints, shape=x.shape).to_dense(x.shape[:2])
    ab = predict_guided(model, lightness, temperature=max(1.0 - v, 0.01), correction=alpha,
                        side=side, hint_ab=hint_ab, hint_known=hint_known, ref_lab=grid,
                        ref_weights=grid_w, reference_strength=rs, hist=hist,
                        auto_model=load_auto_model(weights),
                        auto_correction=AUTO_CORRECTION if prior_correction is None else alpha,
                        auto_confidence=AUTO_CONFIDENCE)
    ab_in = lab[..., 1:]
    if s == 1.0:
        lab[..., 1:] = ab
    else:
        lab[..., 1:] = ab_in + s * (ab - ab_in)
    rgb = lab_to_srgb_keep_lightness(lab)
    return restore(rgb)


class Colorizer(ColorStep):
    """Colorization as a step: ``Colorizer().fit(reference).transform(gray)``.

    Parameters
    ----------
    method : {"prior", "welsh", "scribble"}, optional
        A name in :data:`chroma.colorization.COLORIZERS`: ``"prior"`` the CNN
        (the reference, if any, guides its colors), ``"welsh"`` Welsh et al.
        (2002) transfer from the reference (needs one), ``"scribble"`` Levin
        et al. (2004) propagation of `hints` (needs them).
    vibrancy, prior_correction, working_size, weights : optional
        ``"prior"`` only; see :func:`colorize_prior`.
    hints : optional
        Point hints (see :mod:`chroma.colorization.hints`), for ``"prior"`` and
        ``"scribble"``.
    random_state : None, int or numpy Generator, optional
        ``"welsh"``: seed of its jittered sample of the reference.

    Attributes
    ----------
    reference_ : ndarray or None
        A copy of the reference given to :meth:`fit`.

    Examples
    --------
    >>> from chroma.datasets import sample
    >>> gray = sample("chelsea")[::4, ::4].mean(axis=-1) / 255
    >>> Colorizer().fit().transform(gray).shape
    (75, 113, 3)
    """

    _fitted_attr = "reference_"

    def __init__(self, method: str = "prior", *, vibrancy: float | None = None,
                 prior_correction: float | None = None, working_size: int = WORKING_SIZE,
                 weights=None, hints=None, random_state=None):
        self.method = method
        self.vibrancy = vibrancy
        self.prior_correction = prior_correction
        self.working_size = working_size
        self.weights = weights
        self.hints = hints
        self.random_state = random_state

    def _options(self) -> dict:
        """The keyword arguments of the method's function."""
        if self.method == "prior":
            opts = dict(vibrancy=self.vibrancy, prior_correction=self.prior_correction,
                        working_size=self.working_size, weights=self.weights,
                        hints=self.hints, reference=self.reference_,
                        reference_mask=self.reference_mask_)
        elif self.method == "welsh":
            opts = dict(reference=self.reference_, reference_mask=self.reference_mask_,
                        random_state=self.random_state)
        else:
            opts = dict(hints=self.hints)
        return opts

    def fit(self, reference=None, /, *, reference_mask=None, channel_axis: int = -1):
        """Store the (optional) reference; the network itself is pre-trained."""
        from chroma.colorization import COLORIZERS

        COLORIZERS.check(self.method)
        if reference is not None:
            reference = np.array(check_image(reference, name="reference",
                                             channel_axis=channel_axis), copy=True)
            if reference_mask is not None:
                reference_mask = check_mask(reference_mask, reference.shape,
                                            name="reference_mask")
        elif self.method == "welsh":
            raise ValueError(f'{type(self).__name__}(method="welsh") needs a `reference` in '
                             'fit(reference).')
        if self.method == "scribble" and self.hints is None:
            raise ValueError(f'{type(self).__name__}(method="scribble") needs `hints`.')
        self.reference_ = reference
        self.reference_mask_ = reference_mask
        return self

    def _transform_image(self, arr, sel):
        from chroma.colorization import COLORIZERS

        return COLORIZERS.load(self.method)(arr, **self._options())
