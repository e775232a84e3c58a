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
  Before Numba's first parallel launch it selects the threading layer
  (:data:`THREADING_LAYER`, OpenMP, falling back to :data:`FALLBACK_LAYER`
  when Numba's OpenMP layer cannot load) and OpenMP's wait policy
  (:data:`WAIT_POLICY`: idle workers sleep instead of spinning, so that a busy
  machine slows a kernel down in proportion instead of collapsing it). A user's
  ``NUMBA_THREADING_LAYER``, ``NUMBA_THREADING_LAYER_PRIORITY`` or
  ``OMP_WAIT_POLICY`` wins. OpenMP, unlike ``workqueue``, may be called from
  several Python threads at once (``workqueue`` aborts the process); unlike
  ``workqueue`` it cannot run in a process forked after it ran, so there
  :func:`sized` kernels run a serial twin (measured with
  ``benchmarks/layer_check.py`` and ``benchmarks/threads.py``; see
  docs/basics.md, "Speed and threads").
* :func:`sized` wraps a parallel kernel with that rule.
* :func:`loop_body`: compiles the serial body of a kernel's parallel loop as a
  function of its own, as Numba compiles a ``prange`` body (its NumPy error
  model, and the arrays marked as not overlapping), so that the parallel kernel
  calling it compiles in about half the time (Numba's parfor passes then see a
  call, not the whole body) and keeps the machine code.

Importing this module does not import Numba.
"""

from __future__ import annotations

import functools
import numbers
import os
import sys

__all__ = [
    "FALLBACK_LAYER",
    "NUMBA_MIN_PIXELS",
    "PARALLEL_MIN_PIXELS",
    "THREADING_LAYER",
    "WAIT_POLICY",
    "get_num_threads",
    "loop_body",
    "numba_module",
    "set_num_threads",
    "sized",
    "threading_layer",
    "use_numba",
]

NUMBA_MIN_PIXELS = 1 << 14
PARALLEL_MIN_PIXELS = 1 << 18
THREADING_LAYER = "omp"
FALLBACK_LAYER = "workqueue"
WAIT_POLICY = "PASSIVE"
_PRIORITY = (THREADING_LAYER, FALLBACK_LAYER, "tbb")  # Numba wants all three named
ENV_VAR = "CHROMA_NUM_THREADS"

_threads: int | None = None  # set_num_threads(); None: CHROMA_NUM_THREADS, else Numba's
_forked_after_omp = False  # this process was forked after OpenMP ran: its pool is unusable


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

    The layer is :data:`THREADING_LAYER` if it loads, else :data:`FALLBACK_LAYER`
    (Numba's ``NUMBA_THREADING_LAYER_PRIORITY``); OpenMP's ``OMP_WAIT_POLICY``
    defaults to :data:`WAIT_POLICY`, set before Numba loads its OpenMP runtime,
    which reads it once. (With torch imported first, Numba's layer binds to
    torch's libgomp, loaded globally and already initialized: its policy is
    whatever ``OMP_WAIT_POLICY`` said before ``import torch``.)
    ``NUMBA_THREADING_LAYER``, ``NUMBA_THREADING_LAYER_PRIORITY`` or
    ``OMP_WAIT_POLICY`` set by the user win; so does a layer already chosen in
    ``numba.config`` by code that imported Numba first, and a layer Numba
    already launched.
    """
    _select_layer(sys.modules.get("numba"))
    import numba

    return numba


def _select_layer(numba) -> None:
    env = os.environ
    if threading_layer() is not None:
        return  # the layer is fixed at the first launch
    chosen = "NUMBA_THREADING_LAYER" in env or "NUMBA_THREADING_LAYER_PRIORITY" in env or (
        numba is not None and (numba.config.THREADING_LAYER != "default"
                               or list(numba.config.THREADING_LAYER_PRIORITY)
                               != ["tbb", "omp", "workqueue"]))
    if not chosen:
        env["NUMBA_THREADING_LAYER_PRIORITY"] = " ".join(_PRIORITY)  # read by Numba's config
        if numba is not None:
            numba.config.THREADING_LAYER_PRIORITY = list(_PRIORITY)
    layer = (env.get("NUMBA_THREADING_LAYER") or (
        numba.config.THREADING_LAYER if numba is not None else "default")).lower()
    if layer in ("default", "omp", "threadsafe"):
        env.setdefault("OMP_WAIT_POLICY", WAIT_POLICY)  # read when libgomp loads
    if not getattr(_select_layer, "hooked", False) and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork)
        _select_layer.hooked = True


