"""The benchmark harness: declare a :class:`Case`, get times, memory and quality.

A case names a task, its contenders (``"chroma"`` first) and the quality
metrics to compute on their outputs. :func:`run_cases` measures every case
at each size:

1. **Inputs** (never timed): the classic Pitié pair (``scotland_house`` →
   ``scotland_plain``, from color-matcher's test images) when the evaluation
   photos sit at ``<repo>/../shared/photos/eval``, else the bundled samples
   ``coffee`` → ``chelsea``; resized (bicubic, Pillow) so that each image has
   the target megapixels, converted to the case's dtype, cached per size.
2. **Warm-up** (never timed): one call per contender; this triggers Numba's
   JIT (or its cache load), lazy imports and first-touch costs. Its output is
   the one the quality metrics and the contact sheet see.
3. **Timing**: ``repeats`` rounds; each round calls every contender once, in
   an order rotated round to round (interleaved, so that machine-load drift
   hits all contenders alike). Each call gets fresh copies of the inputs
   (copied outside the timed region) and is timed with
   :func:`time.perf_counter`. Reported: median, interquartile range, min and
   max, and ``ratio = median(peer) / median(chroma)`` (> 1: chroma is faster).
4. **Peak memory**: one more, untimed call per contender; see
   :class:`PeakMemory` for what exactly is measured.
5. **Quality**: each metric ``metric(output, image, reference) -> float``
   (:mod:`chroma.bench.adapters`) on the warm-up output;
   optionally (``pairs=N``) also its mean and spread over N further pairs of
   evaluation photos (or bundled samples) at 0.25 MP.

A contender whose ``requires`` module cannot be found, or that raises
``ModuleNotFoundError``, is reported as ``missing (not installed)``; one that
raises anything else as ``failed: <error>``. Nothing is dropped silently.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fnmatch
import gc
import importlib
import importlib.util
import os
import pkgutil
import platform
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "DTYPES",
    "Case",
    "PeakMemory",
    "find_eval_dir",
    "inputs_public",
    "load_cases",
    "make_inputs",
    "run_case",
    "run_cases",
]

_PACKAGE_PARENT = Path(__file__).resolve().parents[2]
# the source checkout this chroma runs from, or None for an installed wheel
REPO_ROOT: Path | None = (
    _PACKAGE_PARENT if (_PACKAGE_PARENT / "pyproject.toml").is_file() else None
)
DTYPES = ("uint8", "uint16", "float32", "float64")
PITIE_PAIR = ("color-matcher__scotland_house.jpg", "color-matcher__scotland_plain.jpg")
SAMPLE_PAIR = ("coffee", "chelsea")
MISSING = "missing (not installed)"
THUMB_SIDE = 240  # longest side of the contact-sheet thumbnails


@dataclass
class Case:
    """One benchmark: a task, its contenders and how to judge their outputs.

    Parameters
    ----------
    task : str
        What is measured, e.g. ``"Reinhard transfer, float32 Lab"``.
    contenders : dict of str to callable
        ``name -> fn(image, reference) -> ndarray``; ``"chroma"`` first (the
        ratio baseline is the first contender whose name starts with
        ``"chroma"``). Peers import their package inside ``fn``.
    sizes_mp : tuple of float
        Megapixels of the image and of the reference.
    dtype : {"uint8", "uint16", "float32", "float64"}
        The dtype of the inputs given to the contenders (from 8-bit photos).
    quality : sequence of callable
        ``metric(output, image, reference) -> float``; the column header is
        the metric's ``label`` attribute, else its ``__name__``.
    requires : dict of str to str
        ``contender -> importable module``; a missing module is reported as
        missing, not run.
    repeats : int
        Timed calls per contender and size (after the warm-up).
    inputs : {"pair", "single"}
        ``"single"`` calls ``fn(image, None)``.
    notes : str
        Free text printed under the case's table (caveats, what differs).
    contender_notes : dict of str to str
        Per-contender remarks (e.g. a different encoding), shown in the table.
    max_mp : dict of str to float
        Sizes above which a (slow) contender is skipped; reported as skipped.
    quick_skip : tuple of str
        Contenders too slow for ``--quick`` (skipped there, reported as such).

    Examples
    --------
    >>> case = Case("copy", {"chroma": lambda image, reference: image.copy(),
    ...                      "numpy": lambda image, reference: np.array(image)},
    ...             sizes_mp=(0.01,), repeats=2)
    >>> case.key, case.baseline
    ('copy', 'chroma')
    >>> Case("empty", {})
    Traceback (most recent call last):
    ...
    ValueError: Case 'empty': `contenders` is empty.
    """

    task: str
    contenders: dict[str, Callable]
    sizes_mp: tuple[float, ...] = (1, 12)
    dtype: str = "uint8"
    quality: tuple[Callable, ...] = ()
    requires: dict[str, str] = field(default_factory=dict)
    repeats: int = 5
    inputs: str = "pair"
    notes: str = ""
    contender_notes: dict[str, str] = field(default_factory=dict)
    max_mp: dict[str, float] = field(default_factory=dict)
    quick_skip: tuple[str, ...] = ()
    module: str = ""  # the cases module it came from; filled in by load_cases

    def __post_init__(self) -> None:
        if not self.contenders:
            raise ValueError(f"Case {self.task!r}: `contenders` is empty.")
        for name, fn in self.contenders.items():
            if not callable(fn):
                raise TypeError(f"Case {self.task!r}: contender {name!r} is not callable.")
        if self.dtype not in DTYPES:
            raise ValueError(f"Case {self.task!r}: dtype={self.dtype!r}; choose from {DTYPES}.")
        if self.inputs not in ("pair", "single"):
            raise ValueError(
                f"Case {self.task!r}: inputs={self.inputs!r}; choose 'pair' or 'single'."
            )
        unknown = (set(self.requires) | set(self.max_mp) | set(self.quick_skip)) - set(
            self.contenders
        )
        if unknown:
            raise ValueError(
                f"Case {self.task!r}: `requires`, `max_mp` or `quick_skip` names unknown "
                f"contenders {sorted(unknown)}."
            )
        self.sizes_mp = tuple(float(s) for s in self.sizes_mp)
        if not self.sizes_mp or min(self.sizes_mp) <= 0:
            raise ValueError(
                f"Case {self.task!r}: sizes_mp must be positive, got {self.sizes_mp}."
            )
        self.quality = tuple(self.quality)
        if int(self.repeats) < 1:
            raise ValueError(f"Case {self.task!r}: repeats must be >= 1, got {self.repeats}.")

    @property
    def key(self) -> str:
        """``"<module>: <task>"``, what ``--only`` matches against."""
        return f"{self.module}: {self.task}" if self.module else self.task

    @property
    def baseline(self) -> str:
        """The contender the ratios are relative to."""
        for name in self.contenders:
            if name.startswith("chroma"):
                return name
        return next(iter(self.contenders))


def metric_label(metric: Callable) -> str:
    """Column header of a quality metric."""
    return getattr(metric, "label", None) or getattr(metric, "__name__", repr(metric))


# --- discovery ---------------------------------------------------------------------------
def matches(case: Case, pattern: str | None) -> bool:
    """Whether ``case`` is selected by ``--only pattern``.

    Case-insensitive; a pattern with ``*?[`` is a glob over the whole key
    ``"<module>: <task>"``, anything else a substring of it.
    """
    if not pattern:
        return True
    key = case.key.lower()
    pattern = pattern.lower()
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatch(key, pattern)
    return pattern in key


def load_cases(
    only: str | None = None, package: str = "chroma.bench.cases"
) -> tuple[list[Case], dict[str, str]]:
    """Import every ``chroma/bench/cases/<topic>.py`` and collect its ``CASES``.

    Returns
    -------
    cases : list of Case
        Those selected by `only` (see :func:`matches`), in module order.
    errors : dict of str to str
        ``module -> error`` for modules that failed to import (reported, not
        raised, so one broken module does not hide the others).

    Examples
    --------
    >>> cases, errors = load_cases("reinhard")
    >>> len(cases) >= 1, all("reinhard" in case.key.lower() for case in cases), errors
    (True, True, {})
    """
    pkg = importlib.import_module(package)
    cases: list[Case] = []
    errors: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"{package}.{info.name}")
            found = list(module.CASES)
        except Exception as err:
            errors[info.name] = f"{type(err).__name__}: {err}"
            continue
        for case in found:
            if not isinstance(case, Case):
                errors[info.name] = f"CASES holds a {type(case).__name__}, not a Case"
                continue
            case.module = case.module or info.name
            if matches(case, only):
                cases.append(case)
    return cases, errors


# --- inputs ------------------------------------------------------------------------------
def find_eval_dir() -> Path | None:
    """The evaluation photos: ``CHROMA_EVAL_DIR`` (``chroma bench --images``), else
    ``<checkout>/../shared/photos/eval`` when run from a source checkout; None if absent.

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> folder = tempfile.mkdtemp()
    >>> with mock.patch.dict(os.environ, {"CHROMA_EVAL_DIR": folder}):
    ...     find_eval_dir() == Path(folder)
    True
    >>> with mock.patch.dict(os.environ, {"CHROMA_EVAL_DIR": folder + "-missing"}):
    ...     print(find_eval_dir())
    None
    """
    env = os.environ.get("CHROMA_EVAL_DIR")
    if env:
        folder = Path(env)
    elif REPO_ROOT is not None:
        folder = REPO_ROOT.parent / "shared" / "photos" / "eval"
    else:
        return None
    return folder if folder.is_dir() else None


_BASE_CACHE: dict[str, tuple[np.ndarray, np.ndarray, str]] = {}
_INPUT_CACHE: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}


def base_pair() -> tuple[np.ndarray, np.ndarray, str]:
    """The uint8 RGB (image, reference) pair at its stored size, and where it came from."""
    if "pair" not in _BASE_CACHE:
        from chroma.io import read_image

        folder = find_eval_dir()
        if folder is not None and all((folder / f).is_file() for f in PITIE_PAIR):
            image = read_image(folder / PITIE_PAIR[0])
            reference = read_image(folder / PITIE_PAIR[1])
            source = (
                f"the Pitié pair `{PITIE_PAIR[0]}` → `{PITIE_PAIR[1]}` "
                f"(evaluation photos, {folder.name}/, not redistributed)"
            )
        else:
            from chroma.datasets import sample

            image, reference = sample(SAMPLE_PAIR[0]), sample(SAMPLE_PAIR[1])
            source = f"the bundled samples `{SAMPLE_PAIR[0]}` → `{SAMPLE_PAIR[1]}`"
        image, reference = _rgb8(image), _rgb8(reference)
        source += (
            f", stored at {image.shape[1]}×{image.shape[0]} and "
            f"{reference.shape[1]}×{reference.shape[0]} pixels"
        )
        _BASE_CACHE["pair"] = (image, reference, source)
        _BASE_CACHE["public"] = folder is None or not all(
            (folder / f).is_file() for f in PITIE_PAIR)
    return _BASE_CACHE["pair"]


def inputs_public() -> bool:
    """Whether the timing inputs are the bundled samples, which may be shown.

    The evaluation photos are not redistributable: with them, no thumbnail of
    an input or an output is kept (the report then has no contact sheets).

    Examples
    --------
    >>> isinstance(inputs_public(), bool)
    True
    """
    base_pair()
    return bool(_BASE_CACHE["public"])


def _rgb8(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=-1)
    img = img[..., :3]
    if img.dtype == np.uint16:
        img = np.round(img / 257.0).astype(np.uint8)
    return np.ascontiguousarray(img, dtype=np.uint8)


def resize_to_mp(img: np.ndarray, mp: float) -> np.ndarray:
    """Resize a uint8 RGB image (bicubic, keeping its aspect) to about ``mp`` megapixels."""
    from PIL import Image

    h, w = img.shape[:2]
    scale = np.sqrt(mp * 1e6 / (h * w))
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    if size == (w, h):
        return img.copy()
    return np.asarray(Image.fromarray(img).resize(size, Image.Resampling.BICUBIC))


def convert_dtype(img: np.ndarray, dtype: str) -> np.ndarray:
    """uint8 → the case's dtype (uint16 by ×257, floats by /255)."""
    if dtype == "uint8":
        return img
    if dtype == "uint16":
        return img.astype(np.uint16) * np.uint16(257)
    return (img.astype(np.float64) / 255.0).astype(dtype)


def make_inputs(mp: float, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """The (image, reference) pair at ``mp`` megapixels in ``dtype``; cached, read-only.

    Examples
    --------
    >>> image, reference = make_inputs(0.01, "float32")
    >>> image.dtype, image.flags.writeable, round(image.shape[0] * image.shape[1] / 1e6, 2)
    (dtype('float32'), False, 0.01)
    """
    key = (float(mp), dtype)
    if key not in _INPUT_CACHE:
        image, reference, _ = base_pair()
        pair = []
        for img in (image, reference):
            x = convert_dtype(resize_to_mp(img, mp), dtype)
            x.flags.writeable = False
            pair.append(x)
        _INPUT_CACHE[key] = (pair[0], pair[1])
    return _INPUT_CACHE[key]


SAMPLE_PAIRS = (
    ("astronaut", "coffee"), ("chelsea", "rocket"), ("coffee", "chelsea"), ("rocket", "astronaut"),
)
PAIRS_MP = 0.25  # size of the images in the multi-pair quality evaluation
_PAIR_SET_CACHE: dict[int, tuple[list[tuple[str, np.ndarray, np.ndarray]], str]] = {}


def pair_set(n: int) -> tuple[list[tuple[str, np.ndarray, np.ndarray]], str]:
    """Up to `n` (name, image, reference) uint8 pairs at :data:`PAIRS_MP` megapixels.

    From the evaluation photos when present (the Pitié pair left out; pairs
    drawn once with a fixed seed, no photo used twice), else from the bundled
    samples (at most 4 pairs). Returns the pairs and a description.
    """
    if n not in _PAIR_SET_CACHE:
        from chroma.io import read_image

        folder = find_eval_dir()
        pairs = []
        if folder is not None:
            files = sorted(
                p for p in folder.iterdir()
                if p.suffix.lower() in (".jpg", ".jpeg", ".png") and p.name not in PITIE_PAIR
            )
            order = np.random.default_rng(0).permutation(len(files))
            for i in range(min(n, len(files) // 2)):
                a, b = files[order[2 * i]], files[order[2 * i + 1]]
                pairs.append((f"{a.stem} → {b.stem}", read_image(a), read_image(b)))
            source = f"{len(pairs)} pairs of evaluation photos ({folder.name}/, fixed seed)"
        else:
            from chroma.datasets import sample

            for a, b in SAMPLE_PAIRS[:n]:
                pairs.append((f"{a} → {b}", sample(a), sample(b)))
            source = f"{len(pairs)} pairs of bundled samples"
        pairs = [
            (name, resize_to_mp(_rgb8(x), PAIRS_MP), resize_to_mp(_rgb8(y), PAIRS_MP))
            for name, x, y in pairs
        ]
        _PAIR_SET_CACHE[n] = (pairs, source + f" at {PAIRS_MP:g} MP")
    return _PAIR_SET_CACHE[n]


def _quality_over_pairs(case: Case, names: list[str], n_pairs: int, log) -> dict:
    """Mean and spread of each quality metric over a set of pairs, per contender."""
    pairs, source = pair_set(n_pairs)
    labels = [metric_label(m) for m in case.quality]
    single = case.inputs == "single"
    values = {name: {lab: [] for lab in labels} for name in names}
    errors: dict[str, str] = {}
    for pair_name, image8, reference8 in pairs:
        image = convert_dtype(image8, case.dtype)
        reference = None if single else convert_dtype(reference8, case.dtype)
        log(f"  quality on {pair_name}")
        for name in names:
            if name in errors:
                continue
            try:
                out = case.contenders[name](*_copies(image, reference, single))
                for metric, lab in zip(case.quality, labels):
                    values[name][lab].append(float(metric(out, image, reference)))
            except Exception as err:
                errors[name] = f"failed on {pair_name}: {_error_text(err)}"
    summary = {}
    for name in names:
        if name in errors:
            summary[name] = {"error": errors[name]}
            continue
        summary[name] = {
            lab: {
                "mean": float(np.mean(v)),
                "sd": float(np.std(v)),
                "min": float(np.min(v)),
                "max": float(np.max(v)),
                "n": len(v),
            }
            for lab, v in values[name].items()
            if v
        }
    return {"source": source, "pairs": [p[0] for p in pairs], "contenders": summary}


# --- memory ------------------------------------------------------------------------------
class PeakMemory:
    """Peak extra memory of one call.

    On Linux (``/proc/self/clear_refs`` writable): the growth of the process's
    resident set size during the call, ``VmHWM`` after the call minus
    ``VmRSS`` before it, where the high-water mark is reset just before the
    call (``echo 5 > /proc/self/clear_refs``) and glibc is first asked to hand
    freed heap pages back (``malloc_trim(0)``), so memory cached by earlier
    calls is not reused unseen. It counts every allocation the call touches,
    in NumPy, Numba, OpenCV or torch, including the returned output, but not
    the inputs (already resident). Untouched ``np.empty`` pages do not count.

    Elsewhere it falls back to :mod:`tracemalloc`, which sees only
    allocations made through Python's allocator and NumPy (not Numba's or
    OpenCV's internal buffers); :attr:`method` says which one was used.

    Examples
    --------
    >>> memory = PeakMemory()
    >>> out, peak = memory.measure(np.ones, 1_000_000)  # 8 MB of float64
    >>> out.shape, peak >= 7.9e6
    ((1000000,), True)
    """

    def __init__(self) -> None:
        self.method = "tracemalloc"
        self._trim = None
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self._read_status("VmHWM")
            self.method = "rss"
        except OSError:
            return
        with contextlib.suppress(OSError, AttributeError, TypeError):
            self._trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim

    @property
    def description(self) -> str:
        if self.method == "rss":
            return (
                "peak growth of the process's resident memory during one call (Linux VmHWM "
                "after resetting it via /proc/self/clear_refs, minus VmRSS before the call, "
                "after malloc_trim); includes the output and every library's buffers, "
                "excludes the inputs"
            )
        return (
            "peak of allocations traced by tracemalloc during one call (Python and NumPy "
            "allocations only; Numba/OpenCV internal buffers are not seen)"
        )

    @staticmethod
    def _read_status(field_name: str) -> int:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) * 1024
        raise OSError(f"{field_name} not in /proc/self/status")

    def measure(self, fn: Callable, *args) -> tuple[object, float]:
        """Call ``fn(*args)``; return (its result, peak extra bytes)."""
        gc.collect()
        if self.method == "rss":
            if self._trim is not None:
                self._trim(0)
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            before = self._read_status("VmRSS")
            out = fn(*args)
            return out, float(max(self._read_status("VmHWM") - before, 0))
        import tracemalloc

        tracemalloc.start()
        try:
            out = fn(*args)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return out, float(peak)


# --- running -----------------------------------------------------------------------------
def _error_text(err: BaseException) -> str:
    text = " ".join(f"{type(err).__name__}: {err}".split())
    return text if len(text) <= 300 else text[:297] + "..."


def _missing_module(name: str, case: Case) -> str | None:
    module = case.requires.get(name)
    if module is None:
        return None
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    return None if found else module


def thumbnail(output, side: int = THUMB_SIDE) -> np.ndarray | None:
    """A small uint8 RGB picture of a contender's output for the contact sheet.

    Images (gray, RGB, RGBA; uint8, uint16 or float in [0, 1]) are shrunk;
    an ``(n, 3)`` array (a palette) becomes a strip of swatches; anything else
    gives None.
    """
    from PIL import Image

    a = np.asarray(output)
    if a.ndim == 2 and a.shape[1] in (3, 4) and a.shape[0] <= 64:  # palette
        colors = _to_uint8(a[None, :, :3])
        return np.repeat(np.repeat(colors, side // 4, axis=0), max(1, side // len(a)), axis=1)
    if a.ndim == 3 and a.shape[-1] in (1, 3, 4):
        a = a[..., :3] if a.shape[-1] != 1 else np.repeat(a, 3, axis=-1)
    elif a.ndim == 2 and min(a.shape) >= 8:
        a = np.repeat(a[..., None], 3, axis=-1)
    else:
        return None
    img = Image.fromarray(_to_uint8(a))
    img.thumbnail((side, side), Image.Resampling.LANCZOS)
    return np.asarray(img)


def _safe_thumbnail(output) -> np.ndarray | None:
    """:func:`thumbnail` of an array or a list of colors; None for anything else."""
    if not isinstance(output, (np.ndarray, list, tuple)):
        return None
    try:
        a = np.asarray(output)
        return thumbnail(a) if a.dtype.kind in "uif" else None
    except (ValueError, TypeError):
        return None


def _to_uint8(a: np.ndarray) -> np.ndarray:
    if a.dtype == np.uint8:
        return np.ascontiguousarray(a)
    if a.dtype == np.uint16:
        return np.round(a / 257.0).astype(np.uint8)
    x = np.nan_to_num(a.astype(np.float64))
    if x.max(initial=0) > 1.5:  # a float image on the 0..255 scale
        x = x / 255.0
    return np.round(np.clip(x, 0, 1) * 255).astype(np.uint8)


def _copies(image, reference, single: bool):
    return image.copy(), (None if single else reference.copy())


def _stats(times: list[float]) -> dict:
    t = np.asarray(times)
    q1, med, q3 = np.percentile(t, [25, 50, 75])
    return {
        "times_s": [float(x) for x in t],
        "median_s": float(med),
        "q1_s": float(q1),
        "q3_s": float(q3),
        "min_s": float(t.min()),
        "max_s": float(t.max()),
    }


def run_case(
    case: Case,
    *,
    sizes: Sequence[float] | None = None,
    repeats: int | None = None,
    memory: PeakMemory | None = None,
    log: Callable[[str], None] = print,
    pairs: int = 0,
    quick: bool = False,
    budget_s: float | None = None,
) -> tuple[dict, dict[str, np.ndarray]]:
    """Measure one case at each size.

    Parameters
    ----------
    case : Case
    sizes : sequence of float, optional
        Megapixels, overriding ``case.sizes_mp``.
    repeats : int, optional
        Timed calls per contender, overriding ``case.repeats``.
    memory : PeakMemory, optional
    log : callable
        Progress lines go here.
    pairs : int
        Also compute the quality metrics over this many further pairs (see
        :func:`pair_set`) for every contender that ran; 0 skips it.
    quick : bool
        A ``--quick`` run: contenders in ``case.quick_skip`` are skipped.
    budget_s : float, optional
        Seconds of timed calls per contender and size: a contender gets no
        further round once its timed calls add up to this (it always gets at
        least 1, at most ``repeats``); its peak memory is not measured when a
        single call exceeds it. None: always ``repeats`` calls.

    Returns
    -------
    result : dict
        JSON-ready: the case's description and one entry per size and
        contender (status, times, ratio, peak memory, quality).
    thumbs : dict of str to ndarray
        Contact-sheet thumbnails of each contender's output at the smallest
        size, plus ``"input"`` and ``"reference"``; empty when the inputs are
        the evaluation photos (:func:`inputs_public`), which are not
        redistributable.

    Examples
    --------
    >>> case = Case("copy", {"chroma": lambda image, reference: image.copy(),
    ...                      "numpy": lambda image, reference: np.array(image)},
    ...             sizes_mp=(0.01,), repeats=2)
    >>> result, thumbs = run_case(case, log=lambda line: None)
    >>> row = result["sizes"][0]["contenders"]
    >>> row["chroma"]["status"], row["chroma"]["ratio"], len(row["numpy"]["times_s"])
    ('ok', 1.0, 2)
    >>> sorted(thumbs) == (['chroma', 'input', 'numpy', 'reference'] if inputs_public() else [])
    True
    """
    memory = memory or PeakMemory()
    sizes = tuple(float(s) for s in (sizes or case.sizes_mp))
    n_repeats = int(repeats or case.repeats)
    single = case.inputs == "single"
    names = list(case.contenders)
    labels = [metric_label(m) for m in case.quality]
    result = {
        "key": case.key,
        "module": case.module,
        "task": case.task,
        "dtype": case.dtype,
        "inputs": case.inputs,
        "repeats": n_repeats,
        "baseline": case.baseline,
        "contenders": names,
        "quality_labels": labels,
        "quality_better": [getattr(m, "better", "") for m in case.quality],
        "notes": case.notes,
        "contender_notes": dict(case.contender_notes),
        "sizes": [],
    }
    thumbs: dict[str, np.ndarray] = {}
    for i_size, mp in enumerate(sorted(sizes)):
        image, reference = make_inputs(mp, case.dtype)
        first = i_size == 0
        if first:
            thumbs["input"] = thumbnail(image)
            if not single:
                thumbs["reference"] = thumbnail(reference)
        entry = {
            "target_mp": mp,
            "mp": image.shape[0] * image.shape[1] / 1e6,
            "shape": list(image.shape),
            "reference_shape": None if single else list(reference.shape),
            "load_before": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
            "contenders": {},
        }
        res = {name: {"status": "ok", "error": None} for name in names}
        runnable = []
        for name in names:
            module = _missing_module(name, case)
            limit = case.max_mp.get(name)
            if module is not None:
                res[name].update(status="missing", error=f"{MISSING}: {module}")
            elif quick and name in case.quick_skip:
                res[name].update(status="skipped", error="skipped in --quick runs (slow)")
            elif limit is not None and mp > limit:
                res[name].update(
                    status="skipped", error=f"skipped: the case runs it only up to {limit:g} MP"
                )
            else:
                runnable.append(name)
        # 1) warm-up (untimed; its output is judged)
        outputs = {}
        for name in runnable:
            log(f"  {mp:g} MP  warm-up  {name}")
            try:
                t0 = time.perf_counter()
                outputs[name] = case.contenders[name](*_copies(image, reference, single))
                res[name]["warmup_s"] = time.perf_counter() - t0
            except ModuleNotFoundError as err:
                res[name].update(status="missing", error=f"{MISSING}: {err.name or err}")
            except Exception as err:
                res[name].update(status="failed", error=f"failed: {_error_text(err)}")
                res[name]["traceback"] = traceback.format_exc(limit=6)
        judged = [n for n in runnable if res[n]["status"] == "ok"]
        alive = list(judged)
        # 2) timing, interleaved: every round calls every contender, order rotated
        times: dict[str, list[float]] = {n: [] for n in alive}
        for r in range(n_repeats):
            k = r % max(len(alive), 1)
            for name in alive[k:] + alive[:k]:
                if res[name]["status"] != "ok":
                    continue
                if budget_s is not None and times[name] and sum(times[name]) >= budget_s:
                    continue  # its share of the time budget is spent
                args = _copies(image, reference, single)
                gc.collect()
                try:
                    t0 = time.perf_counter()
                    out = case.contenders[name](*args)
                    dt = time.perf_counter() - t0
                except Exception as err:
                    res[name].update(status="failed", error=f"failed: {_error_text(err)}")
                    continue
                del out, args
                times[name].append(dt)
            log(f"  {mp:g} MP  round {r + 1}/{n_repeats}")
        # 3) peak memory (one more untimed call each)
        for name in alive:
            if res[name]["status"] != "ok":
                continue
            if budget_s is not None and min(times[name]) > budget_s:
                res[name]["peak_mib"] = None
                res[name]["memory_error"] = "not measured: one call exceeds the time budget"
                continue
            args = _copies(image, reference, single)
            try:
                out, peak = memory.measure(case.contenders[name], *args)
                res[name]["peak_mib"] = peak / 2**20
                del out
            except Exception as err:
                res[name]["peak_mib"] = None
                res[name]["memory_error"] = _error_text(err)
            del args
        # 4) quality of the warm-up outputs
        for name in judged:
            if res[name]["status"] != "ok":
                continue
            res[name].update(_stats(times[name]))
            quality = {}
            for metric, label in zip(case.quality, labels):
                try:
                    value = metric(outputs[name], image, None if single else reference)
                    quality[label] = float(value)
                except Exception as err:
                    quality[label] = None
                    res[name].setdefault("quality_errors", {})[label] = _error_text(err)
            res[name]["quality"] = quality
            out = outputs[name]
            if isinstance(out, np.ndarray):
                res[name]["output"] = {"shape": list(out.shape), "dtype": str(out.dtype)}
            if first:
                thumbs[name] = _safe_thumbnail(out)
        outputs.clear()
        base = res.get(case.baseline, {})
        for name in names:
            if res[name]["status"] == "ok" and base.get("status") == "ok":
                res[name]["ratio"] = res[name]["median_s"] / base["median_s"]
            else:
                res[name]["ratio"] = None
        entry["contenders"] = res
        entry["load_after"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        result["sizes"].append(entry)
    if pairs > 0 and case.quality:
        ran = [
            n
            for n in names
            if any(s["contenders"][n]["status"] == "ok" for s in result["sizes"])
        ]
        result["quality_pairs"] = _quality_over_pairs(case, ran, pairs, log)
    if not inputs_public():
        thumbs = {}  # pictures of the evaluation photos are not redistributable
    return result, thumbs


def _versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in (
        "chroma-image", "numpy", "scipy", "scikit-image", "scikit-learn", "numba", "torch",
        "opencv-python-headless", "opencv-python", "python-color-transfer", "color-matcher",
        "color_transfer", "POT", "colorthief", "extcolors", "Pylette", "psutil", "Pillow",
    ):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    return out


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine_info() -> dict:
    """What the numbers were measured on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    mem = None
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) / 2**20
    return {
        "cpu": _cpu_model(),
        "cores_usable": cores,
        "cpu_count": os.cpu_count(),
        "memory_gib": mem,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numba_threads": os.environ.get("NUMBA_NUM_THREADS"),
        "thread_policy": _thread_policy(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def _thread_policy() -> str:
    """chroma's thread count and Numba's threading layer, as the kernels will run."""
    from chroma._core import parallel

    numba = parallel.numba_module()
    numba.get_num_threads()  # launches the layer: the one the kernels will run on
    layer = parallel.threading_layer()
    policy = os.environ.get("OMP_WAIT_POLICY")
    return (f"{parallel.get_num_threads()} threads for kernels on "
            f"{parallel.PARALLEL_MIN_PIXELS} pixels and more, 1 below; "
            f"Numba threading layer {layer!r}"
            + (f" (OMP_WAIT_POLICY={policy})" if layer == "omp" and policy else "")
            + (" (from NUMBA_THREADING_LAYER)" if "NUMBA_THREADING_LAYER" in os.environ else ""))


def run_cases(
    cases: Sequence[Case],
    *,
    sizes: Sequence[float] | None = None,
    repeats: int | None = None,
    log: Callable[[str], None] = print,
    load_errors: dict[str, str] | None = None,
    command: str = "",
    pairs: int = 0,
    quick: bool = False,
    budget_s: float | None = None,
) -> tuple[dict, dict[str, dict[str, np.ndarray]]]:
    """Run several cases; return (JSON-ready results, thumbnails per case key).

    `pairs` > 0 adds, per case with quality metrics, their mean over that
    many further image pairs (see :func:`pair_set`); `quick` and `budget_s`
    are passed to :func:`run_case`.

    Examples
    --------
    >>> case = Case("copy", {"chroma": lambda image, reference: image.copy()},
    ...             sizes_mp=(0.01,), repeats=1)
    >>> results, thumbs = run_cases([case], log=lambda line: None)
    >>> [c["key"] for c in results["cases"]], list(thumbs)
    (['copy'], ['copy'])
    """
    memory = PeakMemory()
    _, _, source = base_pair()
    started = time.time()
    results = {
        "command": command,
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(started)),
        "machine": machine_info(),
        "versions": _versions(),
        "inputs": source,
        "memory_method": memory.description,
        "timing": (
            "warm-up call first (untimed); then rounds that call every contender once, "
            "order rotated each round; median and interquartile range of the timed calls"
        ),
        "load_errors": dict(load_errors or {}),
        "budget_s": budget_s,
        "cases": [],
    }
    thumbs = {}
    for case in cases:
        log(f"{case.key}")
        t_case = time.time()
        result, th = run_case(
            case, sizes=sizes, repeats=repeats, memory=memory, log=log, pairs=pairs,
            quick=quick, budget_s=budget_s,
        )
        result["elapsed_s"] = time.time() - t_case
        results["cases"].append(result)
        thumbs[case.key] = th
    results["elapsed_s"] = time.time() - started
    results["machine"]["load_average_end"] = (
        list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    )
    return results, thumbs
