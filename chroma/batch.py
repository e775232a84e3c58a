"""Apply one fitted step (an estimator, a Pipeline or a recipe) to many files.

The step is fitted once, on the client, then shipped to the workers once: as
pickled bytes to each worker of a local process pool, or with
``client.scatter(step, broadcast=True)`` on a Dask cluster. A worker reads one
image, transforms it, writes the output atomically and returns a small
:class:`Record` (path, status, seconds, error), never pixels; it holds one image
at a time.

An output that already exists is skipped unless ``overwrite=True``, so a run that
was killed resumes where it stopped. An unreadable or failing input is recorded
and the others complete; the returned :class:`BatchResult` lists the failures.

Schedulers
----------
``None`` / ``"sync"``
    In this process, one file after the other.
``"threads"``
    A thread pool in this process (``workers`` threads, default: the cores).
``"processes"``
    A local process pool sized to the cores (``workers`` to choose); each worker
    process runs its kernels single-threaded.
``"tcp://host:8786"`` or a ``distributed.Client``
    A Dask cluster (``pip install "chroma-image[dask]"``); dask is imported only then.
    Workers must see the same file paths (a shared file system).

Examples
--------
>>> import os, tempfile
>>> import chroma
>>> rng = np.random.default_rng(0)
>>> folder = tempfile.mkdtemp()
>>> for i in range(3):
...     chroma.write_image(os.path.join(folder, f"{i}.png"),
...                        rng.integers(0, 256, (8, 8, 3), dtype=np.uint8))
>>> step = chroma.ReinhardTransfer().fit(rng.random((8, 8, 3)))
>>> result = apply(folder, step, os.path.join(folder, "out"), progress=False)
>>> print(result)
chroma batch: 3 done, 0 skipped, 0 failed (3 inputs)
>>> apply(folder, step, os.path.join(folder, "out"), progress=False).skipped
3
"""

from __future__ import annotations

import glob as _glob
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# --- internal imports: the one place to repoint after the layout move ------------------
from chroma.io import READ_EXTENSIONS as _READ_EXTENSIONS
from chroma.io import WRITE_EXTENSIONS as _WRITE_EXTENSIONS

__all__ = ["SCHEDULERS", "BatchError", "BatchResult", "Record", "apply", "resolve_inputs"]

SCHEDULERS = ("sync", "threads", "processes")
ON_ERROR = ("collect", "raise")
_GLOB_CHARS = set("*?[")


# --- records and the summary -----------------------------------------------------------
@dataclass(frozen=True)
class Record:
    """What a worker reports for one input (no pixels).

    Attributes
    ----------
    path : str
        The input file.
    output : str
        The output file.
    status : {"done", "skipped", "failed"}
        ``"skipped"``: the output existed and ``overwrite`` was False.
    seconds : float
        Time spent on this file by the worker (read, transform, write).
    error : str or None
        ``"ExceptionType: message"`` when the status is ``"failed"``.

    Examples
    --------
    >>> r = Record("in/a.png", "out/a.png", "failed", 0.5, "ValueError: bad pixels")
    >>> r.status, r.error
    ('failed', 'ValueError: bad pixels')
    """

    path: str
    output: str
    status: str
    seconds: float = 0.0
    error: str | None = None


class BatchError(RuntimeError):
    """Raised by :func:`apply` with ``on_error="raise"``; ``.record`` is the failure.

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> with open(os.path.join(d, "broken.png"), "wb") as fh:
    ...     _ = fh.write(b"not a png")
    >>> from chroma import ReinhardTransfer
    >>> step = ReinhardTransfer().fit(np.full((4, 4, 3), 0.5))
    >>> try:
    ...     apply(d, step, os.path.join(d, "out"), on_error="raise", progress=False)
    ... except BatchError as err:
    ...     print(os.path.basename(err.record.path), err.record.status)
    broken.png failed
    """

    def __init__(self, record: Record):
        super().__init__(f"{record.path}: {record.error}")
        self.record = record


