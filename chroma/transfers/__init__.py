"""Classical color transfer: one call, or estimators that fit once and apply to many.

``chroma.transfer(image, reference, method=...)`` is the one-call form; the
package holds the estimators (fit a reference once, transform many images,
export a 3-D LUT), registered in :data:`TRANSFERS`:

=============  ====================================  ====================
method         estimator                             module
=============  ====================================  ====================
"histogram"    :class:`~chroma.HistogramMatcher`     ``.histogram``
"reinhard"     :class:`~chroma.ReinhardTransfer`     ``.reinhard``
"mkl"          :class:`~chroma.MKLTransfer`          ``.linear``
"idt"          :class:`~chroma.IDTTransfer`          ``.idt``
"sot"          :class:`~chroma.SlicedOTTransfer`     ``.sliced``
"palette"      :class:`~chroma.PaletteTransfer`      ``chroma.palettes``
=============  ====================================  ====================

Every estimator subclasses :class:`chroma.transfers._base.ColorTransfer` and
follows the step contract of :mod:`chroma._core.base`. Submodules load on
first use, so ``import chroma.transfers`` stays cheap.
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (doctest namespace)

from chroma._core.lazy import lazy_attributes
from chroma._core.registry import Registry

__all__ = [
    "TRANSFERS",
    "ColorTransfer",
    "HistogramMatcher",
    "IDTTransfer",
    "MKLTransfer",
    "ReinhardTransfer",
    "SlicedOTTransfer",
    "apply_lut",
    "estimator",
    "read_cube",
    "transfer",
    "write_cube",
]

#: method name -> estimator class ("module:Class", imported on first use)
TRANSFERS = Registry("transfer", {
    "histogram": "chroma.transfers.histogram:HistogramMatcher",
    "reinhard": "chroma.transfers.reinhard:ReinhardTransfer",
    "mkl": "chroma.transfers.linear:MKLTransfer",
    "idt": "chroma.transfers.idt:IDTTransfer",
    "sot": "chroma.transfers.sliced:SlicedOTTransfer",
    "palette": "chroma.palettes:PaletteTransfer",
})

_LAZY = {
    "ColorTransfer": "chroma.transfers._base",
    "HistogramMatcher": "chroma.transfers.histogram",
    "ReinhardTransfer": "chroma.transfers.reinhard",
    "MKLTransfer": "chroma.transfers.linear",
    "IDTTransfer": "chroma.transfers.idt",
    "SlicedOTTransfer": "chroma.transfers.sliced",
    "apply_lut": "chroma.transfers.lut",
    "read_cube": "chroma.transfers.lut",
    "write_cube": "chroma.transfers.lut",
    "identity_lut": "chroma.transfers.lut",
}


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())


def estimator(method: str, **options):
    """The unfitted estimator for `method`, built with `options`.

    An option the method does not take is a ``TypeError`` that names it.

    Examples
    --------
    >>> estimator("reinhard", space="lab")
    ReinhardTransfer()
    >>> estimator("reinhard", n_bins=16)
    Traceback (most recent call last):
    ...
    TypeError: method='reinhard' does not take option 'n_bins'; it takes ['keep_luminance', \
'space', 'strength'].
    >>> estimator("mvgd")
    Traceback (most recent call last):
    ...
    ValueError: method='mvgd' is not a transfer method; choose from ['histogram', 'reinhard', \
'mkl', 'idt', 'sot', 'palette'].
    """
    return TRANSFERS.create(method, **options)


def transfer(
    image,
    reference,
    method: str = "reinhard",
    *,
    mask=None,
    reference_mask=None,
    channel_axis: int = -1,
    **options,
):
    """Give `image` the colors of `reference`.

    Parameters
    ----------
    image : ndarray
        Image to recolor: RGB(A) or gray; uint8, uint16 or float in [0, 1].
    reference : ndarray
        Image whose colors are taken; any size.
    method : {"histogram", "reinhard", "mkl", "idt", "sot", "palette"}, optional
        Transfer method (see :data:`TRANSFERS`). An unknown name is an error,
        never a silent fallback.
    mask : ndarray of shape (M, N), optional
        Where the effect lands (bool or [0, 1]): applied where it is 1,
        blended where it is between (:func:`chroma.compositing.blend`, the
        default mode), and pixels where it is 0 come back bit for bit. For
        methods that use image statistics, they come from the mask's region
        (where it is >= 0.5). The same as a one-step :class:`chroma.Pipeline`
        with this mask.
    reference_mask : ndarray, optional
        Which pixels of `reference` count.
    channel_axis : int, optional
        Channel axis of both images and of the result.
    **options
        Parameters of the method's estimator (``space=``, ``strength=``, ...);
        one the method does not take is a ``TypeError``.

    Returns
    -------
    out : ndarray
        Same shape (gray comes back RGB), dtype and alpha as `image`.

    Examples
    --------
    >>> import chroma
    >>> rng = np.random.default_rng(0)
    >>> img = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    >>> ref = rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)
    >>> out = chroma.transfer(img, ref, method="reinhard")
    >>> out.shape, out.dtype
    ((8, 8, 3), dtype('uint8'))
    >>> left = np.zeros((8, 8), bool); left[:, :4] = True
    >>> out = chroma.transfer(img, ref, mask=left)
    >>> bool((out[:, 4:] == img[:, 4:]).all())
    True
    """
    from chroma.compositing import apply_step

    step = estimator(method, **options)
    step.fit(reference, reference_mask=reference_mask, channel_axis=channel_axis)
    return apply_step(step, image, mask=mask, channel_axis=channel_axis)
