"""What the page's edit means, as a :class:`chroma.Pipeline`: the one code path of the page.

The page sends its whole edit as JSON (see :func:`parse_edit`). The server
turns it into a pipeline of public steps, in this order:

1. ``colorize``: :class:`chroma.hand_steps.HintColorizer` (the hints, their
   patch size, the method and vibrancy);
2. ``transfer``: a transfer estimator fitted on the reference (``strength``,
   ``keep_luminance``), optionally only inside the mask;
3. ``splash``: :class:`chroma.hand_steps.SplashStep` outside the mask
   (``mode = "chroma"``: lightness kept, colors kept where the mask is 1).

The preview runs that pipeline on the working copy (hints scaled to it); the
export saves it as a recipe, loads the recipe back and runs it on the
full-resolution image exactly as ``chroma run`` does, so that the exported
picture and ``chroma run RECIPE IMAGE`` are the same pixels.
"""

from __future__ import annotations

import io
import json
import math
import numbers
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["TRANSFER_METHODS", "WORK_PIXELS", "Edit", "build_pipeline", "export_bundle",
           "parse_edit", "preview", "working_copy"]

WORK_PIXELS = 500_000  # previews are computed at most at this size (issue 14: <= 1 MP)
COLORIZE_METHODS = ("prior", "scribble", "welsh")
TRANSFER_METHODS = ("reinhard", "histogram", "mkl", "idt", "sot")
BACKGROUNDS = ("gray", "sepia", "cyanotype")
MAX_HINTS = 1000
STEP_COLORIZE = "chroma.hand_steps:HintColorizer"
STEP_SPLASH = "chroma.hand_steps:SplashStep"


@dataclass
class Edit:
    """The page's edit (hint coordinates in full-resolution pixels).

    Examples
    --------
    >>> e = Edit(transfer=True, transfer_method="histogram")
    >>> e.uses_reference, e.uses_mask, e.empty
    (True, False, False)
    >>> Edit().empty
    True
    """

    colorize: bool = False
    method: str = "prior"
    hints: list = field(default_factory=list)
    patch: int = 1
    vibrancy: float | None = None
    transfer: bool = False
    transfer_method: str = "reinhard"
    transfer_strength: float = 1.0
    keep_luminance: bool = False
    transfer_masked: bool = False
    splash: bool = False
    background: str = "gray"
    splash_strength: float = 1.0
    invert: bool = False

    @property
    def uses_mask(self) -> bool:
        return self.splash or (self.transfer and self.transfer_masked)

    @property
    def uses_reference(self) -> bool:
        return self.transfer or (self.colorize and self.method == "welsh")

    @property
    def empty(self) -> bool:
        return not (self.colorize or self.transfer or self.splash)


def _get(d: dict, key: str, kind, default, *, low=None, high=None, choices=None):
    v = d.get(key, default)
    if v is None and default is None:
        return None
    if kind is bool:
        if not isinstance(v, bool):
            raise TypeError(f"edit.{key} must be true or false, got {v!r}.")
        return v
    if kind is int:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"edit.{key} must be an integer, got {v!r}.")
    elif kind is float:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise TypeError(f"edit.{key} must be a number, got {v!r}.")
        v = float(v)
    elif kind is str and not isinstance(v, str):
        raise TypeError(f"edit.{key} must be a string, got {v!r}.")
    if low is not None and not low <= v <= high:
        raise ValueError(f"edit.{key} must be in [{low}, {high}], got {v!r}.")
    if choices is not None and v not in choices:
        raise ValueError(f"edit.{key} must be one of {list(choices)}, got {v!r}.")
    return v


