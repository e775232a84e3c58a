"""Frames in, frames out: color-grade or colorize a clip without flicker.

Fitting a transfer on every frame makes the picture flicker: the statistics of
the frame change with its content, so the same wall changes color when a
person walks past. :func:`transfer` offers two cures:

``mode="fixed"`` (default)
    Fit once, on the reference and, for methods whose mapping depends on the
    image's statistics (Reinhard, MKL, histogram...), on a sample of frames
    spread over the clip; then apply one operator, a 3-D LUT, to every frame.
    Flicker-free by construction.
``mode="smoothed"``
    Follow the content: each frame's operator (its LUT) is averaged over a
    centred window of ``window`` frames before it is applied. Frame-to-frame
    jitter of the statistics is removed; a slow drift is kept.

``method="colorize"`` runs :func:`chroma.colorization` on each frame and low-passes
its a*b* over a centred window, each neighbour first aligned to the frame by
the camera's global motion (phase correlation on L*); each frame keeps its own
L*.

Frames come as an array ``(T, M, N, C)``, a list of images, a folder of image
files, or a video file (read and written with PyAV: ``pip install
"chroma-image[video]"``; its wheels bundle FFmpeg). When writing a video file from a
video file, the audio streams are copied packet for packet, untouched.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> photo = rng.integers(0, 256, (16, 40, 3), dtype=np.uint8)
>>> clip = np.stack([photo[:, t:t + 24] for t in range(6)])   # a pan
>>> ref = rng.integers(0, 256, (12, 12, 3), dtype=np.uint8)
>>> out = transfer(clip, ref, mode="fixed")
>>> out.shape, out.dtype
((6, 16, 24, 3), dtype('uint8'))
>>> flicker(out, source=clip)   # one operator: the shared content never changes
0.0
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

import chroma
from chroma.io import READ_EXTENSIONS as _IMAGE_EXTENSIONS

# --- internal imports: the one place to repoint after the layout move ------------------
from chroma.metrics.temporal import _global_shift, _overlap, flicker, flicker_components

__all__ = ["MODES", "VIDEO_EXTENSIONS", "VideoInfo", "flicker", "flicker_components",
           "read_frames", "transfer", "video_info", "write_frames"]

MODES = ("fixed", "smoothed")
VIDEO_EXTENSIONS = {".mp4": "libx264", ".mov": "libx264", ".mkv": "libx264",
                    ".m4v": "libx264", ".avi": "mpeg4", ".webm": "libvpx-vp9"}


def _av():
    try:
        import av
    except ImportError as err:
        raise ImportError('reading and writing video files needs PyAV: '
                          'pip install "chroma-image[video]"') from err
    return av


def _is_video(path) -> bool:
    return isinstance(path, (str, os.PathLike)) and Path(path).suffix.lower() in VIDEO_EXTENSIONS


# --- reading -------------------------------------------------------------------------------
@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds: frame count, rate, size, audio.

    Attributes
    ----------
    frames : int
        Number of decoded video frames.
    fps : Fraction
        Average frame rate.
    width, height : int
    audio : tuple of str
        Codec names of the audio streams.

    Examples
    --------
    >>> from fractions import Fraction
    >>> info = VideoInfo(frames=250, fps=Fraction(25), width=640, height=360, audio=("aac",))
    >>> info.frames / info.fps  # seconds
    Fraction(10, 1)
    """

    frames: int
    fps: Fraction
    width: int
    height: int
    audio: tuple[str, ...]


def video_info(path) -> VideoInfo:
    """Decode `path` once and report its :class:`VideoInfo` (frames are counted, not guessed).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "clip.mp4")
    >>> write_frames(np.zeros((5, 16, 16, 3), np.uint8), path, fps=10)
    5
    >>> video_info(path)
    VideoInfo(frames=5, fps=Fraction(10, 1), width=16, height=16, audio=())
    """
    av = _av()
    with av.open(os.fspath(path)) as c:
        vs = c.streams.video[0]
        n = sum(1 for _ in c.decode(vs))
        audio = tuple(s.codec_context.name for s in c.streams.audio)
        return VideoInfo(n, Fraction(vs.average_rate), vs.width, vs.height, audio)


def _folder_frames(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.suffix.lower() in _IMAGE_EXTENSIONS)
    if not files:
        raise FileNotFoundError(f"no image files in folder {str(folder)!r}")
    return files


