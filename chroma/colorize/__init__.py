"""Colorization: ``chroma.colorize(gray)`` and its methods.

``method="prior"`` (default)
    The shipped CNN (:mod:`chroma.colorize.prior`, Zhang et al. 2016), optionally
    guided by a `reference` photo (global hint) or point `hints` (local hints).
    Needs PyTorch (``pip install "chroma[neural]"``).
``method="welsh"``
    Model-free transfer of colors from a `reference` photo (Welsh et al. 2002),
    :func:`chroma.colorize.welsh.welsh_colorize`. No torch.
``method="scribble"``
    Model-free propagation of point or scribble `hints` (Levin et al. 2004),
    :func:`chroma.colorize.scribble.scribble_colorize`. No torch.

This module is callable: ``chroma.colorize(image, ...)`` is :func:`colorize`.
"""

from __future__ import annotations

import numpy as np

from .prior import DEFAULT_CORRECTION, DEFAULT_VIBRANCY, Colorizer, colorize_prior, load_weights

__all__ = ["DEFAULT_CORRECTION", "DEFAULT_VIBRANCY", "METHODS", "Colorizer", "colorize",
           "colorize_prior", "load_weights"]

METHODS = ("prior", "welsh", "scribble")


def colorize(
    image,
    *,
    method: str = "prior",
    vibrancy: float | None = None,
    reference=None,
    reference_mask=None,
    hints=None,
    mask=None,
    strength: float = 1.0,
    channel_axis: int = -1,
    **kwargs,
) -> np.ndarray:
    """Colorize a gray photo (or re-colorize a color one from its lightness).

    Parameters
    ----------
    image : ndarray (M, N), (M, N, 1), (M, N, 2), (M, N, 3) or (M, N, 4)
        uint8, uint16 or float in [0, 1]; alpha is kept.
    method : {"prior", "welsh", "scribble"}, optional
        See the module docstring.
    vibrancy : float in [0, 0.99], optional
        ``"prior"`` only: how colorful (annealed-mean temperature ``1 - vibrancy``).
    reference : ndarray, optional
        A color photo: for ``"prior"`` a global hint, and its confident
        correspondences with the gray image become point hints
        (``reference_strength=`` in `**kwargs`, default 1); the color source for
        ``"welsh"``.
    reference_mask : array_like, optional
        Which pixels of `reference` count.
    hints : list, dict, str, path-like, ndarray or Hints, optional
        Point color hints (:mod:`chroma.colorize.hints`): local hints for
        ``"prior"``, the constraints for ``"scribble"``.
    mask : array_like (M, N), optional
        Where to colorize; lightness is always kept.
    strength : float in [0, 1], optional
        ``"prior"``: blend of the predicted a*b* with the input's.
    channel_axis : int, optional
        Channel axis of `image` and of the output.
    **kwargs
        Passed to the method's function (``reference_strength``, ``prior_correction``,
        ``working_size``,
        ``weights`` for ``"prior"``; see :func:`colorize_prior`).

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
    """
    if method == "prior":
        return colorize_prior(image, vibrancy=vibrancy, reference=reference,
                              reference_mask=reference_mask, hints=hints, mask=mask,
                              strength=strength, channel_axis=channel_axis, **kwargs)
    if method == "welsh":
        if reference is None:
            raise ValueError('method="welsh" needs a color `reference` photo.')
        from .welsh import welsh_colorize

        if reference_mask is not None:
            kwargs["reference_mask"] = reference_mask
        if mask is not None:
            kwargs["mask"] = mask
        return welsh_colorize(image, reference, channel_axis=channel_axis, **kwargs)
    if method == "scribble":
        if hints is None:
            raise ValueError('method="scribble" needs `hints` (points or a scribble image).')
        from .scribble import scribble_colorize

        if mask is not None:
            kwargs["mask"] = mask
        return scribble_colorize(image, hints, channel_axis=channel_axis, **kwargs)
    raise ValueError(f"method={method!r} is not a colorization method; choose from "
                     f"{list(METHODS)}.")


from .._callable import make_callable  # noqa: E402

make_callable(__name__, "colorize")