def parse_edit(data, shape) -> Edit:
    """Check the page's JSON edit against the image `shape`; a clear error names the field.

    Parameters
    ----------
    data : dict
        ``{"colorize": bool, "method": str, "hints": [[x, y, "#rrggbb"], ...],
        "patch": int, "vibrancy": float | None, "transfer": bool,
        "transfer_method": str, "transfer_strength": float, "keep_luminance": bool,
        "transfer_masked": bool, "splash": bool, "background": str,
        "splash_strength": float, "invert": bool}``; missing keys take defaults.
    shape : tuple
        Full-resolution image shape (rows first): hints must lie inside.

    Examples
    --------
    >>> parse_edit({"colorize": True, "hints": [[3, 4, "#ff0000"]]}, (10, 10)).hints
    [[3, 4, '#ff0000']]
    >>> parse_edit({"patch": 99}, (10, 10))
    Traceback (most recent call last):
    ...
    ValueError: edit.patch must be in [0, 32], got 99.
    """
    from chroma.web._compat import parse_color

    if not isinstance(data, dict):
        raise TypeError(f"the edit must be a JSON object, got {type(data).__name__}.")
    known = set(Edit.__dataclass_fields__)
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"edit has unknown keys {sorted(unknown)}; allowed: {sorted(known)}.")
    e = Edit(
        colorize=_get(data, "colorize", bool, False),
        method=_get(data, "method", str, "prior", choices=COLORIZE_METHODS),
        patch=_get(data, "patch", int, 1, low=0, high=32),
        vibrancy=_get(data, "vibrancy", float, None, low=0.0, high=0.99),
        transfer=_get(data, "transfer", bool, False),
        transfer_method=_get(data, "transfer_method", str, "reinhard",
                             choices=TRANSFER_METHODS),
        transfer_strength=_get(data, "transfer_strength", float, 1.0, low=0.0, high=1.0),
        keep_luminance=_get(data, "keep_luminance", bool, False),
        transfer_masked=_get(data, "transfer_masked", bool, False),
        splash=_get(data, "splash", bool, False),
        background=_get(data, "background", str, "gray"),
        splash_strength=_get(data, "splash_strength", float, 1.0, low=0.0, high=1.0),
        invert=_get(data, "invert", bool, False),
    )
    if e.background not in BACKGROUNDS:
        rgb = parse_color(e.background, name="edit.background")
        e.background = "#{:02x}{:02x}{:02x}".format(*rgb)
    hints = data.get("hints", [])
    if not isinstance(hints, list) or len(hints) > MAX_HINTS:
        raise ValueError(f"edit.hints must be a list of at most {MAX_HINTS} [x, y, color].")
    rows, cols = shape[:2]
    for i, h in enumerate(hints):
        if not (isinstance(h, list) and len(h) == 3):
            raise ValueError(f"edit.hints[{i}] must be [x, y, color], got {h!r}.")
        x, y, color = h
        for v, n, name in ((x, cols, "x"), (y, rows, "y")):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or not 0 <= v < n:
                raise ValueError(f"edit.hints[{i}].{name} must be an integer in [0, {n - 1}], "
                                 f"got {v!r}.")
        rgb = parse_color(color, name=f"edit.hints[{i}].color")
        e.hints.append([int(x), int(y), "#{:02x}{:02x}{:02x}".format(*rgb)])
    return e


def working_copy(image: np.ndarray, max_pixels: int = WORK_PIXELS) -> np.ndarray:
    """`image` shrunk (antialiased, dtype kept) to at most `max_pixels`; small ones as is.

    Examples
    --------
    >>> big = np.zeros((1000, 1000, 3), np.uint8)
    >>> small = working_copy(big)
    >>> small.shape, small.dtype, small.shape[0] * small.shape[1] <= WORK_PIXELS
    ((707, 707, 3), dtype('uint8'), True)
    >>> tiny = big[:10, :10]
    >>> working_copy(tiny) is tiny  # small enough: as is
    True
    """
    h, w = image.shape[:2]
    if h * w <= max_pixels:
        return image
    s = math.sqrt(max_pixels / (h * w))
    size = (max(1, int(h * s)), max(1, int(w * s)))
    from skimage.transform import resize

    out = resize(image.astype(np.float32), size + image.shape[2:], order=1,
                 anti_aliasing=True, preserve_range=True)
    if image.dtype.kind in "ui":
        out = np.clip(np.rint(out), 0, np.iinfo(image.dtype).max)
    return out.astype(image.dtype)


