"""The one color parser (chroma.colors)."""

import numpy as np
import pytest

from chroma.colors import NAMED_COLORS, parse_color, parse_colors, to_hex


@pytest.mark.parametrize("spelling", ["#f00", "#ff0000", "f00", "FF0000", " #FF0000 ", "red",
                                      "Red", (255, 0, 0), (1.0, 0.0, 0.0), [255, 0, 0],
                                      np.array([255, 0, 0], np.uint8), np.array([1.0, 0, 0])])
def test_every_spelling_of_red(spelling):
    np.testing.assert_array_equal(parse_color(spelling), [1.0, 0.0, 0.0])
    assert parse_colors(spelling).shape == (1, 3)


def test_the_type_decides_the_range():
    np.testing.assert_allclose(parse_color((1, 0, 0)), [1 / 255, 0, 0])  # ints: 0..255
    np.testing.assert_allclose(parse_color((1.0, 0.0, 0.0)), [1, 0, 0])  # floats: 0..1
    with pytest.raises(ValueError, match="pass ints for 0-255"):
        parse_color((255.0, 0.0, 0.0))
    with pytest.raises(ValueError, match=r"integer RGB values must lie in \[0, 255\]"):
        parse_color((256, 0, 0))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        parse_color((-0.1, 0.0, 0.0))


def test_lists_mixed_forms_and_round_trip():
    got = parse_colors(["#102030", "navy", (0, 128, 0), (0.0, 0.0, 1.0)], name="stops")
    assert got.shape == (4, 3) and got.dtype == np.float64
    assert to_hex(got) == ["#102030", "#000080", "#008000", "#0000ff"]
    for name, code in NAMED_COLORS.items():
        assert to_hex(parse_color(name)) == [code]
    assert parse_colors(np.zeros((5, 3), np.uint8)).shape == (5, 3)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="`background` has '#ff00'"):
        parse_color("#ff00", name="background")
    with pytest.raises(ValueError, match="`colors` has 'reddish'"):
        parse_colors(["red", "reddish"])
    with pytest.raises(TypeError, match="`color` must be hex strings"):
        parse_color(None)
    with pytest.raises(TypeError, match="`color` must be"):
        parse_color({"r": 1})
    with pytest.raises(ValueError, match="`color` must be one color, got 2"):
        parse_color([[0, 0, 0], [255, 255, 255]])
    with pytest.raises(ValueError, match=r"shape \(3,\) or \(K, 3\)"):
        parse_colors([1, 2], name="colors")
    with pytest.raises(TypeError, match="not bools"):
        parse_color((True, 0, 0))
    with pytest.raises(TypeError, match="`color` must be"):
        parse_color(np.array([True, False, False]))
    with pytest.raises(ValueError, match="empty"):
        parse_colors([])
    with pytest.raises(ValueError, match="NaN|\\[0, 1\\]"):
        parse_color((np.nan, 0.0, 0.0))
