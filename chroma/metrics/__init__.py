"""Image-quality and color-difference metrics.

Two kinds of input:

* **Lab arrays** (float, shape ``(..., 3)``, L* in [0, 100]) for the per-pixel
  color differences :func:`ciede2000` and :func:`deltae76` and for the
  colorization scores :func:`ab_rmse` and :func:`auc_ab`.
* **Images** (uint8 / uint16 / float RGB in the dtype's range, channels last,
  read through :func:`chroma._core.validate.to_float`; alpha is ignored) for
  everything else. Functions that work in CIELAB convert with
  :func:`chroma.convert` (D65, the same constants as scikit-image).

Two images are passed as ``metric(output, truth)``, the image being scored
first (``lightness_ssim`` and ``gradient_artifacts`` take ``(output, image)``:
the result and the input it was made from); they are positional-only.
Modules: :mod:`.difference` (ΔE), :mod:`.quality` (PSNR, SSIM,
colorfulness, structure kept, artifacts), :mod:`.distribution` (sliced
Wasserstein, EMD, Bhattacharyya), :mod:`.colorization` (a*b* RMSE, AuC),
:mod:`.temporal` (flicker of a frame sequence).
The benchmark harness's adapters are in :mod:`chroma.bench.adapters`.

Examples
--------
>>> lab1 = np.array([50.0, 2.6772, -79.7751])
>>> lab2 = np.array([50.0, 0.0, -82.7485])
>>> round(float(ciede2000(lab1, lab2)), 4)
2.0425
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (doctest namespace)

from chroma.metrics.colorization import ab_rmse, auc_ab, vivid_wrong
from chroma.metrics.difference import ciede2000, deltae76
from chroma.metrics.distribution import bhattacharyya_ab, emd_per_channel, sliced_wasserstein_lab
from chroma.metrics.quality import colorfulness, gradient_artifacts, lightness_ssim, psnr, ssim
from chroma.metrics.temporal import flicker, flicker_components

__all__ = [
    "ab_rmse",
    "auc_ab",
    "bhattacharyya_ab",
    "ciede2000",
    "colorfulness",
    "deltae76",
    "emd_per_channel",
    "flicker",
    "flicker_components",
    "gradient_artifacts",
    "lightness_ssim",
    "psnr",
    "sliced_wasserstein_lab",
    "ssim",
    "vivid_wrong",
]
