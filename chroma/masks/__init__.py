"""Masks: where an effect applies. Builders, algebra, feathering, edge snapping.

A mask is a float32 array of shape ``(M, N)`` with values in [0, 1]: 1 means
"apply fully", 0 "leave alone", values between blend. Every function here
returns a fresh mask of that kind; inputs are never modified.

Coordinates
-----------
``x`` is the column and ``y`` the row. Pixel ``(row, col)`` is the unit
square centred on ``(x=col, y=row)`` (the scikit-image convention), so a
point ``(x, y)`` given as integers names one pixel. :func:`rectangle` takes a
box ``(x0, y0, x1, y1)`` with slice semantics: integer corners select exactly
``image[y0:y1, x0:x1]``.

Soft edges
----------
Builders that threshold a quantity (hue, lightness, chroma) fall off
smoothly (a smoothstep) over ``falloff`` units instead of cutting hard;
``falloff=0`` gives a hard 0/1 mask. :func:`pick` selects up to a color
distance ``tolerance`` and falls off over as much again. Shapes are
anti-aliased by exact pixel coverage (rectangle) or a one-pixel-wide ramp
across the edge (ellipse, polygon); ``antialias=False`` gives hard masks from
pixel centres. All builders take ``feather`` (a Gaussian sigma in pixels,
applied last, 0 = off).

Modules
-------
:mod:`.builders` (hue, lightness, chroma, pick), :mod:`.shapes` (rectangle,
ellipse, polygon), :mod:`.algebra` (invert, union, intersect, subtract),
:mod:`.refinement` (feather, refine), :mod:`.spec` (from_spec, from_file);
every public name is also here.
"""

from __future__ import annotations

from chroma.masks.algebra import intersect, invert, subtract, union
from chroma.masks.builders import chroma_threshold, hue_range, lightness_range, pick
from chroma.masks.refinement import feather, refine
from chroma.masks.shapes import ellipse, polygon, rectangle
from chroma.masks.spec import from_file, from_spec

__all__ = [
    "chroma_threshold",
    "ellipse",
    "feather",
    "from_file",
    "from_spec",
    "hue_range",
    "intersect",
    "invert",
    "lightness_range",
    "pick",
    "polygon",
    "rectangle",
    "refine",
    "subtract",
    "union",
]