def read_frames(source) -> Iterator[np.ndarray]:
    """Yield the frames of `source` one at a time.

    Parameters
    ----------
    source : ndarray (T, M, N[, C]), iterable of images, folder or video file
        A folder yields its image files sorted by name (dtype kept); a video
        file yields uint8 RGB frames.

    Examples
    --------
    >>> [f.shape for f in read_frames(np.zeros((2, 3, 4, 3)))]
    [(3, 4, 3), (3, 4, 3)]
    """
    if isinstance(source, (str, os.PathLike)):
        p = Path(source)
        if p.is_dir():
            for f in _folder_frames(p):
                yield chroma.read_image(f)
            return
        if not p.is_file():
            raise FileNotFoundError(f"no such video file or frame folder: {str(p)!r}")
        if not _is_video(p):
            raise ValueError(f"{str(p)!r} is not a video file; expected one of "
                             f"{sorted(VIDEO_EXTENSIONS)} or a folder of frames.")
        av = _av()
        with av.open(os.fspath(p)) as c:
            for frame in c.decode(c.streams.video[0]):
                yield frame.to_ndarray(format="rgb24")
        return
    if isinstance(source, np.ndarray):
        if source.ndim not in (3, 4):
            raise ValueError(f"`frames` array must be (T, M, N[, C]), got shape {source.shape}.")
        yield from source
        return
    if isinstance(source, Iterable) and not isinstance(source, (bytes, str)):
        yield from (np.asarray(f) for f in source)
        return
    raise TypeError(f"`frames` must be an array, a list of images, a folder or a video file, "
                    f"got {type(source).__name__}.")


# --- writing -------------------------------------------------------------------------------
def _to_uint8_rgb(frame: np.ndarray) -> np.ndarray:
    x = frame
    if x.dtype == np.uint16:
        x = (x.astype(np.float32) / 257.0).round().astype(np.uint8)
    elif x.dtype.kind == "f":
        x = (np.clip(x, 0, 1) * 255).round().astype(np.uint8)
    if x.ndim == 2:
        x = np.repeat(x[..., None], 3, axis=-1)
    if x.shape[-1] in (2, 4):
        x = x[..., :-1]
    if x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    return np.ascontiguousarray(x)


def write_frames(frames: Iterable[np.ndarray], out, *, fps=25, audio_from=None,
                 overwrite: bool = False, crf: int = 18) -> int:
    """Write frames to a folder of PNGs or to a video file, atomically.

    Parameters
    ----------
    frames : iterable of ndarray
        The frames, all one size.
    out : str or path-like
        A video file (by extension: .mp4, .mov, .mkv, .m4v, .avi, .webm) or a
        folder (created; frames written as ``frame_000000.png``...).
    fps : number or Fraction, optional
        Frame rate of a video file.
    audio_from : str or path-like, optional
        A video file whose audio streams are copied, packet for packet.
    overwrite : bool, optional
        Replace an existing `out` file (folder: existing frame files).
    crf : int, optional
        Quality of H.264 (0 lossless, 18 visually lossless, 23 default).

    Returns
    -------
    n : int
        Number of frames written.

    Examples
    --------
    >>> import os, tempfile
    >>> frames = np.zeros((3, 16, 16, 3), np.uint8)
    >>> folder = os.path.join(tempfile.mkdtemp(), "frames")
    >>> write_frames(frames, folder), sorted(os.listdir(folder))
    (3, ['frame_000000.png', 'frame_000001.png', 'frame_000002.png'])
    >>> path = os.path.join(os.path.dirname(folder), "clip.mp4")
    >>> write_frames(frames, path, fps=24)
    3
    >>> write_frames(frames, path)
    Traceback (most recent call last):
    ...
    FileExistsError: '...clip.mp4' exists; pass overwrite=True (CLI: --overwrite) to replace it.
    """
    out = Path(out)
    if not _is_video(out):
        if out.exists() and not out.is_dir():
            raise ValueError(f"`out` {str(out)!r} is neither a video file ("
                             f"{sorted(VIDEO_EXTENSIONS)}) nor a folder.")
        out.mkdir(parents=True, exist_ok=True)
        n = 0
        for n, frame in enumerate(frames, 1):
            chroma.write_image(out / f"frame_{n - 1:06d}.png", frame, overwrite=overwrite)
        return n
    if out.exists() and not overwrite:
        raise FileExistsError(f"{str(out)!r} exists; pass overwrite=True (CLI: --overwrite) "
                              "to replace it.")
    av = _av()
    tmp = out.with_name(f".{out.name}.partial{out.suffix}")
    rate = Fraction(fps).limit_denominator(1001 * 1000)
    n = 0
    try:
        with av.open(os.fspath(tmp), "w", format=_container_format(out)) as oc:
            src = av.open(os.fspath(audio_from)) if audio_from is not None else None
            try:
                audio = []
                if src is not None:
                    for s in src.streams.audio:
                        audio.append((s, oc.add_stream_from_template(s)))
                vs = None
                for frame in frames:
                    rgb = _to_uint8_rgb(np.asarray(frame))
                    if vs is None:
                        vs = _video_stream(oc, out, rgb.shape, rate, crf)
                    if rgb.shape[:2] != (vs.height, vs.width):
                        raise ValueError(f"frame {n} is {rgb.shape[:2]}, the first frame "
                                         f"{(vs.height, vs.width)}: frames must share one size.")
                    vf = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                    vf.pts = n
                    vf.time_base = 1 / rate
                    oc.mux(vs.encode(vf))
                    n += 1
                if vs is None:
                    raise ValueError("no frames to write.")
                oc.mux(vs.encode(None))
                for s_in, s_out in audio:  # untouched: packets copied as they are
                    for packet in src.demux(s_in):
                        if packet.dts is None:
                            continue
                        packet.stream = s_out
                        oc.mux(packet)
            finally:
                if src is not None:
                    src.close()
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n


