"""When chroma uses its Numba kernels, and on how many threads (one policy for all).

* :data:`NUMBA_MIN_PIXELS`: below this many pixels a function runs its NumPy
  twin (dispatching a compiled kernel costs more than the work).
* :data:`PARALLEL_MIN_PIXELS`: below this many pixels a kernel runs on one
  thread (a parallel launch costs more than it saves).
* :func:`set_num_threads` / the environment variable ``CHROMA_NUM_THREADS``:
  how many threads a large kernel uses (default: Numba's, i.e. every core or
  ``NUMBA_NUM_THREADS``). The count never depends on the load average: a
  library's speed should not depend on what other processes did a minute ago.
* :func:`numba_module`: the one place that imports Numba for chroma's kernels.
  It selects the threading layer first (:data:`THREADING_LAYER`, unless the user
  chose one with ``NUMBA_THREADING_LAYER``): ``workqueue``, whose idle workers
  sleep instead of spinning, so that a busy machine slows a kernel down in
  proportion to the competition instead of collapsing (measured with
  ``benchmarks/threads.py``; see docs/basics.md, "Speed and threads").
* :func:`sized` wraps a parallel kernel with that rule.

Importing this module does not import Numba.
"""

from __future__ import annotations

import functools
import numbers
import os
import sys

__all__ = [
    "NUMBA_MIN_PIXELS",
    "PARALLEL_MIN_PIXELS",
    "THREADING_LAYER",
    "get_num_threads",
    "numba_module",
    "set_num_threads",
    "sized",
    "use_numba",
]

NUMBA_MIN_PIXELS = 1 << 14
PARALLEL_MIN_PIXELS = 1 << 18
THREADING_LAYER = "workqueue"
ENV_VAR = "CHROMA_NUM_THREADS"

_threads: int | None = None  # set_num_threads(); None: CHROMA_NUM_THREADS, else Numba's


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


def numba_module():
    """Numba, imported with chroma's threading layer selected (before any parallel launch).

    ``NUMBA_THREADING_LAYER`` set by the user wins; so does a layer already chosen in
    ``numba.config`` by code that imported Numba first.
    """
    fresh = "numba" not in sys.modules
    import numba

    if "NUMBA_THREADING_LAYER" not in os.environ and (
        fresh or numba.config.THREADING_LAYER == "default"
    ):
        numba.config.THREADING_LAYER = THREADING_LAYER
    return numba


def _check_threads(n, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be an integer number of threads, got {n!r}.")
    if n < 1:
        raise ValueError(f"{name} must be >= 1, got {n}.")
    return int(n)


def _cores() -> int:
    """Numba's thread count (``NUMBA_NUM_THREADS`` or the cores), without importing Numba."""
    if "numba" in sys.modules:
        return sys.modules["numba"].config.NUMBA_NUM_THREADS
    env = os.environ.get("NUMBA_NUM_THREADS", "")
    return int(env) if env.isdigit() and int(env) > 0 else (os.cpu_count() or 1)


def get_num_threads() -> int:
    """The threads chroma's large kernels run on (see :func:`set_num_threads`).

    Examples
    --------
    >>> get_num_threads() >= 1
    True
    """
    if _threads is not None:
        n = _threads
    else:
        from chroma._core.validate import env_int

        env = env_int(ENV_VAR)
        n = _check_threads(env, ENV_VAR) if env is not None else _cores()
    return max(1, min(n, _cores()))


def set_num_threads(n: int | None) -> int:
    """Set how many threads chroma's kernels use; returns the previous setting.

    Parameters
    ----------
    n : int or None
        At least 1; more than Numba's thread pool (``NUMBA_NUM_THREADS``, by
        default the cores) runs on the whole pool. ``None`` goes back to the
        default: the environment variable ``CHROMA_NUM_THREADS`` if set, else
        the whole pool.

    Returns
    -------
    previous : int
        The thread count in force before the call.

    Notes
    -----
    Images below :data:`PARALLEL_MIN_PIXELS` pixels always run on one thread.
    The setting is process-wide; Numba is not imported by this call.

    Examples
    --------
    >>> import chroma
    >>> previous = chroma.set_num_threads(1)
    >>> chroma.get_num_threads()
    1
    >>> _ = chroma.set_num_threads(None)
    """
    global _threads
    previous = get_num_threads()
    _threads = None if n is None else _check_threads(n, "n")
    return previous


def sized(kernel):
    """Wrap ``kernel(x, ...)`` to run on :func:`get_num_threads` threads (1 for few rows)."""
    numba = numba_module()

    @functools.wraps(kernel)
    def run(x, *args):
        want = get_num_threads() if x.shape[0] >= PARALLEL_MIN_PIXELS else 1
        previous = numba.get_num_threads()
        if want == previous:
            return kernel(x, *args)
        numba.set_num_threads(want)
        try:
            return kernel(x, *args)
        finally:
            numba.set_num_threads(previous)

    run.kernel = kernel
    return run
