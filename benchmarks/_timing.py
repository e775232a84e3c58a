"""The one timing loop of the A/B scripts in ``benchmarks/`` (hist_ab, roundtrip_ab,
reinhard_ab, bandwidth): a warm-up call, then the median and the fastest of ``runs`` calls.

Scripts run as ``python benchmarks/<name>.py`` find it on ``sys.path`` (their own folder).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_min(fn: Callable[[], object], runs: int, *, warmup: Callable[[], object] | None = None
               ) -> tuple[float, float]:
    """Median and fastest wall time of ``runs`` calls of ``fn``, in seconds.

    ``warmup`` (default: ``fn`` itself) is called once first, untimed.

    Examples
    --------
    >>> med, fastest = median_min(lambda: sum(range(100)), 5)
    >>> 0 <= fastest <= med
    True
    """
    (warmup or fn)()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)
