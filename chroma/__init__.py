"""chroma: color transfer, palettes, masks and blending, and a CNN colorizer.

Importing chroma is cheap: submodules (and Numba, scikit-learn, torch) load on
first use of a name that needs them.

Examples
--------
>>> import chroma
>>> chroma.__version__
'0.1.0'
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> submodule that defines it (loaded on first access)
_LAZY = {
    # --- foundation (io, spaces)
    "read_image": "io",
    "write_image": "io",
    "convert": "spaces",
    # --- transfer (issue 4)
    "match_histograms": "histogram",
    "HistogramMatcher": "histogram",
    "ReinhardTransfer": "transfer",
    "MKLTransfer": "transfer",
    "IDTTransfer": "transfer",
    "SlicedOTTransfer": "transfer",
    "regrain": "transfer.regrain",
    "apply_lut": "transfer",
    "read_cube": "transfer",
    "write_cube": "transfer",
    # --- palettes (issue 6)
    "Palette": "palette",
    "KMeansPalette": "palette",
    "extract_palette": "palette",
    "quantize": "palette",
    "recolor": "palette",
    "replace_color": "palette",
    "PaletteTransfer": "palette",
    "tone": "palette",
    # --- masks, blending, pipeline (issue 7)
    "splash": "blend",
    "Pipeline": "pipeline",
    # --- colorization (issues 5 and 8)
    "Colorizer": "colorize",
    # --- color-only style transfer (issue 13; torch loaded on first use)
    "stylize": "stylize",
    "Stylizer": "stylize",
}
# Submodules; `transfer`, `blend` and `colorize` are also callable as their main
# function (chroma.transfer(img, ref), chroma.colorize(gray)): see chroma/_callable.py.
_SUBMODULES = {
    "io", "spaces", "metrics", "histogram", "transfer", "palette", "masks", "blend",
    "pipeline", "colorize", "cli", "datasets", "stylize",
}

__all__ = sorted([*_LAZY, *_SUBMODULES, "__version__"])


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'chroma' has no attribute {name!r}")


def __dir__():
    return __all__