@dataclass
class BatchResult:
    """The records of a batch run, in input order, and a summary.

    Attributes
    ----------
    records : list of Record
    seconds : float
        Wall-clock time of the whole run, on the client.
    scheduler : str

    Examples
    --------
    >>> result = BatchResult([Record("a.png", "out/a.png", "done", 0.1),
    ...                       Record("b.png", "out/b.png", "skipped"),
    ...                       Record("c.png", "out/c.png", "failed", 0.0, "OSError: empty")])
    >>> result.done, result.skipped, result.ok
    (1, 1, False)
    >>> print(result.report())
    chroma batch: 1 done, 1 skipped, 1 failed (3 inputs)
      failed: c.png: OSError: empty
    """

    records: list[Record] = field(default_factory=list)
    seconds: float = 0.0
    scheduler: str = "sync"

    def _count(self, status: str) -> int:
        return sum(r.status == status for r in self.records)

    @property
    def done(self) -> int:
        """Number of outputs written by this run."""
        return self._count("done")

    @property
    def skipped(self) -> int:
        """Number of inputs whose output already existed."""
        return self._count("skipped")

    @property
    def failures(self) -> list[Record]:
        """The failed records."""
        return [r for r in self.records if r.status == "failed"]

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failures

    def __str__(self) -> str:
        return (f"chroma batch: {self.done} done, {self.skipped} skipped, "
                f"{len(self.failures)} failed ({len(self.records)} inputs)")

    def report(self) -> str:
        """The summary line followed by one line per failure."""
        lines = [str(self)]
        lines += [f"  failed: {r.path}: {r.error}" for r in self.failures]
        return "\n".join(lines)


# --- inputs and outputs ----------------------------------------------------------------
def _is_image(path: Path) -> bool:
    return path.suffix.lower() in _READ_EXTENSIONS


def resolve_inputs(inputs) -> list[Path]:
    """Expand `inputs` into a list of image files.

    Parameters
    ----------
    inputs : str, path-like or sequence of them
        A folder (its image files, not recursive, sorted by name), a glob
        pattern (``"scans/**/*.tif"``; sorted), a file, or a list mixing these.

    Returns
    -------
    paths : list of Path
        In order, without duplicates.

    Examples
    --------
    >>> resolve_inputs([])
    Traceback (most recent call last):
    ...
    ValueError: `inputs` matched no image files; got [].
    """
    if isinstance(inputs, (str, os.PathLike)):
        items = [inputs]
    elif isinstance(inputs, Iterable) and not isinstance(inputs, bytes):
        items = list(inputs)
    else:
        raise TypeError(
            f"`inputs` must be a folder, a glob pattern, a path or a list of paths, "
            f"got {type(inputs).__name__}."
        )
    paths: list[Path] = []
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"`inputs` entries must be paths, got {type(item).__name__}.")
        text = os.fspath(item)
        p = Path(text)
        if p.is_dir():
            paths += sorted(q for q in p.iterdir() if q.is_file() and _is_image(q))
        elif _GLOB_CHARS & set(text):
            paths += sorted(Path(q) for q in _glob.glob(text, recursive=True)
                            if Path(q).is_file() and _is_image(Path(q)))
        elif p.is_file():
            paths.append(p)
        else:
            raise FileNotFoundError(f"`inputs`: no such file, folder or pattern match: {text!r}")
    seen: set[Path] = set()
    unique = []
    for p in paths:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    if not unique:
        raise ValueError(f"`inputs` matched no image files; got {inputs!r}.")
    return unique


def _plan(sources: list[Path], out, suffix: str | None) -> list[Path]:
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"`out` must be a folder path, got {type(out).__name__}.")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"`out` must be a folder, got the file {str(out)!r}.")
    if suffix is not None:
        if not isinstance(suffix, str) or suffix.lower() not in _WRITE_EXTENSIONS:
            raise ValueError(
                f"suffix={suffix!r} is not a writable format; choose from "
                f"{sorted(_WRITE_EXTENSIONS)}."
            )
    dsts = [out / (s.name if suffix is None else s.stem + suffix) for s in sources]
    names: dict[Path, Path] = {}
    for s, d in zip(sources, dsts):
        if d in names:
            raise ValueError(
                f"inputs {str(names[d])!r} and {str(s)!r} would both be written to "
                f"{str(d)!r}; give inputs with distinct file names."
            )
        names[d] = s
    inputs = {s.resolve() for s in sources}
    for d in dsts:
        if d.resolve() in inputs:
            raise ValueError(
                f"output {str(d)!r} is one of the inputs; choose another `out` folder "
                "(batch never writes over an input)."
            )
    return dsts


def _remove_stale_temporaries(dst: Path) -> None:
    """Delete what a killed ``write_image`` left next to `dst` (``.NAME.*SUFFIX``)."""
    for tmp in dst.parent.glob(f".{_glob.escape(dst.name)}.*{_glob.escape(dst.suffix)}"):
        tmp.unlink(missing_ok=True)


# --- the step ----------------------------------------------------------------------------
def _looks_fitted(step) -> bool:
    if hasattr(step, "n_steps_"):  # a fitted Pipeline
        return True
    return any(k.endswith("_") and not k.startswith("_")
               for k in getattr(step, "__dict__", {}))


