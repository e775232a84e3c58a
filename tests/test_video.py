"""chroma.video: fixed and smoothed grading cut flicker; video files keep rate and audio."""

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import chroma
from chroma import video
from chroma.cli import main
from chroma.transfers import estimator

pytestmark = pytest.mark.usefixtures("sigint_kept")  # tests/conftest.py

DATA = Path(__file__).resolve().parents[1] / "data"
T = 120


@pytest.fixture(scope="module")
def pan():
    """120 frames of a slow handheld pan across a bundled photo (1 px/frame, shake)."""
    photo = chroma.read_image(DATA / "astronaut.png")
    rng = np.random.default_rng(0)
    xs = np.round(np.arange(T) * 1.0 + rng.normal(0, 3, T)).astype(int) + 20
    ys = np.round(rng.normal(0, 1.5, T)).astype(int) + 200
    return np.stack([photo[y:y + 72, x:x + 96] for x, y in zip(xs, ys)])


@pytest.fixture(scope="module")
def ref():
    return chroma.read_image(DATA / "coffee.png")[::2, ::2]


@pytest.mark.parametrize("method", ["reinhard", "histogram"])
def test_fixed_and_smoothed_cut_flicker(pan, ref, method):
    est = estimator(method).fit(ref)
    per_frame = np.stack([est.transform(f) for f in pan])
    fixed = video.transfer(pan, ref, method=method, mode="fixed")
    smoothed = video.transfer(pan, ref, method=method, mode="smoothed", window=15, lut_size=17)
    assert fixed.shape == smoothed.shape == pan.shape and fixed.dtype == np.uint8
    f_per, f_fixed, f_smooth = (video.flicker(x, source=pan)
                                for x in (per_frame, fixed, smoothed))
    assert f_per > 0.2  # per-frame fitting does flicker on this clip
    assert f_fixed <= 0.10 * f_per
    assert f_smooth <= 0.30 * f_per
    # a real grade: the clip's colors move to the reference's
    ab = [chroma.convert(x, "rgb", "lab")[..., 1:].reshape(-1, 2).mean(0)
          for x in (pan, fixed, ref)]
    assert np.linalg.norm(ab[1] - ab[2]) < 0.5 * np.linalg.norm(ab[0] - ab[2])


def test_flicker_metric_sees_a_color_jump_and_ignores_a_pan(pan):
    assert video.flicker(pan) == pytest.approx(0.0, abs=1e-6)  # camera motion is not flicker
    jumpy = pan.copy()
    jumpy[::2, ..., 0] = np.clip(jumpy[::2, ..., 0].astype(int) + 20, 0, 255)
    parts = video.flicker_components(jumpy, source=pan)
    assert parts["mean_ab"] > 5 and parts["static_ab"] > 5 and parts["static_fraction"] > 0.9
    assert video.flicker(jumpy, source=pan, motion=None) > 5
    with pytest.raises(ValueError, match="at least 2 frames"):
        video.flicker(pan[:1])
    with pytest.raises(ValueError, match="fewer frames"):
        video.flicker(pan[:4], source=pan[:3])
    with pytest.raises(ValueError, match="motion="):
        video.flicker(pan, motion="flow")


def test_smoothed_window_one_is_per_frame_fitting(pan, ref):
    # window=1: each frame its own LUT; equals the estimator's own per-frame LUT
    est = estimator("reinhard").fit(ref)
    out = video.transfer(pan[:5], ref, mode="smoothed", window=1, lut_size=17)
    for f, o in zip(pan[:5], out):
        np.testing.assert_array_equal(o, chroma.apply_lut(f, est.to_lut(17, image=f)))


def test_colorize_low_pass_keeps_lightness_and_steadies_color(pan):
    gray = np.repeat(chroma.convert(pan[:6], "rgb", "lab")[..., :1] / 100, 3, axis=-1)
    gray = (gray * 255).round().astype(np.uint8)
    steady = video.transfer(gray, mode="smoothed", method="colorize", window=3)
    assert steady.shape == gray.shape
    per = np.stack([chroma.colorize(g) for g in gray])
    l_in = chroma.convert(gray, "rgb", "lab")[..., 0]
    dl = np.abs(chroma.convert(steady, "rgb", "lab")[..., 0] - l_in)
    assert np.percentile(dl, 99.9) < 1.0 and dl.max() < 3  # 8-bit rounding; clipped near black
    assert video.flicker(steady, source=gray) < video.flicker(per, source=gray)
    with pytest.raises(ValueError, match="mode='smoothed'"):
        video.transfer(gray, method="colorize")


