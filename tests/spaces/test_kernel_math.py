"""The call-free math of the Numba kernels (cube root, ln, exp) against NumPy's."""

import numpy as np

from chroma.spaces import _kernels as K


def _vec(fn, x):
    return np.array([fn(float(v)) for v in x])


def test_cbrt_unit_is_cbrt_to_rounding_on_its_range(rng):
    t = np.concatenate([np.geomspace(1e-3, 1.25, 3000), rng.random(2000) * 1.25 + 1e-3])
    np.testing.assert_allclose(_vec(K.cbrt_unit, t), np.cbrt(t), rtol=1e-14, atol=0)


def test_ln_pos_is_log_to_rounding(rng):
    # LMS + 1e-4 (lαβ) spans [1e-4, 1.3]; far values too (float input can exceed 1)
    x = np.concatenate([np.geomspace(1e-4, 1.3, 3000), rng.random(2000) + 1e-4,
                        [1.0, 2.0, np.sqrt(2.0), 1e-300, 1e300]])
    np.testing.assert_allclose(_vec(K.ln_pos, x), np.log(x), rtol=1e-14, atol=4e-15)
    assert K.ln_pos(1.0) == 0.0


def test_exp_clamped_is_exp_to_rounding_and_clamps(rng):
    y = np.concatenate([np.linspace(-30, 5, 3001), rng.normal(0, 3, 2000), [0.0, -700, 700]])
    np.testing.assert_allclose(_vec(K.exp_clamped, y), np.exp(y), rtol=1e-13)
    assert K.exp_clamped(-1e9) == K.exp_clamped(-700.0) > 0  # no underflow to 0, no NaN
    assert np.isfinite(K.exp_clamped(1e9)) and K.exp_clamped(1e9) == K.exp_clamped(700.0)
