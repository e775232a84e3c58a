import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from chroma.io import ImageReadError, read_image, write_image

SHAPES = st.sampled_from([(3, 4), (5, 3, 2), (4, 4, 3), (2, 7, 4)])


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), dtype=st.sampled_from([np.uint8, np.uint16]),
       ext=st.sampled_from([".png", ".tif"]), shape=SHAPES)
def test_lossless_round_trip_is_bit_exact(tmp_path_factory, data, dtype, ext, shape):
    img = data.draw(arrays(dtype, shape))
    path = tmp_path_factory.mktemp("rt") / f"img{ext}"
    write_image(path, img)
    back = read_image(path)
    assert back.dtype == img.dtype
    np.testing.assert_array_equal(back, img)


def test_16bit_png_with_alpha_read_write_read_bit_exact(tmp_path, rng):
    img = rng.integers(0, 65536, (13, 17, 4)).astype(np.uint16)
    write_image(tmp_path / "a.png", img)
    first = read_image(tmp_path / "a.png")
    write_image(tmp_path / "b.png", first)
    second = read_image(tmp_path / "b.png")
    assert first.dtype == second.dtype == np.uint16
    np.testing.assert_array_equal(first, img)
    np.testing.assert_array_equal(second, img)


def test_16bit_png_written_by_other_encoders(tmp_path, rng):
    import png

    img = rng.integers(0, 65536, (9, 11, 3)).astype(np.uint16)
    with open(tmp_path / "p.png", "wb") as fh:  # pypng uses adaptive row filters
        png.Writer(11, 9, bitdepth=16, greyscale=False).write(fh, img.reshape(9, -1).tolist())
    np.testing.assert_array_equal(read_image(tmp_path / "p.png"), img)


def test_float_is_written_as_16_bit(tmp_path):
    img = np.linspace(0, 1, 12, dtype=np.float32).reshape(2, 2, 3)
    write_image(tmp_path / "f.png", img)
    back = read_image(tmp_path / "f.png")
    assert back.dtype == np.uint16
    np.testing.assert_array_equal(back, np.rint(img * 65535).astype(np.uint16))


def test_jpeg_and_exif_orientation(tmp_path):
    from PIL import Image

    img = np.zeros((20, 40, 3), np.uint8)
    img[:, :20] = 255  # left half white
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    Image.fromarray(img).save(tmp_path / "r.jpg", exif=exif, quality=95)
    out = read_image(tmp_path / "r.jpg")
    assert out.shape == (40, 20, 3)
    assert out[:20].mean() > 200 and out[20:].mean() < 50  # left half is now on top


def test_refuses_to_overwrite(tmp_path):
    path = tmp_path / "x.png"
    write_image(path, np.zeros((2, 2), np.uint8))
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_image(path, np.ones((2, 2), np.uint8))
    assert read_image(path).max() == 0
    write_image(path, np.ones((2, 2), np.uint8), overwrite=True)
    assert read_image(path).max() == 1


def test_failed_write_leaves_nothing_behind(tmp_path):
    with pytest.raises(ValueError, match="JPEG has no alpha"):
        write_image(tmp_path / "x.jpg", np.zeros((2, 2, 4), np.uint8))
    with pytest.raises(ValueError, match="8 bits"):
        write_image(tmp_path / "x.jpg", np.zeros((2, 2, 3), np.uint16))
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (np.zeros((2, 2, 5), np.uint8), ValueError, "channels"),
        (np.zeros((2, 2), np.int64), TypeError, "dtype int64"),
        (np.zeros(4, np.uint8), ValueError, "shape"),
        ("not an array", TypeError, "NumPy array"),
    ],
)
def test_write_rejects_bad_arrays(tmp_path, image, error, match):
    with pytest.raises(error, match=match):
        write_image(tmp_path / "x.png", image)


def test_read_errors_name_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.png"):
        read_image(tmp_path / "missing.png")
    (tmp_path / "x.xyz").write_bytes(b"abc")
    with pytest.raises(ValueError, match="unknown extension '.xyz'"):
        read_image(tmp_path / "x.xyz")
    (tmp_path / "junk.png").write_bytes(b"this is not a png")
    with pytest.raises(ImageReadError, match="junk.png"):
        read_image(tmp_path / "junk.png")


def _truncated_png(tmp_path, rng):
    good = tmp_path / "good.png"
    write_image(good, rng.integers(0, 256, (64, 64, 3)).astype(np.uint8))
    bad = tmp_path / "bad.png"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return bad


def test_truncated_png_is_an_error(tmp_path, rng):
    with pytest.raises(ImageReadError, match="bad.png"):
        read_image(_truncated_png(tmp_path, rng))


def test_cli_corrupt_png_one_line_exit_2(tmp_path, rng):
    bad = _truncated_png(tmp_path, rng)
    proc = subprocess.run([sys.executable, "-m", "chroma.cli", "info", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.png" in lines[0] and "Traceback" not in proc.stderr