def _scaled_hints(e: Edit, full_shape, shape) -> tuple[list, int]:
    sy, sx = shape[0] / full_shape[0], shape[1] / full_shape[1]
    hints = [[min(shape[1] - 1, int((x + 0.5) * sx)), min(shape[0] - 1, int((y + 0.5) * sy)), c]
             for x, y, c in e.hints]
    return hints, round(e.patch * min(sx, sy))


def build_pipeline(e: Edit, *, full_shape, shape, mask=None, reference=None, base_dir=None):
    """The edit as a :class:`chroma.Pipeline` for an image of `shape`.

    Parameters
    ----------
    e : Edit
    full_shape, shape : tuple
        The full-resolution shape (the hints' coordinates) and the shape the
        pipeline runs on (hints are scaled to it).
    mask : str, optional
        Path of the mask file (the painted "keep" mask), relative to `base_dir`.
    reference : str or ndarray, optional
        The reference image (a path for a recipe).
    base_dir : str or path, optional
        Folder of the recipe's files.

    Returns
    -------
    Pipeline or None
        ``None`` when the edit does nothing.

    Examples
    --------
    >>> shape = (32, 48, 3)
    >>> reference = np.zeros((8, 8, 3), np.uint8)
    >>> build_pipeline(Edit(transfer=True), full_shape=shape, shape=shape, reference=reference)
    Pipeline([transfer=ReinhardTransfer()])
    >>> print(build_pipeline(Edit(), full_shape=shape, shape=shape))
    None
    """
    from chroma.pipeline import Pipeline, Step
    from chroma.web._compat import step_class

    if e.uses_mask and mask is None:
        raise ValueError("this edit needs a mask (splash, or transfer inside the mask)")
    if e.uses_reference and reference is None:
        raise ValueError("this edit needs a reference image: load one in the Transfer tab")
    steps = []
    if e.colorize:
        hints, patch = _scaled_hints(e, full_shape, shape)
        opts = {"method": e.method, "patch": patch}
        if hints and e.method != "welsh":
            opts["hints"] = hints
        if e.vibrancy is not None and e.method == "prior":
            opts["vibrancy"] = e.vibrancy
        ref = reference if e.method == "welsh" else None
        steps.append(Step("colorize", step_class(STEP_COLORIZE)(**opts), reference=ref))
    if e.transfer:
        opts = {"strength": e.transfer_strength, "keep_luminance": e.keep_luminance}
        if e.transfer_method in ("idt", "sot"):  # seeded: a recipe replays the same pixels
            opts["random_state"] = 0
        est = step_class(e.transfer_method)(**opts)
        m = {"file": mask, "invert": True} if e.invert else {"file": mask}
        steps.append(Step("transfer", est, reference=reference,
                          mask=m if e.transfer_masked else None))
    if e.splash:
        est = step_class(STEP_SPLASH)(e.background, strength=e.splash_strength)
        m = {"file": mask} if e.invert else {"file": mask, "invert": True}
        steps.append(Step("splash", est, mask=m, mode="chroma"))
    if not steps:
        return None
    return Pipeline(steps, base_dir=base_dir)


def _mask_at(mask: np.ndarray | None, shape) -> np.ndarray:
    """The painted mask (float, any size) at `shape` as uint8 (zeros when none)."""
    if mask is None:
        return np.zeros(shape[:2], np.uint8)
    if mask.shape[:2] != tuple(shape[:2]):
        from skimage.transform import resize

        mask = resize(mask.astype(np.float32), shape[:2], order=1, anti_aliasing=True)
    return np.clip(np.rint(np.asarray(mask, np.float64) * 255), 0, 255).astype(np.uint8)


