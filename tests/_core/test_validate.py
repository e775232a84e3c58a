import numpy as np
import pytest

from chroma._core.validate import (
    NotFittedError,
    check_fitted,
    check_image,
    check_mask,
    check_random_state,
    check_strength,
    from_float,
    to_float,
)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float16, np.float32, np.float64])
@pytest.mark.parametrize("channels", [None, 1, 2, 3, 4])
def test_to_float_restore_round_trip(dtype, channels, rng):
    shape = (5, 6) if channels is None else (5, 6, channels)
    if np.dtype(dtype).kind == "u":
        img = rng.integers(0, np.iinfo(dtype).max + 1, shape).astype(dtype)
    else:
        img = rng.random(shape).astype(dtype)
    before = img.copy()
    x, restore = to_float(img)
    assert x.dtype == np.float32 and x.ndim == 3 and x.shape[-1] in (1, 3)
    assert 0.0 <= x.min() and x.max() <= 1.0
    x[:] = 0.5  # the working copy is ours
    np.testing.assert_array_equal(img, before)
    x2, restore = to_float(img)
    out = restore(x2)
    expected_dtype = np.float32 if dtype == np.float16 else dtype
    assert out.dtype == expected_dtype and out.shape == img.shape
    np.testing.assert_allclose(out, img.astype(expected_dtype), atol=1e-6)
    if channels in (2, 4):  # alpha is carried, untouched
        np.testing.assert_array_equal(restore(np.zeros_like(x2))[..., -1], img[..., -1])


@pytest.mark.parametrize("channel_axis", [0, 1, -1, 2])
def test_channel_axis(channel_axis, rng):
    img = rng.random((4, 5, 3)).astype(np.float32)
    moved = np.moveaxis(img, -1, channel_axis)
    x, restore = to_float(moved, channel_axis=channel_axis)
    np.testing.assert_array_equal(x, img)
    np.testing.assert_array_equal(restore(x), moved)


def test_integer_output_is_rounded_not_truncated():
    out = from_float(np.array([0.4 / 255, 0.6 / 255, 254.7 / 255, 1.3, -0.2]), np.uint8)
    np.testing.assert_array_equal(out, [0, 1, 255, 255, 0])
    assert from_float(np.array([0.6 / 65535]), np.uint16)[0] == 1


def test_gray_to_rgb_comes_back_rgb():
    x, restore = to_float(np.zeros((3, 4), np.uint8), gray_to_rgb=True, channels=(3,))
    assert x.shape == (3, 4, 3)
    assert restore(x).shape == (3, 4, 3)


@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        ("photo.png", TypeError, "chroma.read_image"),
        (np.zeros((2, 2), bool), TypeError, "dtype bool"),
        (np.zeros((2, 2), np.int32), TypeError, "dtype int32"),
        (np.zeros((2, 2, 5)), ValueError, "channels"),
        (np.zeros((2, 2, 2, 3)), ValueError, "shape"),
        (np.zeros((0, 2, 3)), ValueError, "empty"),
        (np.full((2, 2, 3), np.nan), ValueError, "NaN"),
    ],
)
def test_check_image_errors_name_the_argument(image, error, match):
    with pytest.raises(error, match=match):
        check_image(image, name="image")
    with pytest.raises(error, match="`reference`|read_image"):
        check_image(image, name="reference")


def test_check_mask():
    np.testing.assert_array_equal(check_mask(np.array([[0, 255]], np.uint8), (1, 2)), [[0, 1]])
    with pytest.raises(ValueError, match="height and width"):
        check_mask(np.ones((3, 3)), (2, 2, 3))
    with pytest.raises(ValueError, match="NaN"):
        check_mask(np.array([[np.nan]]), (1, 1))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        check_mask(np.array([[2.0]]), (1, 1))


def test_strength_random_state_fitted():
    assert check_strength(0.25) == 0.25
    for bad in (-0.1, 1.1):
        with pytest.raises(ValueError, match="strength"):
            check_strength(bad)
    with pytest.raises(TypeError):
        check_strength("1")
    a = check_random_state(3).random(4)
    np.testing.assert_array_equal(a, check_random_state(3).random(4))
    with pytest.raises(TypeError, match="random_state"):
        check_random_state("seed")

    class Est:
        pass

    with pytest.raises(NotFittedError, match="Est is not fitted"):
        check_fitted(Est(), "thing_")
