"""chroma.bench.adapters: the benchmark harness's metric(output, image, reference) wrappers."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import color as skcolor

from chroma import metrics
from chroma.bench import adapters
from chroma.spaces import convert


def test_adapters_have_labels_and_agree_with_base_metrics():
    rng = np.random.default_rng(15)
    img = rng.integers(0, 256, (24, 32, 3)).astype(np.uint8)
    ref = rng.integers(0, 256, (20, 20, 3)).astype(np.uint8)
    out = np.clip(img.astype(int) + 10, 0, 255).astype(np.uint8)
    lab_o, lab_i = convert(out, "rgb", "lab"), convert(img, "rgb", "lab")
    de = skcolor.deltaE_ciede2000(lab_o.astype(np.float64), lab_i.astype(np.float64))
    assert adapters.ciede2000_mean_to_image(out, img, ref) == pytest.approx(de.mean(), rel=1e-6)
    assert adapters.ciede2000_max_to_image(out, img, ref) == pytest.approx(de.max(), rel=1e-6)
    assert adapters.sliced_wasserstein_to_reference(out, img, ref) == pytest.approx(
        metrics.sliced_wasserstein_lab(out, ref)
    )
    assert adapters.lightness_ssim_to_image(out, img, ref) == metrics.lightness_ssim(out, img)
    assert adapters.gradient_artifacts_vs_image(out, img, ref) == metrics.gradient_artifacts(
        out, img
    )
    names = [n for n in adapters.__all__ if n.endswith(("_image", "_reference"))]
    fns = [getattr(adapters, n) for n in names]
    fns.append(adapters.colorfulness_of_output)
    assert len(fns) == len(adapters.__all__)
    for fn in fns:
        assert isinstance(fn.label, str) and fn.better in ("lower", "higher")
        assert np.isfinite(fn(out, img, ref))
    with pytest.raises(ValueError, match="same height and width"):
        adapters.ciede2000_mean_to_image(out, ref, None)
