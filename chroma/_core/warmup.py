"""Compile chroma's kernels ahead of the first real call (``chroma warmup``).

chroma's Numba kernels are compiled on their first call in a fresh
environment and cached on disk (``cache=True``); every later process loads the
cache. :func:`warmup` makes that first call on small synthetic images, so
that the first real ``chroma transfer`` after an install loads instead of
compiling (``benchmarks/first_call.py --after-warmup`` measures both).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

__all__ = ["DTYPES", "METHODS", "warmup"]

#: transfer methods warmed by default (every method of :func:`chroma.transfer`)
METHODS = ("reinhard", "histogram", "mkl", "idt", "sot", "palette")
#: input dtypes warmed by default (each dtype compiles its own kernels)
DTYPES = ("uint8", "float32")


def _images(dtype: str):
    import numpy as np

    from chroma._core.parallel import PARALLEL_MIN_PIXELS

    side = int(np.ceil(PARALLEL_MIN_PIXELS ** 0.5))  # 512: the parallel kernels photos take
    rng = np.random.default_rng(0)
    pair = rng.integers(0, 256, (2, side, side, 3), dtype=np.uint8)
    if dtype == "uint8":
        return pair[0], pair[1]
    if dtype == "uint16":
        return pair[0].astype(np.uint16) * 257, pair[1].astype(np.uint16) * 257
    return (pair[0] / 255).astype(dtype), (pair[1] / 255).astype(dtype)


def warmup(methods: Sequence[str] | None = None, dtypes: Sequence[str] | None = None, *,
           progress: bool = True) -> dict[str, float]:
    """Compile (or load from the cache) the kernels of the common calls.

    For each dtype: the sRGB → CIELAB → sRGB conversion, then each transfer
    method, on a synthetic 512 × 512 pair (large enough for the parallel
    kernels that photos take). Run it once after installing, e.g. as
    ``chroma warmup``; a second run only loads the cache.

    Parameters
    ----------
    methods : sequence of str, optional
        Transfer methods (:data:`METHODS`, the default: all of them); empty:
        only the conversions.
    dtypes : sequence of str, optional
        Input dtypes among ``uint8``, ``uint16``, ``float32``, ``float64``
        (default :data:`DTYPES`: ``uint8`` and ``float32``).
    progress : bool, default True
        A tqdm bar over the steps.

    Returns
    -------
    seconds : dict
        Wall time per step, keyed ``"<dtype> <step>"``.

    Examples
    --------
    >>> import chroma
    >>> times = chroma.warmup(["mkl"], ["float32"], progress=False)
    >>> sorted(times)
    ['float32 convert', 'float32 mkl']
    >>> sorted(chroma.warmup([], ["float32"], progress=False))  # the conversions only
    ['float32 convert']
    """
    methods = list(METHODS if methods is None else methods)
    dtypes = list(DTYPES if dtypes is None else dtypes)
    for name, given, allowed in (("methods", methods, METHODS),
                                 ("dtypes", dtypes, ("uint8", "uint16", "float32", "float64"))):
        bad = [v for v in given if v not in allowed]
        if bad or not (given or name == "methods"):
            raise ValueError(f"{name}={given!r}: expected one or more of {list(allowed)}")

    from tqdm.auto import tqdm

    from chroma.spaces import convert
    from chroma.transfers import transfer

    steps = [(d, s) for d in dtypes for s in ("convert", *methods)]
    seconds: dict[str, float] = {}
    with tqdm(total=len(steps), desc="chroma warmup", unit="step", disable=not progress) as bar:
        for dtype, step in steps:
            image, reference = _images(dtype)
            bar.set_postfix_str(f"{dtype} {step}")
            t0 = time.perf_counter()
            if step == "convert":
                convert(convert(image, "rgb", "lab"), "lab", "rgb")
            else:
                transfer(image, reference, method=step)
            seconds[f"{dtype} {step}"] = time.perf_counter() - t0
            bar.update()
    return seconds
