"""Classical color transfer: one call, or estimators that fit once and apply to many.

``chroma.transfer(image, reference, method=...)`` is the one-call form; the
module is also a package of estimators (fit a reference once, transform many
images, export a 3-D LUT):

=============  ===========================================  =====================
method         estimator                                    module
=============  ===========================================  =====================
"histogram"    :class:`chroma.histogram.HistogramMatcher`   ``chroma.histogram``
"reinhard"     :class:`ReinhardTransfer`                    ``.reinhard``
"mkl"          :class:`MKLTransfer`                         ``.linear``
"idt"          :class:`IDTTransfer`                         ``.idt``
"sot"          :class:`SlicedOTTransfer`                    ``.sliced``
"palette"      :class:`chroma.palette.PaletteTransfer`      ``chroma.palette``
=============  ===========================================  =====================

Every estimator subclasses :class:`chroma.transfer._base.ColorTransfer`.
Submodules load on first use, so ``import chroma.transfer`` stays cheap.
"""

from __future__ import annotations

import importlib

import numpy as np  # noqa: F401  (doctest namespace)

__all__ = [
    "METHODS",
    "ColorTransfer",
    "IDTTransfer",
    "MKLTransfer",
    "ReinhardTransfer",
    "SlicedOTTransfer",
    "apply_lut",
    "read_cube",
    "transfer",
    "write_cube",
]

# method name -> (module, class); modules relative to chroma.transfer unless absolute
METHODS = {
    "histogram": ("chroma.histogram", "HistogramMatcher"),
    "reinhard": ("chroma.transfer.reinhard", "ReinhardTransfer"),
    "mkl": ("chroma.transfer.linear", "MKLTransfer"),
    "idt": ("chroma.transfer.idt", "IDTTransfer"),
    "sot": ("chroma.transfer.sliced", "SlicedOTTransfer"),
    "palette": ("chroma.palette", "PaletteTransfer"),
}

_LAZY = {
    "ColorTransfer": "chroma.transfer._base",
    "ReinhardTransfer": "chroma.transfer.reinhard",
    "MKLTransfer": "chroma.transfer.linear",
    "IDTTransfer": "chroma.transfer.idt",
    "SlicedOTTransfer": "chroma.transfer.sliced",
    "apply_lut": "chroma.transfer.lut",
    "read_cube": "chroma.transfer.lut",
    "write_cube": "chroma.transfer.lut",
    "identity_lut": "chroma.transfer.lut",
    "regrain": "chroma.transfer.regrain",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'chroma.transfer' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


def estimator(method: str, **options):
    """The unfitted estimator for ``method`` built with ``options``.

    Examples
    --------
    >>> estimator("reinhard", space="lab")
    ReinhardTransfer()
    >>> estimator("mvgd")
    Traceback (most recent call last):
    ...
    ValueError: method='mvgd' is not a transfer method; choose from ['histogram', 'reinhard', \
'mkl', 'idt', 'sot', 'palette'].
    """
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(
            f"method={method!r} is not a transfer method; choose from {list(METHODS)}."
        )
    module, cls = METHODS[method]
    try:
        klass = getattr(importlib.import_module(module), cls)
    except (ImportError, AttributeError) as err:
        raise ImportError(
            f"method={method!r} needs {module}.{cls}, which is not available: {err}"
        ) from err
    try:
        return klass(**options)
    except TypeError as err:
        raise TypeError(f"method={method!r}: {err}") from None


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
        Transfer method (see the table in :mod:`chroma.transfer`). An unknown
        name is an error, never a silent fallback.
    mask : ndarray of shape (M, N), optional
        Region of `image` to recolor (bool or float in [0, 1]); its statistics
        come from there too. Pixels where it is 0 are returned unchanged.
    reference_mask : ndarray, optional
        Region of `reference` whose colors are taken.
    channel_axis : int, optional
        Channel axis of both images and of the result.
    **options
        Parameters of the method's estimator (``space=``, ``strength=``, ...).

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
    """
    est = estimator(method, **options)
    est.fit(reference, mask=reference_mask, channel_axis=channel_axis)
    return est.transform(image, mask=mask, channel_axis=channel_axis)


from .._callable import make_callable  # noqa: E402

make_callable(__name__, "transfer")