def _clip_with_audio(path: Path, frames: np.ndarray, fps: int) -> None:
    av = pytest.importorskip("av")  # in the dev extra: CI has it
    with av.open(str(path), "w") as oc:
        vs = oc.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = frames.shape[2], frames.shape[1], "yuv420p"
        audio = oc.add_stream("aac", rate=16000)
        audio.layout = "mono"
        for i, f in enumerate(frames):
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(f), format="rgb24")
            vf.pts = i
            oc.mux(vs.encode(vf))
        oc.mux(vs.encode(None))
        t = np.arange(16000 * len(frames) // fps) / 16000
        tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None]
        for k in range(0, tone.shape[1], 1024):
            af = av.AudioFrame.from_ndarray(tone[:, k:k + 1024], format="fltp", layout="mono")
            af.sample_rate, af.pts = 16000, k
            oc.mux(audio.encode(af))
        oc.mux(audio.encode(None))


def _audio_packets(path: Path) -> list[bytes]:
    import av

    with av.open(str(path)) as c:
        return [bytes(p) for p in c.demux(c.streams.audio[0]) if p.size]


def test_video_file_round_trip_keeps_frames_rate_and_audio(pan, ref, tmp_path):
    clip = tmp_path / "clip.mp4"
    _clip_with_audio(clip, pan[:30], fps=15)
    info = video.video_info(clip)
    assert (info.frames, info.fps, info.audio) == (30, Fraction(15), ("aac",))
    n = video.transfer(clip, ref, out=tmp_path / "graded.mp4")
    out = video.video_info(tmp_path / "graded.mp4")
    assert n == 30 and (out.frames, out.fps, out.width, out.height) == (30, Fraction(15), 96, 72)
    assert _audio_packets(tmp_path / "graded.mp4") == _audio_packets(clip) != []
    graded = np.stack(list(video.read_frames(tmp_path / "graded.mp4")))
    decoded = np.stack(list(video.read_frames(clip)))
    expected = video.transfer(decoded, ref)  # the same fixed grade on the decoded frames
    assert np.abs(graded.astype(int) - expected).mean() < 3  # only the encoder's loss
    with pytest.raises(FileExistsError):
        video.transfer(clip, ref, out=tmp_path / "graded.mp4")
    with pytest.raises(ValueError, match="is the input"):
        video.transfer(clip, ref, out=clip, overwrite=True)


def test_folder_in_folder_out_and_cli(pan, ref, tmp_path):
    src = tmp_path / "frames"
    src.mkdir()
    for i, f in enumerate(pan[:6]):
        chroma.write_image(src / f"{i:03d}.png", f)
    chroma.write_image(tmp_path / "ref.png", ref)
    assert main(["video", str(src), str(tmp_path / "out"), "--reference",
                 str(tmp_path / "ref.png"), "--mode", "smoothed", "--window", "3"]) == 0
    written = sorted((tmp_path / "out").iterdir())
    assert len(written) == 6
    np.testing.assert_array_equal(
        np.stack([chroma.read_image(p) for p in written]),
        video.transfer(pan[:6], ref, mode="smoothed", window=3))
    assert main(["video", str(src), str(tmp_path / "o2")]) == 2  # no reference
    assert main(["video", str(src), str(tmp_path / "o3"), "--reference",
                 str(tmp_path / "ref.png"), "--window", "0"]) == 2


def test_bad_arguments(pan, ref):
    with pytest.raises(ValueError, match="mode='wobbly'"):
        video.transfer(pan[:3], ref, mode="wobbly")
    with pytest.raises(TypeError, match="`window`"):
        video.transfer(pan[:3], ref, window=2.5)
    with pytest.raises(ValueError, match="needs a `reference`"):
        video.transfer(pan[:3])
    with pytest.raises(TypeError, match="one-shot"):
        video.transfer(iter(pan[:3]), ref)