def _prepare_step(step, reference):
    """Load a recipe, fit on the client if needed; return the fitted step."""
    from chroma.pipeline import Pipeline

    if isinstance(step, (str, os.PathLike)):
        step = Pipeline.load(step)
    if not (callable(getattr(step, "transform", None)) and callable(getattr(step, "fit", None))):
        raise TypeError(
            f"`step` must be a fitted estimator, a Pipeline or a recipe path, got "
            f"{type(step).__name__}."
        )
    if reference is not None:
        if isinstance(reference, (str, os.PathLike)):
            from chroma.io import read_image

            reference = read_image(reference)
        step.fit(reference)
    elif isinstance(step, Pipeline) and not hasattr(step, "n_steps_"):
        step.fit()  # each step's own reference from the recipe
    elif not _looks_fitted(step):
        raise ValueError(
            f"`step` ({type(step).__name__}) is not fitted; fit it first or pass reference=."
        )
    return step


def _step_modules(step) -> list[str]:
    """Modules of the step's classes (and a Pipeline's estimators): worth preloading."""
    objs = [step, *(s.estimator for s in getattr(step, "steps", []) or [])]
    mods = {type(o).__module__ for o in objs}
    return sorted(m for m in mods if m.startswith("chroma."))


# --- the worker side ---------------------------------------------------------------------
_WORKER_STEP = None  # the step of this worker process (set once by _init_worker)


#: this process, as a worker task sees its caller: a random token (the same in a
#: forked child) and the pid (not the same there)
_TOKEN = os.urandom(8).hex()


def _process_id() -> tuple[str, int]:
    return _TOKEN, os.getpid()


def _limit_threads() -> None:
    """One thread per worker for the kernels: the pool is the parallelism.

    Only ever called in a worker process of its own (the pool's initializer; a
    Dask task in a process other than its caller's, :func:`_dask_task`): it
    changes this process's environment and chroma's thread policy, which must
    not happen to the caller (a Dask worker in the client's own process).

    Through chroma's own policy (:func:`chroma.set_num_threads`): its kernels
    set Numba's thread count on every call from that policy, so setting
    Numba's count alone is undone by the next kernel once Numba is imported
    (as in a Dask worker that ran other tasks before). Numba's thread pool is not touched here: it
    starts at the first kernel, with the threading layer chroma selects. The
    environment variables cover BLAS / OpenMP libraries loaded later, and
    Numba when it is not imported yet: once it is, a changed
    ``NUMBA_NUM_THREADS`` makes its next compilation fail ("Cannot set
    NUMBA_NUM_THREADS to a different value once the threads have been
    launched").
    """
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    if "numba" not in sys.modules:
        os.environ["NUMBA_NUM_THREADS"] = "1"
    from chroma._core.parallel import set_num_threads

    set_num_threads(1)


def _init_worker(payload: bytes) -> None:
    global _WORKER_STEP
    _limit_threads()  # before numpy / numba are imported by the unpickling
    _WORKER_STEP = pickle.loads(payload)


def process_file(src: str, dst: str, step, overwrite: bool = False) -> Record:
    """Read `src`, transform it with `step`, write `dst` atomically; never raises.

    The unit of work of every scheduler; public so a custom scheduler can use it.

    Examples
    --------
    >>> process_file("missing.png", "out.png", None).status
    'failed'
    """
    t0 = time.perf_counter()
    try:
        if not overwrite and os.path.exists(dst):
            return Record(src, dst, "skipped", time.perf_counter() - t0)
        from chroma.io import read_image, write_image

        image = read_image(src)
        image = step.transform(image)  # drop the input: one image held at a time
        write_image(dst, image, overwrite=overwrite)
        del image
        return Record(src, dst, "done", time.perf_counter() - t0)
    except Exception as err:  # recorded; the other files go on
        message = " ".join(str(err).split()) or type(err).__name__
        return Record(src, dst, "failed", time.perf_counter() - t0,
                      f"{type(err).__name__}: {message}")


def _pool_task(src: str, dst: str, overwrite: bool) -> Record:
    return process_file(src, dst, _WORKER_STEP, overwrite)


def _dask_task(src: str, dst: str, step, overwrite: bool, caller=None) -> Record:
    """`process_file` on a Dask worker; one kernel thread there unless it is `caller`'s process.

    A worker in the client's own process (``Client(processes=False)``) leaves the
    environment and the thread policy alone: they are the caller's.
    """
    if caller is not None and tuple(caller) != _process_id() and not getattr(
            _dask_task, "limited", False):
        _limit_threads()
        _dask_task.limited = True
    return process_file(src, dst, step, overwrite)


