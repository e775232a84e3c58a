import json

import numpy as np
import pytest
from skimage.color import rgb2lab

from chroma.colorization.hints import (
    Hints,
    hints_from_scribble,
    parse_hints,
    read_hints,
    sample_hints,
    write_hints,
)
from chroma.io import write_image


@pytest.mark.parametrize(
    ("color", "expected"),
    [
        ("#ff0000", (255, 0, 0)),
        ("#FF8000", (255, 128, 0)),
        ("0a0b0c", (10, 11, 12)),
        ("#f0a", (255, 0, 170)),
        ("red", (255, 0, 0)),  # one parser (chroma.colors): names work in hints too
        ((1, 2, 3), (1, 2, 3)),
        ([0, 255, 7], (0, 255, 7)),
        (np.array([9, 8, 7], np.uint8), (9, 8, 7)),
        ((1.0, 0.5, 0.0), (255, 128, 0)),  # floats are 0-1
    ],
)
def test_hint_color_spellings(color, expected):
    h = parse_hints([(0, 0, color)], shape=(2, 2))
    np.testing.assert_array_equal(np.rint(h.rgb[0] * 255), expected)


@pytest.mark.parametrize(
    ("color", "err", "match"),
    [
        ("#ff00", ValueError, "hint 0 color"),
        ((256, 0, 0), ValueError, r"hint 0 color.*\[0, 255\]"),
        ((-1, 0, 0), ValueError, "hint 0 color"),
        ((2.0, 0.1, 0.2), ValueError, "hint 0 color"),
        ((1, 2), ValueError, "hint 0 color"),
        (None, TypeError, "hint 0 color"),
    ],
)
def test_hint_color_errors_name_the_hint(color, err, match):
    with pytest.raises(err, match=match):
        parse_hints([(0, 0, color)], shape=(2, 2))


def test_list_tuple_and_dict_forms_agree():
    pts = [(3, 1, "#ff0000"), (np.int64(0), 2, (0, 128, 255))]
    dicts = [{"x": 3, "y": 1, "color": "#ff0000"}, {"x": 0, "y": 2, "color": [0, 128, 255]}]
    a = parse_hints(pts, shape=(3, 4))
    b = parse_hints(dicts, shape=(3, 4))
    c = parse_hints({"hints": dicts}, shape=(3, 4, 3))
    for h in (a, b, c):
        np.testing.assert_array_equal(h.rows, [1, 2])  # y is the row
        np.testing.assert_array_equal(h.cols, [3, 0])  # x is the column
        np.testing.assert_array_equal(h.rgb8, [[255, 0, 0], [0, 128, 255]])
        assert h.shape == (3, 4)


def test_lab_matches_scikit_image():
    h = parse_hints([(0, 0, "#3080c0"), (1, 0, (250, 200, 10))])
    ref = rgb2lab(h.rgb8[None].astype(np.float64) / 255)[0]
    np.testing.assert_allclose(h.lab, ref, atol=2e-3)
    np.testing.assert_allclose(h.ab, ref[:, 1:], atol=2e-3)


@pytest.mark.parametrize(
    ("hints", "match"),
    [
        ([(4, 0, "#fff")], r"x=4, y=0 lies outside the image of width 4 and height 3"),
        ([(0, 3, "#fff")], "outside"),
        ([(-1, 0, "#fff")], "outside"),
        ([(1.5, 0, "#fff")], "integer pixel index"),
        ([(0, 0)], r"must be \(x, y, color\)"),
        ([{"x": 0, "color": "#fff"}], r"lacks the key\(s\) \['y'\]"),
        ({"points": []}, 'key "hints"'),
        ([(0, 0, "nope")], "hint 0 color"),
    ],
)
def test_bad_hints_raise_value_error(hints, match):
    with pytest.raises(ValueError, match=match):
        parse_hints(hints, shape=(3, 4))


@pytest.mark.parametrize("hints", [42, None, {1, 2}, [(True, 0, "#fff")]])
def test_bad_hint_types_raise_type_error(hints):
    with pytest.raises(TypeError):
        parse_hints(hints, shape=(3, 4))