def _after_fork() -> None:
    """In a forked child: GNU OpenMP's pool, if it ran in the parent, kills the child."""
    global _forked_after_omp
    if threading_layer() == "omp":
        _forked_after_omp = True


def threading_layer() -> str | None:
    """The threading layer Numba launched for chroma's kernels (None before the first launch).

    Examples
    --------
    >>> threading_layer() in (None, THREADING_LAYER, FALLBACK_LAYER, "tbb")
    True
    """
    parallel = sys.modules.get("numba.np.ufunc.parallel")
    return parallel._threading_layer if parallel is not None and parallel._is_initialized else None


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
    """Wrap ``kernel(x, ...)`` to run on :func:`get_num_threads` threads (1 for few rows).

    In a process forked after OpenMP ran in its parent (GNU OpenMP's pool does
    not survive a fork: Numba terminates a child that launches it), the wrapper
    runs a serial twin of the kernel, compiled on its first use there.
    """
    numba = numba_module()

    @functools.wraps(kernel)
    def run(x, *args):
        if _forked_after_omp:
            return _serial(kernel)(x, *args)
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


@functools.cache
def _serial(kernel):
    """``kernel`` compiled serially (not cached: Numba's cache index would mix the two)."""
    numba = numba_module()
    if not hasattr(kernel, "targetoptions"):
        return kernel  # a plain Python function
    options = {k: v for k, v in kernel.targetoptions.items() if k != "nopython"}
    return numba.njit(**{**options, "parallel": False})(kernel.py_func)


@functools.cache
def _noalias_compiler():
    """Numba's default pipeline with its ``noalias`` flag set (its parfor bodies get it)."""
    from numba.core.compiler import Compiler

    class NoAliasCompiler(Compiler):
        def __init__(self, typingctx, targetctx, library, args, return_type, flags, locals):
            flags = flags.copy()
            flags.noalias = True  # the array arguments do not overlap: loops may vectorize
            super().__init__(typingctx, targetctx, library, args, return_type, flags, locals)

    return NoAliasCompiler


def loop_body(**options):
    """``numba.njit`` for the serial body of a parallel loop, called from the kernel's ``prange``.

    The body is compiled as Numba compiles a ``prange`` body itself: with the
    NumPy error model (no Python exceptions for a division by zero) and with its
    array arguments marked as not overlapping (Numba's ``noalias``), which is
    what lets its loops vectorize. **Every array it gets must be distinct
    memory**, as a parallel loop's arrays are. Not cached itself: the parallel
    kernel that calls it is, with the body's machine code inside. Outlining the
    body halves the parallel kernel's compile (Numba's parfor passes see one
    call): ``benchmarks/compile_time.py``.

    A parallel kernel must call the body through a module global, not a closure
    variable: Numba's cache index hashes a kernel's closure variables, and a
    dispatcher pickles with a per-process id, so a closure over one would compile
    the kernel again in every process.

    Examples
    --------
    >>> import numpy as np
    >>> @loop_body()
    ... def add_one(a, out):
    ...     for i in range(a.shape[0]):
    ...         out[i] = a[i] + 1.0
    >>> out = np.empty(3)
    >>> add_one(np.arange(3.0), out)
    >>> out
    array([1., 2., 3.])
    """
    numba = numba_module()
    return numba.njit(pipeline_class=_noalias_compiler(), error_model="numpy", **options)
