"""Fuzzing: Hypothesis images through io and the one-call public functions (issue 16).

Profiles: ``HYPOTHESIS_PROFILE=ci`` (the default: derandomized, a fixed
number of examples, bounded to well under 3 minutes on 2 cores) and
``HYPOTHESIS_PROFILE=local`` (10x the examples, still derandomized so a
failure reproduces)::

    HYPOTHESIS_PROFILE=local python -m pytest tests/test_fuzz.py -q

The properties: every call either returns an array of the documented dtype
and shape with finite values, or raises ``TypeError`` / ``ValueError`` (for
files, ``ImageReadError``) whose message names the argument. Inputs whose
correct handling is still pending elsewhere (float images holding 0..255,
see tests/test_hardening_pending.py) are kept out of these strategies.
"""

from __future__ import annotations

import importlib.util
import io as pyio
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import chroma
from chroma.cli import main
from chroma.io import ImageReadError, read_image, write_image

_spec = importlib.util.spec_from_file_location(
    "make_corpus", Path(__file__).parent / "hostile" / "make_corpus.py")
make_corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_corpus)

_COMMON = dict(deadline=None, derandomize=True, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                      HealthCheck.function_scoped_fixture,
                                      HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=30, **_COMMON)
settings.register_profile("local", max_examples=300, **_COMMON)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci")
                               if os.environ.get("HYPOTHESIS_PROFILE") in ("ci", "local")
                               else "ci")
