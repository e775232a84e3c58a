"""Every chroma-internal name that :mod:`chroma.stylization` uses, imported in one place.

When the package layout moves (``_validate`` -> ``_core/validate``, ``blend`` ->
``compositing``, ``transfer`` -> ``transfers``, ``colorize`` -> ``colorization``),
only this block (and the one import line of ``_kernels.py``) needs repointing.
"""

from __future__ import annotations

from chroma._core.validate import (  # noqa: F401
    _INT_MAX,
    NotFittedError,
    check_fitted,
    check_image,
    check_mask,
    check_random_state,
    check_region,
    check_strength,
    to_float,
)
from chroma.compositing import (  # noqa: F401  (the keep-L* gamut map twin)
    _np_lab_srgb_keep_l,
    _np_rgb_lab,
    blend,
)
from chroma.spaces import convert  # noqa: F401
from chroma.spaces.gamut import _np_keep_l  # noqa: F401  (the gamut map's chroma factors)


def transfer_estimator(method: str, **options):
    """The classical transfer that gives the start colors (chroma.transfers's registry)."""
    from chroma.transfers import estimator

    return estimator(method, **options)


def write_cube(path, lut, **kwargs) -> None:
    """chroma.write_cube (the .cube writer)."""
    from chroma.transfers.lut import write_cube as _write

    _write(path, lut, **kwargs)


def load_colornet():
    """The shipped colorization network (hash-checked, cached) and its torch helpers."""
    from chroma.colorization.prior import load_weights

    return load_weights()


def _lab_image(image, name: str):
    """CIELAB float32 (M, N, 3) of an RGB image, as chroma.metrics reads it."""
    from chroma.metrics._common import _lab

    return _lab(image, name)


def _same_shape(a, b, names) -> None:
    """chroma.metrics' check that two images have the same height and width."""
    from chroma.metrics._common import _same_shape as check

    check(a, b, names)
