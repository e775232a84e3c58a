import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage import color

from chroma import spaces
from chroma.spaces import SPACES, convert

BACKENDS = ["numpy", "numba"]


@pytest.fixture(scope="module")
def grid():
    """A dense sRGB grid: 65^3 = 274 625 colors, corners and edges included."""
    g = np.linspace(0, 1, 65)
    return np.stack(np.meshgrid(g, g, g, indexing="ij"), -1).reshape(-1, 3)


@pytest.mark.parametrize("backend", BACKENDS)
def test_lab_agrees_with_skimage(grid, backend):
    ours = convert(grid, "rgb", "lab", backend=backend)
    assert ours.dtype == np.float32
    delta_e = np.linalg.norm(ours - color.rgb2lab(grid), axis=-1)
    assert delta_e.max() < 1e-4


@pytest.mark.parametrize("backend", BACKENDS)
def test_lab_agrees_with_skimage_on_random_colors(backend):
    """Random colors hit what a grid misses (e.g. the sRGB knee at 0.04045)."""
    x = np.random.default_rng(1).random((200_000, 3))
    x[:50_000] *= 0.06  # dense near black and the knee
    delta_e = np.linalg.norm(convert(x, "rgb", "lab", backend=backend) - color.rgb2lab(x), axis=-1)
    assert delta_e.max() < 1e-4


@pytest.mark.parametrize("backend", BACKENDS)
def test_out_of_range_float_input_is_exact(backend):
    x = np.array([[1.5, -0.2, 0.5], [2.0, 2.0, 2.0]] * 10000)
    np.testing.assert_allclose(convert(x, "rgb", "lab", backend=backend),
                               convert(x, "rgb", "lab", backend="numpy"), atol=1e-4)
    lab = np.array([[50, 150, -150], [100, -120, 120]] * 10000, dtype=float)
    np.testing.assert_allclose(convert(lab, "lab", "rgb", backend=backend, clip=False),
                               convert(lab, "lab", "rgb", backend="numpy", clip=False), atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_lab_to_rgb_agrees_with_skimage(grid, backend):
    lab = color.rgb2lab(grid)
    np.testing.assert_allclose(convert(lab, "lab", "rgb", backend=backend),
                               color.lab2rgb(lab), atol=2e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_other_spaces_agree_with_skimage(grid, backend):
    x = grid[::7]
    np.testing.assert_allclose(convert(x, "rgb", "xyz", backend=backend), color.rgb2xyz(x),
                               atol=2e-6)
    lch_ref = color.lab2lch(color.rgb2lab(x))
    lch = convert(x, "rgb", "lch", backend=backend)
    np.testing.assert_allclose(lch[:, :2], lch_ref[:, :2], atol=1e-4)
    colorful = lch_ref[:, 1] > 1  # hue is defined only where there is chroma
    dh = (lch[colorful, 2] - np.degrees(lch_ref[colorful, 2]) + 180) % 360 - 180
    assert np.abs(dh).max() < 1e-3
    # skimage's YCbCr is studio swing (Y in [16, 235], Cb/Cr in [16, 240]) on [0, 255]
    ycc = convert(x, "rgb", "ycbcr", backend=backend)
    ref = color.rgb2ycbcr(x)
    np.testing.assert_allclose(16 + 219 * ycc[:, 0], ref[:, 0], atol=1e-3)
    np.testing.assert_allclose(128 + 224 * ycc[:, 1:], ref[:, 1:], atol=1e-3)


def test_lalphabeta_matches_reinhard_definition(grid):
    x = grid[::11]
    lin = color.rgb2xyz(x) @ np.linalg.inv(spaces.XYZ_FROM_LINEAR).T  # skimage's linearization
    lms = lin @ np.array([[0.3811, 0.5783, 0.0402], [0.1967, 0.7244, 0.0782],
                          [0.0241, 0.1288, 0.8444]]).T
    L, M, S = np.log10(lms + 1e-4).T
    expected = np.stack([(L + M + S) / np.sqrt(3), (L + M - 2 * S) / np.sqrt(6),
                         (L - M) / np.sqrt(2)], -1)
    for backend in BACKENDS:
        np.testing.assert_allclose(convert(x, "rgb", "lalphabeta", backend=backend), expected,
                                   atol=2e-5)


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("backend", BACKENDS)
def test_round_trips(grid, space, backend):
    there = convert(grid, "rgb", space, backend=backend)
    back = convert(there, space, "rgb", backend=backend)
    np.testing.assert_allclose(back, grid, atol=2e-5)


@pytest.mark.parametrize("step", sorted(spaces._NUMPY_STEPS))
def test_each_kernel_equals_its_numpy_twin(step, rng):
    from chroma.spaces import _kernels as _spaces_kernels
    src = {"lab_to_xyz": [100, 128, 128], "lab_to_srgb": [100, 128, 128],
           "lab_to_lch": [100, 128, 128], "lch_to_lab": [100, 150, 360],
           "lalphabeta_to_linear": [1, 1, 1]}.get(step, [1, 1, 1])
    offset = {"lab_to_xyz": [0, -64, -64], "lab_to_srgb": [0, -64, -64],
              "lab_to_lch": [0, -64, -64], "lalphabeta_to_linear": [-2, -0.5, -0.5]}
    x = (rng.random((5000, 3)) * np.array(src) + offset.get(step, 0)).astype(np.float32)
    twin = spaces._NUMPY_STEPS[step](x.astype(np.float64)).astype(np.float32)
    kernel = _spaces_kernels.run(step, x)
    np.testing.assert_allclose(kernel, twin, rtol=1e-5, atol=1e-5)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(1, 6), st.integers(1, 6), st.just(3)),
              elements=st.floats(0, 1, width=32)))
