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


# the round trip's inverse roots (first guess from the bits, two third-order Newton steps)
_ROOT_X = np.concatenate([np.geomspace(1e-3, 1e3, 4001), np.geomspace(1e-300, 1e300, 601),
                          [0.0031308, 0.008856, 0.0905213, 1.0, 2.0, 3.4e38]])


def _root(x, q):
    """x ** (-1/q) in extended precision (float64's -1/q is off by enough to matter at 1e300)."""
    return (x.astype(np.longdouble) ** (-np.longdouble(1) / q)).astype(np.float64)


def test_rcbrt_pos_and_rroot5_pos_are_float64_rounding(rng):
    x = np.concatenate([_ROOT_X, rng.random(3000) * 1.25 + 1e-3])
    np.testing.assert_allclose(_vec(K.rcbrt_pos, x), _root(x, 3), rtol=2e-15, atol=0)
    np.testing.assert_allclose(_vec(K.rroot5_pos, x), _root(x, 5), rtol=2e-15, atol=0)


def test_rroot12_pos_is_within_1e_10(rng):
    x = np.concatenate([_ROOT_X, rng.random(3000) + 1e-3])
    np.testing.assert_allclose(_vec(K.rroot12_pos, x), _root(x, 12), rtol=1e-10, atol=0)


def _exact_decode(v):
    return np.where(v > 0.04045, ((np.maximum(v, 0.04045) + 0.055) / 1.055) ** 2.4, v / 12.92)


def _exact_encode(v):
    return np.where(v > 0.0031308, 1.055 * np.maximum(v, 0.0031308) ** (1 / 2.4) - 0.055,
                    12.92 * v)


def _around(*knots):
    """Each knot and its float64 neighbours a few ulps and 1e-9 away."""
    k = np.array(knots)
    return np.concatenate([k, np.nextafter(k, -1), np.nextafter(k, 2), k - 1e-9, k + 1e-9])


def test_round_trip_helpers_at_their_branches_and_out_of_range(rng):
    # sRGB decoding: the knee, 0, 1 and outside [0, 1] (float input may be anything finite)
    v = np.concatenate([_around(0.04045, 0.0, 1.0), np.linspace(-2, 3, 2001), [1e30, -1e30]])
    np.testing.assert_allclose(_vec(K._decode_any, v), _exact_decode(v), rtol=1e-14, atol=1e-17)
    # CIELAB's f: its knee, 0, 1, negative and large t
    t = np.concatenate([_around(0.008856, 0.0, 1.0), np.linspace(-1, 50, 2001)])
    f = np.where(t > 0.008856, np.cbrt(np.maximum(t, 0.008856)), 7.787 * t + 16 / 116)
    np.testing.assert_allclose(_vec(K._f_any, t), f, rtol=1e-14, atol=1e-16)
    # sRGB encoding: its knee, 0, 1, negative and large (out-of-gamut) linear values; v w^7
    # multiplies rroot12_pos's error by 7 (< 5e-10, 100x below float32's resolution)
    e = np.concatenate([_around(0.0031308, 0.0, 1.0), np.linspace(-1, 20, 2001)])
    np.testing.assert_allclose(_vec(K._encode_any, e), _exact_encode(e), rtol=5e-10, atol=1e-16)