def _container_format(out: Path) -> str:
    return {".mkv": "matroska", ".webm": "webm", ".mov": "mov", ".avi": "avi",
            ".m4v": "mp4"}.get(out.suffix.lower(), "mp4")


def _video_stream(oc, out: Path, shape, rate: Fraction, crf: int):
    codec = VIDEO_EXTENSIONS[out.suffix.lower()]
    h, w = shape[:2]
    vs = oc.add_stream(codec, rate=rate)
    vs.width, vs.height = w, h
    even = h % 2 == 0 and w % 2 == 0
    vs.pix_fmt = "yuv420p" if even else "yuv444p"
    vs.time_base = 1 / rate
    if codec == "libx264":
        vs.options = {"crf": str(crf), "preset": "medium"}
    return vs


# --- the operators ---------------------------------------------------------------------------
def _estimator(method, options):
    from chroma.transfers import estimator

    if isinstance(method, str):
        return estimator(method, **options)
    if options:
        raise TypeError("options (**options) apply to a method name, not to an estimator object.")
    if not callable(getattr(method, "transform", None)):
        raise TypeError(f"`method` must be a transfer method name or an estimator, got "
                        f"{type(method).__name__}.")
    return method


def _stack_sample(frames: list[np.ndarray], max_pixels: int) -> np.ndarray:
    """Frames side by side (rows), subsampled to about `max_pixels`: one 'image' of the clip."""
    rgb = [f[..., :3] if f.ndim == 3 and f.shape[-1] in (3, 4) else f for f in frames]
    total = sum(f.shape[0] * f.shape[1] for f in rgb)
    step = max(1, int(np.ceil(np.sqrt(total / max_pixels))))
    return np.concatenate([f[::step, ::step] for f in rgb], axis=0)


def _frame_lut(est, frame, size: int) -> np.ndarray:
    return est.to_lut(size, image=frame if getattr(est, "uses_image_statistics", False) else None)


def _fixed(frames: Iterator, est, sample: list[np.ndarray], size: int, max_pixels: int):
    from chroma.transfers import apply_lut

    uses_stats = getattr(est, "uses_image_statistics", False)
    if hasattr(est, "to_lut"):
        lut = est.to_lut(size, image=_stack_sample(sample, max_pixels) if uses_stats else None)
        lut = np.ascontiguousarray(lut, dtype=np.float32)
        for f in frames:
            yield apply_lut(f, lut)
    else:  # no LUT form: the same fitted operator on every frame
        for f in frames:
            yield est.transform(f)


