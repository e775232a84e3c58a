"""read_image against hostile files: bombs, truncations, lies, odd layouts (issue 16)."""

import importlib.util
import struct
from pathlib import Path

import numpy as np
import pytest

from chroma import io as cio
from chroma.cli import main
from chroma.io import ImageReadError, read_image, set_max_pixels, write_image

_spec = importlib.util.spec_from_file_location(
    "make_corpus", Path(__file__).parent / "hostile" / "make_corpus.py")
make_corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_corpus)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus.make_corpus(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def cap():
    previous = set_max_pixels(None)
    yield
    set_max_pixels(previous)


REFUSED = [name for name, (_, expected) in make_corpus.CASES.items() if expected == "refuse"]
READ = [name for name, (_, expected) in make_corpus.CASES.items() if expected == "read"]


@pytest.mark.parametrize("name", REFUSED)
def test_hostile_file_is_refused_naming_it(corpus, name, cap):
    path, _ = corpus[name]
    with pytest.raises(ImageReadError) as info:
        read_image(path)
    message = str(info.value)
    assert name in message
    assert "\n" not in message


@pytest.mark.parametrize("name", READ)
def test_unusual_but_valid_file_is_read(corpus, name, cap):
    img = read_image(corpus[name][0])
    assert img.dtype in (np.uint8, np.uint16) and img.size > 0


@pytest.mark.parametrize("name", [n for n in REFUSED if "bomb" in n])
def test_bombs_are_refused_from_the_header(corpus, name, cap):
    with pytest.raises(ImageReadError, match="over the limit of 178,956,970"):
        read_image(corpus[name][0])


def test_short_pixel_stream_is_not_zero_filled(corpus, cap):
    # the 8-bit PNG whose zlib stream is complete but holds 8 of 64 rows used to
    # come back with 56 black rows and no error
    for name in ("png_short_stream.png", "png16_short_stream.png", "png8_lie_10000.png"):
        with pytest.raises(ImageReadError, match="rows are missing"):
            read_image(corpus[name][0])


def test_truncated_file_of_every_writable_format(tmp_path, rng, cap):
    img = rng.integers(0, 256, (48, 40, 3)).astype(np.uint8)
    for ext in cio.WRITE_EXTENSIONS:
        good = tmp_path / f"good{ext}"
        write_image(good, img)
        bad = tmp_path / f"bad{ext}"
        data = good.read_bytes()
        bad.write_bytes(data[: len(data) * 2 // 3])
        with pytest.raises(ImageReadError, match=f"bad{ext}"):
            read_image(bad)


def test_16_bit_truncated_png_is_an_error(tmp_path, rng, cap):
    img = rng.integers(0, 65536, (32, 32, 3)).astype(np.uint16)
    write_image(tmp_path / "a.png", img)
    data = (tmp_path / "a.png").read_bytes()
    (tmp_path / "b.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageReadError, match="truncated"):
        read_image(tmp_path / "b.png")


@pytest.mark.parametrize(("ext", "dtype"), [
    (".png", np.uint8), (".png", np.uint16), (".tif", np.uint8), (".tif", np.uint16),
    (".jpg", np.uint8), (".bmp", np.uint8), (".webp", np.uint8)])
def test_cap_applies_to_every_format_and_depth(tmp_path, ext, dtype, cap):
    path = tmp_path / f"x{ext}"
    write_image(path, np.zeros((20, 30, 3), dtype))
    assert read_image(path, max_pixels=600).shape == (20, 30, 3)
    with pytest.raises(ImageReadError, match="20 = 600 pixels, over the limit of 599"):
        read_image(path, max_pixels=599)
    set_max_pixels(599)
    with pytest.raises(ImageReadError, match="over the limit of 599"):
        read_image(path)


def test_cap_from_environment_and_its_errors(tmp_path, monkeypatch, cap):
    path = tmp_path / "x.png"
    write_image(path, np.zeros((10, 10), np.uint8))
    monkeypatch.setenv("CHROMA_MAX_PIXELS", "99")
    assert cio.get_max_pixels() == 99
    with pytest.raises(ImageReadError, match="over the limit of 99"):
        read_image(path)
    set_max_pixels(100)  # the setter wins over the environment
    assert read_image(path).shape == (10, 10)
    set_max_pixels(None)
    monkeypatch.setenv("CHROMA_MAX_PIXELS", "lots")
    with pytest.raises(ValueError, match="CHROMA_MAX_PIXELS"):
        read_image(path)
    with pytest.raises(TypeError, match="`n` must be an int"):
        set_max_pixels(1.5)
    with pytest.raises(ValueError, match="`max_pixels` must be at least 1"):
        read_image(path, max_pixels=0)


def test_raising_the_cap_above_pillows_limit_reads(tmp_path, cap):
    # Pillow refuses above its own limit at open; a raised chroma cap must rule instead
    from PIL import Image

    path = tmp_path / "x.png"
    write_image(path, np.zeros((10, 10, 3), np.uint8))
    old = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = 20  # as if Pillow's limit were tiny
        assert read_image(path, max_pixels=100).shape == (10, 10, 3)
    finally:
        Image.MAX_IMAGE_PIXELS = old


def test_png_color_key_becomes_alpha(corpus, cap):
    rgb = read_image(corpus["png_trns_rgb.png"][0])
    assert rgb.shape == (2, 4, 4) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb[0, :, 3], 0)  # the red row is the key
    np.testing.assert_array_equal(rgb[1, :, 3], 255)
    np.testing.assert_array_equal(rgb[1, 0, :3], [0, 255, 0])
    gray = read_image(corpus["png_trns_gray.png"][0])
    assert gray.shape == (2, 4, 2)
    np.testing.assert_array_equal(gray[..., 1], [[0, 255, 255, 255], [255, 255, 0, 0]])
    rgb16 = read_image(corpus["png16_trns_rgb.png"][0])
    assert rgb16.dtype == np.uint16
    np.testing.assert_array_equal(rgb16[0, :, 3], [0, 65535, 0])
    gray16 = read_image(corpus["png16_trns_gray.png"][0])
    np.testing.assert_array_equal(gray16, [[[7, 0], [60000, 65535], [7, 0]]])


def test_pillow_written_color_key_png(tmp_path, cap):
    from PIL import Image

    img = np.zeros((3, 3, 3), np.uint8)
    img[1, 1] = (10, 20, 30)
    Image.fromarray(img).save(tmp_path / "k.png", transparency=(10, 20, 30))
    back = read_image(tmp_path / "k.png")
    assert back.shape == (3, 3, 4)
    assert back[1, 1, 3] == 0 and (back[..., 3].sum() == 8 * 255)


def test_interlaced_png_is_checked_and_read(tmp_path, cap):
    import png

    img = (np.arange(7 * 5 * 3) % 251).astype(np.uint8).reshape(7, 5, 3)
    with open(tmp_path / "i.png", "wb") as fh:
        png.Writer(5, 7, greyscale=False, interlace=True).write(fh, img.reshape(7, -1).tolist())
    np.testing.assert_array_equal(read_image(tmp_path / "i.png"), img)
    data = (tmp_path / "i.png").read_bytes()
    cut = make_corpus.png_bytes(5, 7, interlace=1, raw=b"\x00" * 20)
    (tmp_path / "j.png").write_bytes(cut)
    with pytest.raises(ImageReadError, match="rows are missing"):
        read_image(tmp_path / "j.png")
    assert data[:8] == make_corpus.PNG_MAGIC


def test_low_bit_depth_gray_png_reads(tmp_path, cap):
    import png

    rows = [[0, 1, 2, 3], [3, 2, 1, 0]]
    with open(tmp_path / "g2.png", "wb") as fh:
        png.Writer(4, 2, greyscale=True, bitdepth=2).write(fh, rows)
    np.testing.assert_array_equal(read_image(tmp_path / "g2.png"),
                                  np.array(rows) * 85)


def test_tiff_layouts(tmp_path, cap):
    import tifffile

    planar = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(3, 2, 3)
    tifffile.imwrite(tmp_path / "p.tif", planar, photometric="rgb", planarconfig="separate")
    np.testing.assert_array_equal(read_image(tmp_path / "p.tif"), np.moveaxis(planar, 0, -1))
    f = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    tifffile.imwrite(tmp_path / "f.tif", f)
    np.testing.assert_array_equal(read_image(tmp_path / "f.tif"), f)
    tifffile.imwrite(tmp_path / "c.tif", np.zeros((64, 64, 3), np.uint8) + 9, compression="zlib")
    assert read_image(tmp_path / "c.tif").max() == 9


def test_tiff_refusals_say_what_is_wrong(corpus, cap):
    with pytest.raises(ImageReadError, match="5 samples per pixel"):
        read_image(corpus["tiff_5_channels.tif"][0])
    with pytest.raises(ImageReadError, match="stack of 3 pages"):
        read_image(corpus["tiff_3_pages.tif"][0])
    with pytest.raises(ImageReadError, match="int16"):
        read_image(corpus["tiff_int16.tif"][0])
    with pytest.raises(ImageReadError, match="truncated"):
        read_image(corpus["tiff_strip_lie.tif"][0])


def test_not_a_regular_file(tmp_path, cap):
    import os

    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)  # reading would block forever
    with pytest.raises(ImageReadError, match="not a regular file"):
        read_image(fifo)


@pytest.mark.parametrize("name", ["tiff_5_channels.tif", "tiff_3_pages.tif",
                                  "png16_bomb_14000.png", "png_short_stream.png",
                                  "png_bad_crc.png", "empty.tif", "text_as.jpg"])
def test_cli_info_on_hostile_file_one_line_exit_2(corpus, name, capsys, cap):
    assert main(["info", str(corpus[name][0])]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert name in err and "Traceback" not in err and "error: 5" not in err


@pytest.mark.parametrize("command", [
    ["transfer", "{f}", "{f}", "-o", "{out}.png"],
    ["tone", "{f}", "--sepia", "-o", "{out}.png"],
    ["splash", "{f}", "--hue", "40:30", "-o", "{out}.png"],
    ["palette", "{f}"],
    ["mask", "{f}", "--hue", "40:30", "-o", "{out}.png"],
    ["recolor", "{f}", "--replace", "#ff0000:#0000ff", "-o", "{out}.png"],
])
@pytest.mark.parametrize("name", ["png_short_stream.png", "png8_bomb_20000.png",
                                  "tiff_5_channels.tif", "png_truncated.png"])
def test_cli_commands_on_hostile_files(corpus, tmp_path, command, name, capsys, cap):
    args = [a.format(f=corpus[name][0], out=tmp_path / "out") for a in command]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and name in err
    assert not list(tmp_path.iterdir())  # nothing written


def test_cli_max_pixels_option(tmp_path, capsys, cap):
    path = tmp_path / "x.png"
    write_image(path, np.zeros((10, 10, 3), np.uint8))
    assert main(["--max-pixels", "50", "info", str(path)]) == 2
    assert "over the limit of 50" in capsys.readouterr().err
    assert cio.get_max_pixels() == cio.DEFAULT_MAX_PIXELS  # restored after the command
    assert main(["--max-pixels", "100", "info", str(path)]) == 0


def test_decoded_size_must_match_the_header(tmp_path, monkeypatch, cap):
    path = tmp_path / "x.png"
    write_image(path, np.zeros((6, 6, 3), np.uint16))
    real = cio._read_png_16bit
    monkeypatch.setattr(cio, "_read_png_16bit", lambda p: real(p)[:5])
    with pytest.raises(ImageReadError, match="header says 6x6"):
        read_image(path)


def test_png_exif_orientation_still_applied(tmp_path, cap):
    from PIL import Image

    img = np.zeros((20, 40, 3), np.uint8)
    img[:, :20] = 255
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(img).save(tmp_path / "r.png", exif=exif)
    out = read_image(tmp_path / "r.png")
    assert out.shape == (40, 20, 3) and out[:20].mean() > 200 and out[20:].mean() < 50


def test_png_header_checks(tmp_path, cap):
    ihdr = struct.pack(">IIBBBBB", 4, 4, 3, 2, 0, 0, 0)  # 3-bit RGB does not exist
    bad = make_corpus.PNG_MAGIC + make_corpus._chunk(b"IHDR", ihdr)
    (tmp_path / "d.png").write_bytes(bad + make_corpus._chunk(b"IEND", b""))
    with pytest.raises(ImageReadError, match="bit depth 3"):
        read_image(tmp_path / "d.png")
