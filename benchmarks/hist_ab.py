"""A/B timing of histogram matching at 12 MP between checkouts (issue 17; ``--dtype``).

The benchmark's case (``chroma bench``, "histogram matching, float32"): the Pitié pair from
the evaluation photos at 12 MP, float32 (uint8 / 255; ``--dtype uint8`` for the uint8 case),
``chroma.match_histograms(image,
reference)`` against ``skimage.exposure.match_histograms(..., channel_axis=-1)``. Run it once
per checkout, interleaved, in one quiet window, with ``PYTHONPATH`` and the working directory
set to the checkout (the `chroma` it imports is printed)::

    for i in 1 2; do for d in /path/to/before /path/to/after; do
      (cd $d && CHROMA_EVAL_DIR=/work/shared/photos/eval PYTHONPATH=$d \\
       python /path/to/benchmarks/hist_ab.py); done; done

Prints chroma's median and fastest of ``--runs`` calls (after one warm-up), scikit-image's
median of ``--peer-runs`` (0 skips it), the ratio, the largest difference between the two
outputs, and the load average before and after.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from _timing import median_min


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--peer-runs", type=int, default=3)
    ap.add_argument("--dtype", choices=["float32", "uint8"], default="float32")
    args = ap.parse_args(argv)
    import chroma
    from chroma.bench.harness import PITIE_PAIR, find_eval_dir, make_inputs

    folder = find_eval_dir()
    if folder is None or not all((folder / f).is_file() for f in PITIE_PAIR):
        raise SystemExit("benchmarks/hist_ab.py needs the Pitié pair: set CHROMA_EVAL_DIR")
    img, ref = make_inputs(12, args.dtype)
    load0 = os.getloadavg()[0]
    t_med, t_min = median_min(lambda: chroma.match_histograms(img, ref), args.runs)
    line = (f"{chroma.__file__.split('/chroma/')[0]}: chroma median "
            f"{1e3 * t_med:.1f} ms, min {1e3 * t_min:.1f} ms")
    if args.peer_runs:
        from skimage.exposure import match_histograms

        p_med, _ = median_min(lambda: match_histograms(img, ref, channel_axis=-1),
                              args.peer_runs)
        diff = np.abs(chroma.match_histograms(img, ref).astype(np.float64)
                      - match_histograms(img, ref, channel_axis=-1)).max()
        line += (f"; scikit-image median {1e3 * p_med:.0f} ms; ratio "
                 f"{p_med / t_med:.2f}x; max |diff| {diff:.1e}")
    print(line + f"; load {load0:.2f} -> {os.getloadavg()[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