def test_round_trip_property(img):
    for space in ("lab", "lch", "lalphabeta", "ycbcr", "xyz"):
        back = convert(convert(img, "rgb", space), space, "rgb")
        np.testing.assert_allclose(back, img, atol=3e-5)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_integer_input_is_srgb_scaled(dtype, rng):
    img = rng.integers(0, np.iinfo(dtype).max + 1, (8, 9, 3)).astype(dtype)
    expected = convert(img.astype(np.float64) / np.iinfo(dtype).max, "rgb", "lab")
    np.testing.assert_allclose(convert(img, "rgb", "lab"), expected, atol=1e-4)


def test_channel_axis_and_named_helpers(rng):
    img = rng.random((3, 4, 5)).astype(np.float32)  # channels first
    out = spaces.rgb2lab(img, channel_axis=0)
    assert out.shape == img.shape
    np.testing.assert_allclose(np.moveaxis(out, 0, -1),
                               convert(np.moveaxis(img, 0, -1), "rgb", "lab"), atol=1e-5)
    assert spaces.lab2rgb.__name__ == "lab2rgb"


def test_rgb_output_clipped_unless_asked(rng):
    lab = np.array([[50.0, 120.0, -120.0]])
    assert convert(lab, "lab", "rgb").min() >= 0
    assert convert(lab, "lab", "rgb", clip=False).min() < 0


def test_kernel_clip_equals_clipping_after(rng):
    # lab -> rgb clips inside the fused kernel (one pass); the same values as clipping after,
    # for out-of-gamut colors and for ones beyond the tables (the exact fallback)
    lab = np.concatenate([rng.uniform([0, -128, -128], [100, 128, 128], (40_000, 3)),
                          [[100.0, 127.0, 127.0], [100.0, -127.0, 0.0], [0.0, 0.0, 0.0]]])
    raw = convert(lab, "lab", "rgb", clip=False, backend="numba")
    assert raw.min() < 0 and raw.max() > 1
    np.testing.assert_array_equal(convert(lab, "lab", "rgb", backend="numba"),
                                  np.clip(raw, 0, 1))


