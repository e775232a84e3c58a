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
    # --- foundation
    "read_image": "io",
    "write_image": "io",
    "set_tile_pixels": "_core.tiles",
    "convert": "spaces",
    "set_num_threads": "_core.parallel",
    "get_num_threads": "_core.parallel",
    "warmup": "_core.warmup",
    # --- transfers
    "transfer": "transfers",
    "match_histograms": "transfers.histogram",
    "HistogramMatcher": "transfers.histogram",
    "ReinhardTransfer": "transfers.reinhard",
    "MKLTransfer": "transfers.linear",
    "IDTTransfer": "transfers.idt",
    "SlicedOTTransfer": "transfers.sliced",
    "regrain": "transfers.regrain",
    "apply_lut": "transfers.lut",
    "read_cube": "transfers.lut",
    "write_cube": "transfers.lut",
    # --- palettes and toning
    "Palette": "palettes",
    "KMeansPalette": "palettes",
    "extract_palette": "palettes",
    "quantize": "palettes",
    "recolor": "palettes",
    "replace_color": "palettes",
    "PaletteTransfer": "palettes",
    "tone": "toning",
    # --- compositing and pipelines
    "blend": "compositing",
    "splash": "compositing",
    "Pipeline": "pipeline",
    # --- colorization
    "colorize": "colorization",
    "Colorizer": "colorization",
    # --- color-only style transfer (torch loaded on first use)
    "stylize": "stylization",
    "Stylizer": "stylization",
}
_SUBMODULES = {
    "io", "spaces", "colors", "metrics", "transfers", "palettes", "toning", "masks",
    "compositing", "pipeline", "colorization", "stylization", "bench", "cli", "datasets", "batch",
    "video", "tiling",
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