def preview(e: Edit, image: np.ndarray, work: np.ndarray, *, mask=None, reference=None,
            tmpdir) -> np.ndarray:
    """The edit applied to the working copy `work` of `image`.

    `mask` is the painted mask (float in [0, 1], any size) and `reference`
    an array; `tmpdir` a private folder for the mask file the pipeline reads.

    Examples
    --------
    >>> import tempfile
    >>> rng = np.random.default_rng(0)
    >>> image = (rng.random((32, 48, 3)) * 255).astype(np.uint8)
    >>> reference = np.zeros((8, 8, 3), np.uint8); reference[..., 0] = 200
    >>> out = preview(Edit(transfer=True), image, image, reference=reference,
    ...               tmpdir=tempfile.mkdtemp())
    >>> out.shape, out.dtype, bool(out[..., 0].mean() > image[..., 0].mean())
    ((32, 48, 3), dtype('uint8'), True)
    """
    mask_name = None
    if e.uses_mask:
        from chroma.io import write_image

        mask_name = "preview-mask.png"
        write_image(Path(tmpdir) / mask_name, _mask_at(mask, work.shape), overwrite=True)
    pipe = build_pipeline(e, full_shape=image.shape, shape=work.shape, mask=mask_name,
                          reference=reference, base_dir=tmpdir)
    if pipe is None:
        return work
    return pipe.fit().transform(work)


def export_bundle(e: Edit, image: np.ndarray, *, mask=None, reference=None) -> dict:
    """The full-resolution result and the files that replay it.

    The pipeline is saved as a recipe next to its mask and reference files,
    loaded back and run on `image` as ``chroma run`` does.

    Returns
    -------
    dict
        ``"result"``: the result array; ``"result.png"``, ``"recipe.zip"``
        (``recipe.toml`` plus the files it names, and ``hints.json``),
        ``"hints.json"`` and ``"mask.png"``: file contents as bytes.

    Examples
    --------
    >>> import io, zipfile
    >>> image = np.full((16, 24, 3), 120, np.uint8)
    >>> reference = np.zeros((8, 8, 3), np.uint8); reference[..., 2] = 200
    >>> bundle = export_bundle(Edit(transfer=True), image, reference=reference)
    >>> sorted(bundle)
    ['hints.json', 'mask.png', 'recipe.toml', 'recipe.zip', 'result', 'result.png']
    >>> bundle["result"].shape, bundle["result.png"][:4]
    ((16, 24, 3), b'\x89PNG')
    >>> "recipe.toml" in zipfile.ZipFile(io.BytesIO(bundle["recipe.zip"])).namelist()
    True
    """
    from chroma.io import write_image
    from chroma.pipeline import Pipeline
    from chroma.web._compat import write_hints

    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="chroma-export-") as tmp:
        d = Path(tmp)
        names = ["recipe.toml"]
        write_image(d / "mask.png", _mask_at(mask, image.shape))
        if e.uses_mask:
            names.append("mask.png")
        ref_name = None
        if e.uses_reference:
            ref_name = "reference.png"
            write_image(d / ref_name, reference)
            names.append(ref_name)
        write_hints(d / "hints.json", e.hints)
        names.append("hints.json")
        pipe = build_pipeline(e, full_shape=image.shape, shape=image.shape,
                              mask="mask.png" if e.uses_mask else None,
                              reference=ref_name, base_dir=d)
        if pipe is None:
            raise ValueError("nothing to export yet: add a hint, paint a mask or load a "
                             "reference first")
        pipe.save(d / "recipe.toml")
        result = Pipeline.load(d / "recipe.toml").fit().transform(image)  # = chroma run
        write_image(d / "result.png", result)
        out["result"] = result
        for name in ("result.png", "hints.json", "mask.png", "recipe.toml"):
            out[name] = (d / name).read_bytes()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name in names:
                z.write(d / name, name)
        out["recipe.zip"] = buf.getvalue()
    return out


def edit_key(data) -> str:
    """A stable key for an edit's JSON (for caches)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"))
