"""The fused Reinhard passes (CIELAB and lαβ) equal the step-by-step door path."""

import numpy as np
import pytest

from chroma.transfers import ReinhardTransfer
from chroma.transfers import reinhard as R


def _door(monkeypatch, space, ref, img, **kw):
    """The unfused result: conversions through the door, statistics on float32 pixels."""
    with monkeypatch.context() as m:
        m.setattr(R.ReinhardTransfer, "_fast_ok", lambda self: False)
        return ReinhardTransfer(space=space, **kw).fit(ref).transform(img)


@pytest.mark.parametrize("space", ["lab", "lalphabeta"])
@pytest.mark.parametrize("dtype", ["uint8", "uint16", "float32"])
def test_fused_equals_door_path(rng, monkeypatch, space, dtype):
    img = rng.integers(0, 256, (200, 150, 3)).astype(np.uint8)  # 30 Ki pixels: the kernels
    ref = rng.integers(10, 200, (160, 180, 3)).astype(np.uint8)
    if dtype == "uint16":
        img, ref = img.astype(np.uint16) * 257, ref.astype(np.uint16) * 257
    elif dtype == "float32":
        img, ref = img / np.float32(255), ref / np.float32(255)
    new = ReinhardTransfer(space=space).fit(ref).transform(img)
    old = _door(monkeypatch, space, ref, img)
    assert new.dtype == old.dtype == img.dtype
    diff = np.abs(new.astype(np.float64) - old)
    if dtype == "float32":
        assert diff.max() <= 1e-5
    else:
        assert diff.max() <= 1 and (diff > 0).mean() < 0.01
    assert not np.array_equal(new, img)  # the transfer did something


def test_fused_lalphabeta_alpha_strength_and_twins(rng, monkeypatch):
    img = rng.integers(0, 256, (140, 130, 4)).astype(np.uint8)
    ref = rng.integers(10, 200, (90, 90, 3)).astype(np.uint8)
    new = ReinhardTransfer(space="lalphabeta", strength=0.5).fit(ref).transform(img)
    old = _door(monkeypatch, "lalphabeta", ref, img, strength=0.5)
    np.testing.assert_array_equal(new[..., 3], img[..., 3])
    assert np.abs(new.astype(int) - old).max() <= 1
    # the kernel and its NumPy twin agree on the moments
    x2d = img.reshape(-1, 4)
    from chroma.transfers._blocks import lab_partials, mean_std

    mean, std = mean_std(lab_partials(x2d, None, 1 / 255, None, "lalphabeta", kernel=True))
    mean_np, std_np = R._np_lab_moments(x2d, 1 / 255, None, "lalphabeta")
    np.testing.assert_allclose(mean, mean_np, atol=1e-6)
    np.testing.assert_allclose(std, std_np, rtol=1e-5)


def test_uint8_levels_are_the_exactly_rounded_srgb_encoding(rng):
    # the uint8 affine pass reads levels from a threshold table instead of encoding: it must
    # give floor(encode(v) * 255 + 0.5) with the exact sRGB encoding, also right next to each
    # threshold and in the linear toe where thresholds are closest
    from chroma.transfers import _reinhard_kernels as K

    thr = K._quant_table()[:, 0]
    thr = thr[thr < 2.0]
    assert thr.size == 255  # one threshold per level step
    v = np.concatenate([rng.random(20000), rng.random(5000) * 0.01, [0.0, 1.0, -0.5, 1.5],
                        thr * (1 - 1e-9), thr * (1 + 1e-9)])
    c = np.clip(v, 0, 1)
    want = np.where(c > 0.0031308, 1.055 * c ** (1 / 2.4) - 0.055, 12.92 * c)
    want = np.floor(want * 255 + 0.5)
    got = np.array([K._level8(float(t), K._Q8) for t in v])
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.unique(want), np.arange(256))  # every level was reached