# --- schedulers ------------------------------------------------------------------------
def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def _run_sync(jobs, step, overwrite) -> Iterator[tuple[int, Record]]:
    for i, (src, dst) in jobs:
        yield i, process_file(src, dst, step, overwrite)


def _run_executor(executor, submit: Callable, jobs) -> Iterator[tuple[int, Record]]:
    from concurrent.futures import as_completed

    with executor:
        futures = {submit(src, dst): i for i, (src, dst) in jobs}
        try:
            for fut in as_completed(futures):
                yield futures[fut], fut.result()
        finally:
            for fut in futures:
                fut.cancel()


def _run_threads(jobs, step, overwrite, workers):
    from concurrent.futures import ThreadPoolExecutor

    ex = ThreadPoolExecutor(max_workers=workers or _cores(), thread_name_prefix="chroma-batch")
    return _run_executor(ex, lambda s, d: ex.submit(process_file, s, d, step, overwrite), jobs)


def _heavy_modules() -> list[str]:
    """Libraries every worker would import itself: imported once, in the fork server.

    Pillow's codecs only. Numba is not preloaded: its thread count is fixed when
    it is imported, from ``NUMBA_NUM_THREADS``, which each worker sets to 1 first
    (:func:`_limit_threads`); changed after the import, it makes Numba's next
    compilation fail.
    """
    from importlib.util import find_spec

    if find_spec("PIL") is None:  # pragma: no cover - Pillow is a dependency
        return []
    return ["PIL.Image", "PIL.JpegImagePlugin", "PIL.PngImagePlugin"]


def _run_processes(jobs, payload, overwrite, workers, preload=()):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Never a plain fork of this process: its kernels may have started threads
    # (Numba, OpenMP), and a forked child of a threaded process can deadlock.
    # A forkserver (single-threaded, modules preloaded once) starts workers fast.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["__main__", "numpy", "chroma.io", __name__,
                                    *_heavy_modules(), *preload])
    else:  # pragma: no cover - Windows
        ctx = multiprocessing.get_context("spawn")
    ex = ProcessPoolExecutor(max_workers=workers or _cores(), mp_context=ctx,
                             initializer=_init_worker, initargs=(payload,))
    return _run_executor(ex, lambda s, d: ex.submit(_pool_task, s, d, overwrite), jobs)


def _dask_client(scheduler):
    """A ``distributed.Client`` for an address or a Client; None for a local name."""
    if isinstance(scheduler, str):
        if scheduler in SCHEDULERS:
            return None, False
        if "://" not in scheduler:
            raise ValueError(
                f"scheduler={scheduler!r} is not supported; choose from {list(SCHEDULERS)}, "
                "a Dask address such as 'tcp://host:8786', or a distributed.Client."
            )
        try:
            from distributed import Client
        except ImportError as err:
            raise ImportError(
                f'scheduler={scheduler!r} needs Dask: pip install "chroma-image[dask]"'
            ) from err
        return Client(scheduler), True
    if type(scheduler).__name__ == "Client" and hasattr(scheduler, "scatter"):
        return scheduler, False
    raise TypeError(
        f"`scheduler` must be None, one of {list(SCHEDULERS)}, a Dask address or a "
        f"distributed.Client, got {type(scheduler).__name__}."
    )


def _run_dask(jobs, step, overwrite, client):
    import uuid

    from distributed import as_completed

    [shared] = client.scatter([step], broadcast=True, hash=False)  # shipped once
    run = uuid.uuid4().hex[:12]
    futures = {}
    for i, (src, dst) in jobs:
        fut = client.submit(_dask_task, src, dst, shared, overwrite, _process_id(),
                            pure=False, key=f"chroma-batch-{run}-{i}")
        futures[fut] = i
    try:
        for fut in as_completed(futures):
            yield futures[fut], fut.result()
    finally:
        client.cancel([*futures, shared])


def _progress_bar(total: int, enabled: bool):
    if not enabled or total <= 1:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="batch", unit="img")


