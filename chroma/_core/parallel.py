"""When chroma uses its Numba kernels, and on how many threads (one policy for all).

* :data:`NUMBA_MIN_PIXELS`: below this many pixels a function runs its NumPy
  twin (dispatching a compiled kernel costs more than the work).
* :data:`PARALLEL_MIN_PIXELS`: below this many pixels a kernel runs on one
  thread (a parallel launch costs more than it saves).
* :func:`sized` wraps a parallel kernel with that rule. On a machine whose
  cores are already busy (load average above 3/4 of the cores) every size runs
  on one thread: measured here, Numba's threads waiting at the barrier for a
  core made kernels 2x (12 MP) to 20x (1 MP) slower than one thread.

Importing this module loads Numba but compiles nothing.
"""

from __future__ import annotations

import functools
import os

__all__ = ["NUMBA_MIN_PIXELS", "PARALLEL_MIN_PIXELS", "sized", "use_numba"]

NUMBA_MIN_PIXELS = 1 << 14
PARALLEL_MIN_PIXELS = 1 << 22


def use_numba(n: int, backend: str = "auto") -> bool:
    """Whether `n` pixels go to the compiled kernel (``backend``: auto, numba, numpy).

    Examples
    --------
    >>> use_numba(100), use_numba(100, "numba"), use_numba(1 << 20, "numpy")
    (False, True, False)
    """
    if backend not in ("auto", "numba", "numpy"):
        raise ValueError(f"backend={backend!r}; choose from ['auto', 'numba', 'numpy'].")
    return backend == "numba" or (backend == "auto" and n >= NUMBA_MIN_PIXELS)


def _cores_free() -> bool:
    try:
        return os.getloadavg()[0] < 0.75 * (os.cpu_count() or 1)
    except (AttributeError, OSError):  # no load average (Windows)
        return True


def sized(kernel):
    """Wrap ``kernel(x, ...)`` to run single-threaded for few rows or busy cores."""
    import numba

    @functools.wraps(kernel)
    def run(x, *args):
        if x.shape[0] >= PARALLEL_MIN_PIXELS and _cores_free():
            return kernel(x, *args)
        previous = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            return kernel(x, *args)
        finally:
            numba.set_num_threads(previous)

    run.kernel = kernel
    return run