def test_json_file_both_forms_and_round_trip(tmp_path):
    p1 = tmp_path / "h.json"
    p1.write_text(json.dumps({"hints": [{"x": 2, "y": 1, "color": "#00ff00"}]}))
    p2 = tmp_path / "bare.json"
    p2.write_text(json.dumps([[2, 1, [0, 255, 0]]]))
    a, b = read_hints(p1, shape=(4, 4)), parse_hints(str(p2), shape=(4, 4))
    assert a.to_points() == b.to_points() == [{"x": 2, "y": 1, "color": "#00ff00"}]
    out = tmp_path / "out.json"
    write_hints(out, [(0, 3, "#123456"), (1, 1, (7, 8, 9))])
    back = read_hints(out)
    assert back.to_points() == [
        {"x": 0, "y": 3, "color": "#123456"},
        {"x": 1, "y": 1, "color": "#070809"},
    ]
    with pytest.raises(FileExistsError):
        write_hints(out, back)
    write_hints(out, [], overwrite=True)
    assert len(read_hints(out)) == 0


def test_json_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such hints file"):
        read_hints(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        read_hints(bad)
    oob = tmp_path / "oob.json"
    oob.write_text(json.dumps([{"x": 9, "y": 0, "color": "#fff"}]))
    with pytest.raises(ValueError, match=r"oob\.json.*outside"):
        read_hints(oob, shape=(2, 2))


def test_rgba_scribble_png(tmp_path):
    s = np.zeros((5, 6, 4), np.uint8)
    s[1, 2] = (255, 0, 0, 255)
    s[3, 1:4] = (0, 0, 200, 10)  # faint alpha still counts
    path = tmp_path / "s.png"
    write_image(path, s)
    h = read_hints(path, shape=(5, 6))
    assert len(h) == 4
    np.testing.assert_array_equal(h.rows, [1, 3, 3, 3])
    np.testing.assert_array_equal(h.cols, [2, 1, 2, 3])
    np.testing.assert_array_equal(h.rgb8[0], [255, 0, 0])
    np.testing.assert_array_equal(h.rgb8[1:], [[0, 0, 200]] * 3)
    with pytest.raises(ValueError, match=r"height and width \(2, 2\), got \(5, 6\)"):
        read_hints(path, shape=(2, 2))
    with pytest.raises(ValueError, match="height and width"):
        parse_hints(str(path), shape=(5, 7))


def test_rgb_scribble_keeps_colored_pixels_only():
    rng = np.random.default_rng(0)
    gray = (rng.random((6, 7)) * 255).astype(np.uint8)
    s = np.repeat(gray[..., None], 3, axis=-1)  # strokes drawn over the gray photo
    s[2, 3] = (200, 40, 40)
    s[4, 5] = (40, 40, 200)
    h = hints_from_scribble(s)
    np.testing.assert_array_equal(h.rows, [2, 4])
    np.testing.assert_array_equal(h.cols, [3, 5])
    assert h.shape == (6, 7)


def test_scribble_array_must_match_image_shape():
    s = np.zeros((4, 4, 4), np.uint8)
    s[0, 0] = 255
    with pytest.raises(ValueError, match="height and width"):
        parse_hints(s, shape=(5, 4))
    with pytest.raises(ValueError, match="channels"):
        hints_from_scribble(np.zeros((4, 4), np.uint8))


def test_to_dense_disk_and_border():
    h = Hints.from_points([(5, 5, "#ff0000"), (0, 0, "#0000ff")], shape=(11, 11))
    ab, known = h.to_dense(radius=2)
    assert known[3:8, 3:8].sum() == 21  # the 21 pixels with dy^2 + dx^2 <= 5
    assert known[:3, :3].sum() == 8  # the quarter of that disk inside the image
    np.testing.assert_allclose(ab[5, 5], h.ab[0])
    np.testing.assert_allclose(ab[0, 0], h.ab[1])
    assert (ab[~known] == 0).all()
    _, known0 = h.to_dense(radius=0)
    assert known0.sum() == 2
    with pytest.raises(ValueError, match="radius"):
        h.to_dense(radius=-1)
    with pytest.raises(ValueError, match="shape"):
        Hints.from_points([(0, 0, "#fff")]).to_dense()


def test_sample_hints_takes_truth_colors():
    rng = np.random.default_rng(1)
    truth = (rng.random((12, 9, 3)) * 65535).astype(np.uint16)
    h = sample_hints(truth, 30, random_state=3)
    assert len(h) == 30 and h.shape == (12, 9)
    assert len(set(zip(h.rows.tolist(), h.cols.tolist()))) == 30  # no repeats
    np.testing.assert_allclose(h.rgb, truth[h.rows, h.cols] / 65535, atol=1e-6)
    again = sample_hints(truth, 30, random_state=3)
    np.testing.assert_array_equal(h.rows, again.rows)
    assert len(sample_hints(truth, 0)) == 0
    with pytest.raises(ValueError, match=r"\[0, 108\]"):
        sample_hints(truth, 109)