# --- the entry point -------------------------------------------------------------------
def apply(
    inputs,
    step,
    out,
    *,
    scheduler=None,
    overwrite: bool = False,
    on_error: str = "collect",
    progress: bool = True,
    reference=None,
    workers: int | None = None,
    suffix: str | None = None,
) -> BatchResult:
    """Apply a fitted step to many image files, in this process or on workers.

    Parameters
    ----------
    inputs : str, path-like or sequence of them
        A folder, a glob pattern, a file, or a list of these (see
        :func:`resolve_inputs`).
    step : estimator, Pipeline, str or path-like
        A fitted estimator or Pipeline, or a recipe file (``.toml`` / ``.json``,
        loaded with :meth:`chroma.Pipeline.load`). Fitted once here (on
        `reference` if given, else a recipe's own references) and shipped to
        the workers once.
    out : str or path-like
        Output folder (created if missing); each output keeps its input's file
        name (or takes `suffix`). It may not be an input's folder when that
        would overwrite the input.
    scheduler : None, {"sync", "threads", "processes"}, str or distributed.Client, optional
        Where the work runs (see the module docstring). A Dask address
        (``"tcp://host:8786"``) opens a client that is closed at the end.
    overwrite : bool, optional
        Replace existing outputs. Default: skip them (so a killed run resumes).
    on_error : {"collect", "raise"}, optional
        ``"collect"``: record failures and finish the others; ``"raise"``:
        stop at the first failure with :class:`BatchError`.
    progress : bool, optional
        Show a tqdm progress bar on stderr.
    reference : str, path-like or ndarray, optional
        Fit `step` on this reference first.
    workers : int, optional
        Pool size for ``"threads"`` / ``"processes"``; default: the cores.
    suffix : str, optional
        Output format by extension (``".png"``); default: the input's.

    Returns
    -------
    result : BatchResult
        One :class:`Record` per input, in input order; ``str(result)`` is the
        summary line and ``result.failures`` the failed records.

    Raises
    ------
    BatchError
        With ``on_error="raise"``, on the first failed file.

    Examples
    --------
    >>> import os, tempfile
    >>> import chroma
    >>> d = tempfile.mkdtemp()
    >>> chroma.write_image(os.path.join(d, "a.png"), np.zeros((4, 4, 3), np.uint8))
    >>> with open(os.path.join(d, "b.png"), "wb") as fh:
    ...     _ = fh.write(b"not a png")
    >>> step = chroma.ReinhardTransfer().fit(np.full((4, 4, 3), 0.5))
    >>> result = apply(d, step, os.path.join(d, "out"), progress=False)
    >>> result.done, [os.path.basename(r.path) for r in result.failures]
    (1, ['b.png'])
    """
    t0 = time.perf_counter()
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error={on_error!r} is not supported; choose from {list(ON_ERROR)}.")
    if not isinstance(overwrite, bool):
        raise TypeError(f"`overwrite` must be a bool, got {type(overwrite).__name__}.")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise ValueError(f"`workers` must be a positive int or None, got {workers!r}.")
    if scheduler is None:
        scheduler = "sync"
    client, own_client = _dask_client(scheduler)  # validates `scheduler`
    try:
        sources = resolve_inputs(inputs)
        dsts = _plan(sources, out, suffix)
        if isinstance(reference, (str, os.PathLike)) and any(
            Path(reference).resolve() == d.resolve() for d in dsts
        ):
            raise ValueError(f"an output would overwrite the reference {str(reference)!r}.")
        step = _prepare_step(step, reference)
        Path(out).mkdir(parents=True, exist_ok=True)

        records: list[Record | None] = [None] * len(sources)
        jobs: list[tuple[int, tuple[str, str]]] = []
        for i, (src, dst) in enumerate(zip(sources, dsts)):
            if dst.exists() and not overwrite:  # resume: not even shipped
                records[i] = Record(str(src), str(dst), "skipped")
            else:
                _remove_stale_temporaries(dst)
                jobs.append((i, (str(src), str(dst))))

        if client is not None:
            name = "dask"
            stream = _run_dask(jobs, step, overwrite, client) if jobs else iter(())
        elif scheduler == "sync":
            name = "sync"
            stream = _run_sync(jobs, step, overwrite)
        elif scheduler == "threads":
            name = "threads"
            stream = _run_threads(jobs, step, overwrite, workers) if jobs else iter(())
        else:
            name = "processes"
            try:  # pickled once, here; each worker unpickles it once
                payload = pickle.dumps(step, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as err:
                raise TypeError(
                    f"`step` ({type(step).__name__}) cannot be pickled for worker "
                    f"processes: {err}; use scheduler='threads' or 'sync'."
                ) from err
            preload = _step_modules(step)
            stream = (_run_processes(jobs, payload, overwrite, workers, preload) if jobs
                      else iter(()))

        bar = _progress_bar(len(jobs), progress)
        try:
            for i, rec in stream:
                records[i] = rec
                if bar is not None:
                    bar.update(1)
                if rec.status == "failed" and on_error == "raise":
                    raise BatchError(rec)
        finally:
            if bar is not None:
                bar.close()
            close = getattr(stream, "close", None)
            if close is not None:
                close()
    finally:
        if own_client:
            client.close()
    return BatchResult([r for r in records if r is not None], time.perf_counter() - t0, name)
