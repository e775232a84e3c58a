"""Colorization: ``chroma.colorize(gray)`` and its methods.

The methods are registered in :data:`COLORIZERS`:

``method="prior"`` (default)
    The shipped CNN (:mod:`chroma.colorization.prior`, Zhang et al. 2016),
    optionally guided by a `reference` photo or point `hints`. Needs PyTorch
    (the ``neural`` extra).
``method="welsh"``
    Model-free transfer of colors from a `reference` photo (Welsh et al.
    2002), :func:`chroma.colorization.welsh.welsh_colorize`. No torch.
``method="scribble"``
    Model-free propagation of point or scribble `hints` (Levin et al. 2004),
    :func:`chroma.colorization.scribble.scribble_colorize`. No torch.

Importing this package loads neither torch nor scikit-learn.
"""

from __future__ import annotations

import numpy as np

from chroma._core.lazy import lazy_attributes
from chroma._core.registry import Registry, check_options

__all__ = ["COLORIZERS", "DEFAULT_CORRECTION", "DEFAULT_VIBRANCY", "Colorizer", "colorize",
           "colorize_prior", "load_weights"]

#: method name -> the function that colorizes with it ("module:function")
COLORIZERS = Registry("colorization", {
    "prior": "chroma.colorization.prior:colorize_prior",
    "welsh": "chroma.colorization.welsh:welsh_colorize",
    "scribble": "chroma.colorization.scribble:scribble_colorize",
})

_LAZY = {
    "Colorizer": "chroma.colorization.prior",
    "colorize_prior": "chroma.colorization.prior",
    "load_weights": "chroma.colorization.prior",
    "DEFAULT_CORRECTION": "chroma.colorization.prior",
    "DEFAULT_VIBRANCY": "chroma.colorization.prior",
}


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())


class _Call:
    """A colorization function with its options, as a step for :func:`apply_step`."""

    def __init__(self, fn, options):
        self.fn, self.options = fn, options

    def _transform_image(self, arr, sel):
        return self.fn(arr, **self.options)


_NEEDS = {"welsh": ("reference", 'method="welsh" needs a color `reference` photo.'),
          "scribble": ("hints", 'method="scribble" needs `hints` (points or a scribble image).')}


def colorize(image, *, method: str = "prior", mask=None, channel_axis: int = -1,
             **options) -> np.ndarray:
    """Colorize a gray photo (or re-colorize a color one from its lightness).

    Parameters
    ----------
    image : ndarray (M, N), (M, N, 1), (M, N, 2), (M, N, 3) or (M, N, 4)
        uint8, uint16 or float in [0, 1]; alpha is kept.
    method : {"prior", "welsh", "scribble"}, optional
        See the module docstring.
    mask : array_like (M, N), optional
        Where the colors land (bool or [0, 1]): blended in by
        :func:`chroma.compositing.blend` (linear light, so the lightness is
        kept through soft edges too); where it is 0 the input comes back bit
        for bit (a gray input stays gray there).
    channel_axis : int, optional
        Channel axis of `image` and of the output.
    **options
        The method's own options: ``reference``, ``reference_mask``,
        ``hints``, ``vibrancy``, ``strength``, ``reference_strength``... (see
        :func:`~chroma.colorization.prior.colorize_prior`,
        :func:`~chroma.colorization.welsh.welsh_colorize`,
        :func:`~chroma.colorization.scribble.scribble_colorize`). An option the
        method does not take is a ``TypeError`` that names it.

    Returns
    -------
    out : ndarray
        RGB (plus alpha), the input's dtype, the input's lightness.

    Examples
    --------
    >>> import chroma
    >>> gray = np.full((16, 24), 0.5, dtype=np.float32)
    >>> chroma.colorize(gray).shape
    (16, 24, 3)
    >>> chroma.colorize(gray, method="welsh", reference=np.ones((4, 4, 3)), vibrancy=0.9)
    Traceback (most recent call last):
    ...
    TypeError: method='welsh' does not take option 'vibrancy'; it takes ['backend', \
'channel_axis', 'image', 'n_samples', 'random_state', 'reference', 'reference_mask', \
'weight', 'window'].
    """
    fn = COLORIZERS.load(method)
    check_options(fn, options, label=f"method={method!r}")
    if method in _NEEDS and options.get(_NEEDS[method][0]) is None:
        raise ValueError(_NEEDS[method][1])
    if mask is None:
        return fn(image, channel_axis=channel_axis, **options)
    from chroma.compositing import apply_step

    return apply_step(_Call(fn, options), image, mask=mask, channel_axis=channel_axis)