FEW = settings(PROFILE, max_examples=max(8, PROFILE.max_examples // 3))

ALLOWED = (TypeError, ValueError)
METHODS = ("histogram", "reinhard", "mkl", "idt", "sot", "palette")
ARG_NAMES = ("image", "reference", "mask", "channel", "dtype", "shape", "empty", "NaN",
             "method", "colors", "strength", "center", "width", "n_colors", "mode",
             "background", "softness", "range", "[0, 1]", "finite", "size")


# --------------------------------------------------------------------------- strategies
INT_DTYPES = (np.uint8, np.uint16)
FLOAT_DTYPES = (np.float16, np.float32, np.float64)
BAD_DTYPES = (np.int8, np.int32, np.int64, np.uint32, np.bool_, np.complex64)


@st.composite
def images(draw, *, min_side=0, max_side=7, channels=(None, 1, 2, 3, 4, 5),
           dtypes=INT_DTYPES + FLOAT_DTYPES + BAD_DTYPES, special=True, views=True,
           axes=False):
    """Arrays shaped like images, and many that are not quite.

    Shapes with 0 and 1 pixels, 1 to 5 channels or none, every dtype,
    float values in [0, 1] or (with `special`) NaN / inf / out of range,
    non-contiguous views, and (with `axes`) the channel axis moved to 0 or 1;
    returns ``(array, channel_axis)``.
    """
    h = draw(st.integers(min_side, max_side))
    w = draw(st.integers(min_side, max_side))
    c = draw(st.sampled_from(channels))
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    shape = (h, w) if c is None else (h, w, c)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if dtype.kind == "u":
        top = np.iinfo(dtype).max
        kind = draw(st.sampled_from(["random", "zeros", "max", "flat"]))
        base = {"random": lambda: rng.integers(0, top, shape, endpoint=True),
                "zeros": lambda: np.zeros(shape), "max": lambda: np.full(shape, top),
                "flat": lambda: np.full(shape, top // 3)}[kind]()
        img = base.astype(dtype)
    elif dtype.kind == "f":
        kind = draw(st.sampled_from(["random", "zeros", "ones", "flat", "edge"]
                                    + (["nan", "inf", "big", "negative"] if special else [])))
        img = {"random": lambda: rng.random(shape), "zeros": lambda: np.zeros(shape),
               "ones": lambda: np.ones(shape), "flat": lambda: np.full(shape, 0.37),
               "edge": lambda: rng.choice([0.0, 1.0, 1e-7, 1 - 1e-7], shape),
               "nan": lambda: np.where(rng.random(shape) < 0.3, np.nan, rng.random(shape)),
               "inf": lambda: np.where(rng.random(shape) < 0.3, np.inf, rng.random(shape)),
               "big": lambda: rng.random(shape) * 1e30,
               "negative": lambda: -rng.random(shape)}[kind]().astype(dtype)
    elif dtype.kind == "b":
        img = rng.random(shape) < 0.5
    else:
        img = rng.integers(0, 100, shape).astype(dtype)
    if views and draw(st.booleans()) and img.ndim >= 2 and img.size:
        view = draw(st.sampled_from(["flip", "stride", "transpose"]))
        if view == "flip":
            img = img[::-1, ::-1]
        elif view == "stride":
            big = np.repeat(np.repeat(img, 2, axis=0), 2, axis=1)
            img = big[::2, ::2]
        else:
            img = np.ascontiguousarray(np.swapaxes(img, 0, 1))
            img = np.swapaxes(img, 0, 1)  # same values, Fortran-like strides
    channel_axis = -1
    if axes and img.ndim == 3 and draw(st.booleans()):
        channel_axis = draw(st.sampled_from([0, 1]))
        img = np.moveaxis(img, -1, channel_axis)
    img.setflags(write=draw(st.booleans()))
    return img, channel_axis


def good_images(channels=(3,), min_side=1, max_side=7, alpha=True, axes=True):
    """Valid images: finite, in range, non-empty; RGB (optionally RGBA / gray)."""
    chans = tuple(channels) + ((4,) if alpha and 3 in channels else ())
    return images(min_side=min_side, max_side=max_side, channels=chans,
                  dtypes=INT_DTYPES + FLOAT_DTYPES, special=False, axes=axes)


def _check_error(err: BaseException) -> None:
    assert isinstance(err, ALLOWED), f"{type(err).__name__}: {err}"
    message = str(err)
    assert any(word.lower() in message.lower() for word in ARG_NAMES), message


def _expected_dtype(dtype):
    return np.dtype(np.float32) if dtype == np.float16 else np.dtype(dtype)


def _allowed_shapes(img, channel_axis=-1):
    """The input's shape, or its RGB(A) version for gray input (the step contract's gray->RGB)."""
    shapes = {img.shape}
    last = np.moveaxis(img, channel_axis, -1) if img.ndim == 3 else img
    c = 1 if last.ndim == 2 else last.shape[-1]
    if c in (1, 2):
        rgb = (*last.shape[:2], 3 if c == 1 else 4)
        shapes.add(rgb if img.ndim == 2 or channel_axis in (-1, 2)
                   else np.moveaxis(np.empty(rgb, np.uint8), -1, channel_axis).shape)
    return shapes


def _check_output(out, img, channel_axis=-1, *, same_shape=True):
    assert isinstance(out, np.ndarray)
    assert out.dtype == _expected_dtype(img.dtype), (out.dtype, img.dtype)
    if same_shape:
        assert out.shape in _allowed_shapes(img, channel_axis), (out.shape, img.shape)
    if out.dtype.kind == "f":
        assert np.isfinite(out).all(), "NaN/inf output for finite input"
        assert out.min() >= 0 and out.max() <= 1, (out.min(), out.max())


def _call(fn, *args, **kwargs):
    """fn(...) or the (allowed, well-named) error it raised; None when it raised."""
    snapshot = [a.copy() for a in args if isinstance(a, np.ndarray)]
    try:
        out = fn(*args, **kwargs)
    except Exception as err:  # checked: only TypeError / ValueError naming the argument
        _check_error(err)
        out = None
    for before, a in zip(snapshot, [a for a in args if isinstance(a, np.ndarray)]):
        np.testing.assert_array_equal(before, a)  # inputs never modified
    return out


def _finite_in_range(img) -> bool:
    if img.dtype.kind != "f":
        return img.dtype.kind == "u" and img.dtype in (np.uint8, np.uint16)
    return bool(np.isfinite(img).all() and (img.size == 0 or (img.min() >= 0
                                                                and img.max() <= 1)))


# --------------------------------------------------------------------------- io
@PROFILE
@given(case=images(max_side=6), ext=st.sampled_from(sorted(chroma.io.WRITE_EXTENSIONS)))
def test_write_image_accepts_or_refuses_cleanly(tmp_path_factory, case, ext):
    img, _ = case
    folder = tmp_path_factory.mktemp("w")
    path = folder / f"x{ext}"
    try:
        write_image(path, img)
    except ALLOWED as err:
        _check_error(err)
        assert list(folder.iterdir()) == []  # a refusal leaves nothing behind
        return
    back = read_image(path)
    squeezed = img[..., 0] if img.ndim == 3 and img.shape[-1] == 1 else img
    assert back.shape == squeezed.shape
    if ext in (".png", ".tif", ".tiff") and img.dtype in INT_DTYPES:
        np.testing.assert_array_equal(back, squeezed)  # lossless formats are bit-exact
    assert [p.name for p in folder.iterdir()] == [path.name]


@PROFILE
@given(case=good_images(channels=(None, 1, 2, 3, 4), alpha=False, axes=False),
       ext=st.sampled_from([".png", ".tif"]))
def test_lossless_round_trip_every_layout(tmp_path_factory, case, ext):
    img, _ = case
    path = tmp_path_factory.mktemp("rt") / f"x{ext}"
    write_image(path, img)
    back = read_image(path)
    squeezed = img[..., 0] if img.ndim == 3 and img.shape[-1] == 1 else img
    if img.dtype.kind == "f":
        expected = np.rint(np.clip(squeezed.astype(np.float32), 0, 1) * np.float32(65535))
        np.testing.assert_array_equal(back, expected.astype(np.uint16))
    else:
        np.testing.assert_array_equal(back, squeezed)


def _seed_files() -> dict[str, bytes]:
    from PIL import Image

    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (12, 10, 3)).astype(np.uint8)
    out = {"png": make_corpus.png_bytes(10, 12, raw=make_corpus._raw_rows(rgb)),
           "png16": make_corpus.png_bytes(10, 12, bit_depth=16, raw=make_corpus._raw_rows(
               rgb.astype(np.uint16) * 257)),
           "tif": make_corpus.tiff_bytes(10, 12, spp=3, data=rgb.tobytes())}
    for fmt in ("JPEG", "BMP", "WEBP", "GIF"):
        buf = pyio.BytesIO()
        Image.fromarray(rgb).save(buf, format=fmt)
        out[fmt.lower()] = buf.getvalue()
    return out


SEEDS = _seed_files()
SUFFIX = {"png": ".png", "png16": ".png", "tif": ".tif", "jpeg": ".jpg", "bmp": ".bmp",
          "webp": ".webp", "gif": ".gif"}


def _fix_png_crcs(data: bytes) -> bytes:
    """Recompute every chunk CRC so that mutations reach the decoder."""
    out, pos = bytearray(data[:8]), 8
    while pos + 8 <= len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        end = pos + 8 + length
        if end + 4 > len(data):
            out += data[pos:]
            break
        body = data[pos + 4:end]
        out += data[pos:end] + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
        pos = end + 4
    return bytes(out)


@PROFILE
@given(kind=st.sampled_from(sorted(SEEDS)), cut=st.floats(0, 1),
       flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=6),
       fix_crc=st.booleans())
def test_mutated_files_decode_or_raise_image_read_error(tmp_path_factory, kind, cut, flips,
                                                        fix_crc):
    data = bytearray(SEEDS[kind])
    for where, value in flips:
        data[min(int(where * len(data)), len(data) - 1)] = value
    data = bytes(data[: max(1, int(len(data) * (0.5 + cut / 2)) if cut < 0.98 else len(data))])
    if fix_crc and kind.startswith("png"):
        data = _fix_png_crcs(data)
    path = tmp_path_factory.mktemp("m") / f"x{SUFFIX[kind]}"
    path.write_bytes(data)
    try:
        img = read_image(path)
    except ImageReadError as err:
        assert str(path) in str(err) and "\n" not in str(err)
        return
    assert img.dtype in (np.uint8, np.uint16)
    assert img.ndim in (2, 3) and img.shape[:2] == (12, 10)
    assert img.ndim == 2 or img.shape[-1] in (2, 3, 4)


@FEW
@given(kind=st.sampled_from(sorted(SEEDS)), cut=st.floats(0.3, 0.95),
       command=st.sampled_from([["info", "{f}"], ["tone", "{f}", "--sepia", "-o", "{o}"],
                                ["palette", "{f}", "-n", "2"],
                                ["splash", "{f}", "--hue", "40:30", "-o", "{o}"]]))
def test_cli_on_truncated_files_exits_0_or_2_with_one_line(tmp_path_factory, capsys, kind,
                                                           cut, command):
    folder = tmp_path_factory.mktemp("c")
    path = folder / f"x{SUFFIX[kind]}"
    path.write_bytes(SEEDS[kind][: int(len(SEEDS[kind]) * cut)])
    code = main([a.format(f=path, o=folder / "out.png") for a in command])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
        assert not (folder / "out.png").exists()


# --------------------------------------------------------------------------- functions
def _run_transfer(img, ref, method, channel_axis):
    options = {"random_state": 0} if method in ("idt", "sot", "palette") else {}
    return _call(chroma.transfer, img, ref, method, channel_axis=channel_axis, **options)


@pytest.mark.parametrize("method", METHODS)
@FEW
@given(case=images(max_side=6, axes=True), ref=images(max_side=6))
def test_transfer_any_input_errors_cleanly(method, case, ref):
    img, axis = case
    out = _run_transfer(img, ref[0], method, axis)
    if out is not None:
        assume(_finite_in_range(img) and _finite_in_range(ref[0]))
        _check_output(out, img, axis)


@pytest.mark.parametrize("method", METHODS)
@FEW
@given(case=good_images(channels=(3,)), ref=good_images(channels=(3,), axes=False))
def test_transfer_valid_input_gives_valid_output(method, case, ref):
    img, axis = case
    ref_img = np.moveaxis(ref[0], -1, axis) if img.ndim == 3 and ref[0].ndim == 3 else ref[0]
    out = _run_transfer(img, ref_img, method, axis)
    assert out is not None, "valid input refused"
    _check_output(out, img, axis)


@PROFILE
@given(case=images(max_side=6, axes=True),
       mode=st.sampled_from(["sepia", "duotone", "gradient"]),
       strength=st.sampled_from([0.0, 0.5, 1.0, -0.1, 1.5, float("nan")]))
def test_tone(case, mode, strength):
    img, axis = case
    colors = {"sepia": None, "duotone": ["#1b2a6b", "#f6d28a"],
              "gradient": ["#000000", "#ff0000", "#ffffff"]}[mode]
    out = _call(chroma.tone, img, mode=mode, colors=colors, strength=strength,
                channel_axis=axis)
    if out is not None:
        assert 0 <= strength <= 1, "strength outside [0, 1] accepted"
        assume(_finite_in_range(img))
        _check_output(out, img, axis)


@PROFILE
@given(case=images(max_side=6, axes=True), mask=images(max_side=6, channels=(None,)),
       background=st.sampled_from(["gray", "sepia", "cyanotype", "#336699"]))
def test_splash(case, mask, background):
    img, axis = case
    m = mask[0]
    out = _call(chroma.splash, img, m, background=background, channel_axis=axis)
    if out is not None:
        assume(_finite_in_range(img))
        _check_output(out, img, axis)


@PROFILE
@given(case=images(max_side=6),
       center=st.sampled_from([0.0, 40.0, 359.9, 360.0, 720.0, -30.0, float("nan")]),
       width=st.sampled_from([0.0, 30.0, 180.0, 360.0, 400.0, -5.0]))
def test_hue_range(case, center, width):
    img, _ = case
    out = _call(chroma.masks.hue_range, img, center, width)
    if out is not None:
        assert np.isfinite(center) and width >= 0
        assert out.shape == img.shape[:2] and out.dtype.kind == "f"
        assert np.isfinite(out).all() and out.min() >= 0 and out.max() <= 1


@PROFILE
@given(case=images(max_side=6, axes=True), n=st.sampled_from([1, 2, 3, 8, 0, -1]))
def test_extract_palette(case, n):
    img, axis = case
    pal = _call(chroma.extract_palette, img, n, random_state=0, channel_axis=axis)
    if pal is not None:
        assert n >= 1
        assume(_finite_in_range(img))
        rgb = np.asarray(pal.to_uint8() if hasattr(pal, "to_uint8") else pal.colors)
        assert 1 <= len(pal) <= n and rgb.shape[-1] == 3
        weights = np.asarray(pal.weights)
        assert np.isfinite(weights).all() and abs(weights.sum() - 1) < 1e-6