def _centred(items: Iterator, window: int, per_item, combine) -> Iterator:
    """For each item t: ``combine(item_t, [per_item(item_s) for s in t's window])``.

    The window is ``[t - window // 2, t + window // 2]``, cut at the clip's ends.
    Streams: holds ``window // 2`` items ahead and ``window`` values.
    """
    half = window // 2
    pending: deque = deque()  # (index, item) not yet emitted
    values: deque = deque()  # (index, value) still inside some window

    def emit():
        t, item = pending.popleft()
        vals = [v for s, v in values if t - half <= s <= t + half]
        while values and values[0][0] < t + 1 - half:
            values.popleft()
        return combine(item, vals)

    i = -1
    for i, item in enumerate(items):
        pending.append((i, item))
        values.append((i, per_item(item)))
        while pending and pending[0][0] + half <= i:
            yield emit()
    while pending:
        yield emit()


def _smoothed(frames: Iterator, est, window: int, size: int):
    from chroma.transfers import apply_lut

    if not hasattr(est, "to_lut"):
        raise ValueError(f"mode='smoothed' needs an estimator with to_lut; "
                         f"{type(est).__name__} has none (use mode='fixed').")

    def combine(frame, luts):
        return apply_lut(frame, np.mean(luts, axis=0, dtype=np.float64).astype(np.float32))

    yield from _centred(frames, window, lambda f: _frame_lut(est, f, size), combine)


def _colorize_smoothed(frames: Iterator, reference, window: int, options):
    """Colorize each frame; average a*b* over the window along the camera's motion."""
    from chroma.spaces import convert

    def per_frame(frame):
        color = chroma.colorize(frame, reference=reference, **options)
        lab = convert(_rgb(color), "rgb", "lab")
        return lab[..., 0], lab[..., 1:]

    def combine(frame, window_vals):
        lab = convert(_rgb(frame), "rgb", "lab")
        total = np.zeros((*lab.shape[:2], 2), np.float64)
        weight = np.zeros((*lab.shape[:2], 1), np.float64)
        for light, ab in window_vals:  # align each neighbour to this frame, then average
            dy, dx = _global_shift(light, lab[..., 0])
            (sa, sb), (ta, tb) = _overlap(lab.shape[0], dy), _overlap(lab.shape[1], dx)
            total[sb, tb] += ab[sa, ta]
            weight[sb, tb] += 1.0
        lab[..., 1:] = total / np.maximum(weight, 1.0)
        return _restore_like(frame, convert(lab, "lab", "rgb"))

    yield from _centred(frames, window, per_frame, combine)


def _rgb(frame: np.ndarray) -> np.ndarray:
    x = frame
    if x.ndim == 2:
        x = x[..., None]
    if x.shape[-1] in (2, 4):
        x = x[..., :-1]
    if x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    return x