def test_nan_is_refused_without_a_separate_pass(rng):
    x = rng.random((200, 200, 3)).astype(np.float32)
    x[7, 9, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        convert(x, "rgb", "lab")
    x[7, 9, 1] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        convert(x, "lab", "rgb")
    big = np.full((4, 3), 3e38, np.float32)  # finite, though their sum overflows
    convert(big, "xyz", "lab")  # accepted: no ValueError


def test_errors():
    with pytest.raises(ValueError, match="'hsv' is not a color space"):
        convert(np.zeros((2, 3)), "rgb", "hsv")
    with pytest.raises(ValueError, match="3 channels"):
        convert(np.zeros((2, 2, 4)), "rgb", "lab")
    with pytest.raises(TypeError, match="integer input is read as sRGB"):
        convert(np.zeros((2, 3), np.uint8), "lab", "rgb")
    with pytest.raises(ValueError, match="NaN"):
        convert(np.full((2, 3), np.nan), "rgb", "lab")


def test_float_round_trip_kernels_at_the_branches(rng):
    """The vectorized float32 pair against the float64 twins next to every branch point."""
    knots = np.array([0.0, 0.04045, 1.0, 0.5])
    near = np.concatenate([knots, np.nextafter(knots.astype(np.float32), -1),
                           np.nextafter(knots.astype(np.float32), 2)]).astype(np.float32)
    x = np.stack(np.meshgrid(near, near, near, indexing="ij"), -1).reshape(-1, 3)
    x = np.concatenate([x, rng.uniform(-0.5, 1.5, (20_000, 3))]).astype(np.float32)
    lab = convert(x, "rgb", "lab", backend="numba")
    np.testing.assert_allclose(lab, convert(x, "rgb", "lab", backend="numpy"), atol=2e-5)
    # L* whose f(Y) straddles the knee 0.2068966, and a*, b* far out of gamut
    lab = np.concatenate([lab, rng.uniform([-5, -200, -200], [105, 200, 200], (20_000, 3)),
                          [[8.0, 0.0, 0.0], [7.99999, 0.0, 0.0], [8.00001, 0.0, 0.0]]])
    for clip in (False, True):
        np.testing.assert_allclose(convert(lab, "lab", "rgb", backend="numba", clip=clip),
                                   convert(lab, "lab", "rgb", backend="numpy", clip=clip),
                                   rtol=1e-6, atol=1e-6)


def test_float_round_trip_kernels_refuse_overlapping_buffers():
    from chroma.spaces import _kernels as _spaces_kernels
    x = np.zeros((100, 3), np.float32)
    with pytest.raises(ValueError, match="must not overlap"):
        _spaces_kernels._KERNELS["srgb_to_lab"](x, x)
    with pytest.raises(ValueError, match="must not overlap"):
        _spaces_kernels._KERNELS["lab_to_srgb"](x, x[::-1], True)


@pytest.mark.parametrize("where", [0, 150_000, -1])  # first, a middle chunk, last value
def test_fused_kernels_refuse_a_nan_anywhere(where, rng):
    """The fused pair checks finiteness in its own pass: every chunk's answer counts."""
    x = rng.random((300_000, 3)).astype(np.float32)
    for src, dst, bad in (("rgb", "lab", np.nan), ("lab", "rgb", -np.inf)):
        y = x.copy()
        y.reshape(-1)[where * 3 + 1 if where >= 0 else where] = bad
        with pytest.raises(ValueError, match="NaN or infinite"):
            convert(y, src, dst, backend="numba")
    convert(x, "rgb", "lab", backend="numba")  # finite: accepted


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_float64_beyond_float32_is_not_called_infinite():
    x = np.full((20_000, 3), 0.5)
    x[7, 1] = 1e300  # finite in float64, infinite once cast to float32 (as before: no error)
    assert convert(x, "rgb", "lab", backend="numba").shape == x.shape


def test_a_second_process_loads_the_round_trip_kernels_from_the_cache(tmp_path):
    """The loop_body bodies are called by their module-global names, so the parallel kernels'
    cache index is the same in every process (a closure over a dispatcher would not be)."""
    import os
    import subprocess
    import sys
    code = ("import numpy as np\nfrom chroma.spaces import convert\n"
            "x = np.random.default_rng(0).random((20000, 3)).astype(np.float32)\n"
            "convert(convert(x, 'rgb', 'lab', backend='numba'), 'lab', 'rgb', backend='numba')\n")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "NUMBA_DEBUG_CACHE": "1",
           "PYTHONPATH": os.getcwd()}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, check=True).stdout for _ in range(2)]
    for name in ("_srgb_to_lab_simd", "_lab_to_srgb_simd"):
        assert any(name in line and "data saved" in line for line in runs[0].splitlines())
        loaded = [line for line in runs[1].splitlines() if name in line]
        assert loaded and not any("data saved" in line for line in loaded)
        assert any("data loaded" in line for line in loaded)