def _restore_like(frame: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """float RGB in [0, 1] back to `frame`'s dtype, alpha kept."""
    if frame.dtype.kind == "u":
        top = np.iinfo(frame.dtype).max
        rgb = (np.clip(rgb, 0, 1) * top).round().astype(frame.dtype)
    else:
        rgb = np.clip(rgb, 0, 1).astype(frame.dtype if frame.dtype != np.float16 else np.float32)
    if frame.ndim == 3 and frame.shape[-1] in (2, 4):
        rgb = np.concatenate([rgb, frame[..., -1:].astype(rgb.dtype)], axis=-1)
    return rgb


# --- the entry point -------------------------------------------------------------------------
def _check_int(value, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an int, got {type(value).__name__}.")
    if value < low:
        raise ValueError(f"`{name}` must be >= {low}, got {value}.")
    return int(value)


def transfer(
    frames_or_file,
    reference=None,
    *,
    mode: str = "fixed",
    window: int = 15,
    method="reinhard",
    out=None,
    sample: int = 8,
    lut_size: int = 33,
    max_pixels: int = 2_000_000,
    fps=None,
    overwrite: bool = False,
    progress: bool = False,
    **options,
):
    """Give every frame of a clip the colors of `reference`, without flicker.

    Parameters
    ----------
    frames_or_file : ndarray (T, M, N[, C]), list of images, folder or video file
        The clip.
    reference : ndarray, str or path-like
        The reference image (optional for ``method="colorize"``).
    mode : {"fixed", "smoothed"}, optional
        ``"fixed"``: one operator for the whole clip; ``"smoothed"``: per-frame
        operators averaged over a centred window (see the module docstring).
    window : int, optional
        Frames in the centred window of ``"smoothed"`` (and of the colorizer's
        a*b* low-pass); odd numbers centre exactly.
    method : str or estimator, optional
        A transfer method name (``"reinhard"``, ``"mkl"``, ``"histogram"``,
        ``"idt"``, ``"sot"``, ``"palette"``), an estimator, or ``"colorize"``.
    out : str or path-like, optional
        Where to write the frames: a video file or a folder (see
        :func:`write_frames`). Without it the frames are returned as an array.
    sample : int, optional
        ``"fixed"``: frames, spread evenly over the clip, whose statistics the
        operator is fitted on (for methods that use the image's statistics).
    lut_size : int, optional
        Grid points per axis of the operator's 3-D LUT.
    max_pixels : int, optional
        Pixels of the frame sample used for fitting.
    fps : number, optional
        Frame rate of an output video file; default: the input file's, else 25.
    overwrite : bool, optional
        Replace an existing output.
    progress : bool, optional
        Show a tqdm progress bar.
    **options
        Parameters of the method's estimator (or of :func:`chroma.colorization`).

    Returns
    -------
    frames : ndarray (T, M, N, C), or int
        The graded frames (input dtype); with `out`, the number of frames
        written.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> clip = rng.random((5, 6, 6, 3)).astype(np.float32)
    >>> transfer(clip, rng.random((8, 8, 3)), mode="smoothed", window=3).shape
    (5, 6, 6, 3)
    """
    if mode not in MODES:
        raise ValueError(f"mode={mode!r} is not supported; choose from {list(MODES)}.")
    window = _check_int(window, "window", 1)
    sample = _check_int(sample, "sample", 1)
    lut_size = _check_int(lut_size, "lut_size", 2)
    max_pixels = _check_int(max_pixels, "max_pixels", 1)
    source = frames_or_file
    if out is not None and isinstance(source, (str, os.PathLike)):
        if Path(out).resolve() == Path(source).resolve():
            raise ValueError(f"`out` {str(out)!r} is the input; choose another output.")
    if isinstance(reference, (str, os.PathLike)):
        if out is not None and Path(out).resolve() == Path(reference).resolve():
            raise ValueError(f"`out` {str(out)!r} is the reference; choose another output.")
        reference = chroma.read_image(reference)
    is_file = _is_video(source) and Path(source).is_file()
    if out is not None and _is_video(out) and fps is None:
        fps = Fraction(video_info(source).fps) if is_file else 25

    if method == "colorize":
        if mode != "smoothed":
            raise ValueError("method='colorize' predicts colors per frame, so there is no "
                             "single operator to fix; use mode='smoothed' (a temporal "
                             "low-pass of a*b*).")
        stream = _colorize_smoothed(read_frames(source), reference, window, options)
    else:
        if reference is None:
            raise ValueError(f"method={method!r} needs a `reference` image.")
        est = _estimator(method, options)
        est.fit(reference)
        if mode == "fixed":
            picks = _sample_frames(source, sample)
            stream = _fixed(read_frames(source), est, picks, lut_size, max_pixels)
        else:
            stream = _smoothed(read_frames(source), est, window, lut_size)
    if progress:
        from tqdm.auto import tqdm

        stream = tqdm(stream, desc="video", unit="frame")
    if out is None:
        return np.stack(list(stream))
    return write_frames(stream, out, fps=fps or 25, overwrite=overwrite,
                        audio_from=source if is_file and _is_video(out) else None)


def _sample_frames(source, k: int) -> list[np.ndarray]:
    """`k` frames spread evenly over the clip (one extra pass over a file or folder)."""
    if isinstance(source, np.ndarray) or isinstance(source, (list, tuple)):
        n = len(source)
        idx = sorted(set(np.linspace(0, n - 1, min(k, n)).round().astype(int)))
        return [np.asarray(source[i]) for i in idx]
    if not isinstance(source, (str, os.PathLike)):  # a one-shot iterable
        raise TypeError("mode='fixed' samples frames ahead: pass an array, a list, a folder "
                        "or a video file, not a one-shot iterator.")
    p = Path(source)
    if p.is_dir():
        files = _folder_frames(p)
        idx = sorted(set(np.linspace(0, len(files) - 1, min(k, len(files))).round().astype(int)))
        return [chroma.read_image(files[i]) for i in idx]
    if not p.is_file():
        raise FileNotFoundError(f"no such video file or frame folder: {str(p)!r}")
    n = video_info(p).frames
    idx = set(np.linspace(0, n - 1, min(k, n)).round().astype(int).tolist())
    return [f for i, f in enumerate(read_frames(p)) if i in idx]
