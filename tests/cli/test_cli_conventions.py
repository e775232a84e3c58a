"""The one CLI convention (docs/cli.md), checked for every subcommand the parser has.

The subcommands are discovered from :func:`chroma.cli.build_parser`; each needs an
entry in CASES (a new command fails ``test_every_command_has_a_case`` until it gets
one), which says how to run it fast on tiny files and what it writes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np
import pytest

from chroma.cli import build_parser, main
from chroma.io import read_image, write_image


def _commands(parser: argparse.ArgumentParser, prefix: tuple = ()) -> dict:
    """``{"lut apply": parser, ...}``: every leaf subcommand."""
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found.update(_commands(child, (*prefix, name)))
    if not found and prefix:
        found[" ".join(prefix)] = parser
    return found


COMMANDS = _commands(build_parser())
CUBE = "LUT_3D_SIZE 2\n0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1\n"

# argv (with {d} for the scratch folder), the output it writes ("folder/" for a
# folder), whether the success run is fast enough to do here, and an argv whose
# input is bad. "existing": what an existing output does: refuse (before any work)
# or skip (batch: a resumable run skips outputs that exist).
CASES = {
    "transfer": dict(argv=["transfer", "{d}/img.png", "{d}/ref.png"], out="out.png"),
    "colorize": dict(argv=["colorize", "{d}/img.png", "--method", "welsh", "--reference",
                           "{d}/ref.png", "--seed", "0"], out="out.png"),
    "recolor": dict(argv=["recolor", "{d}/img.png", "--to", "{d}/ref.png", "-n", "3"],
                    out="out.png"),
    "tone": dict(argv=["tone", "{d}/img.png", "--sepia"], out="out.png"),
    "splash": dict(argv=["splash", "{d}/img.png", "--hue", "40:30"], out="out.png"),
    "mask": dict(argv=["mask", "{d}/img.png", "--hue", "40:30"], out="out.png"),
    "stylize": dict(argv=["stylize", "{d}/img.png", "{d}/ref.png", "--size", "16",
                          "--iterations", "2"], out="out.png"),
    "run": dict(argv=["run", "{d}/r.json", "{d}/img.png"], out="out.png"),
    "lut apply": dict(argv=["lut", "apply", "{d}/g.cube", "{d}/img.png"], out="out.png"),
    "palette": dict(argv=["palette", "{d}/img.png", "-n", "3"], out="p.json"),
    "batch": dict(argv=["batch", "reinhard", "{d}/frames", "--reference", "{d}/ref.png",
                        "--scheduler", "sync"], out="batch_out/", existing="skip"),
    "video": dict(argv=["video", "{d}/frames", "--reference", "{d}/ref.png", "--window", "2",
                        "--sample", "2"], out="video_out/"),
    "demo": dict(argv=["demo", "--only", "spaces"], out="demo_out/"),
    "bench": dict(argv=["bench", "--only", "spaces"], out="bench_out/", runs=False),
    "info": dict(argv=["info", "{d}/img.png"], out=None),
    "warmup": dict(argv=["warmup", "--methods", "mkl", "--dtypes", "float32"], out=None),
    "serve": dict(argv=["serve", "{d}/img.png", "--no-browser"], out=None, runs=False),
}
BAD = {  # bad input: a missing file (or folder), or an output of the wrong kind
    "bench": ["bench", "--images", "{d}/nope", "-o", "{d}/bench_out"],
    "demo": ["demo", "--only", "spaces", "-o", "{d}/img.png"],
    "serve": ["serve", "{d}/nope.png", "--no-browser"],
    "warmup": ["warmup", "--methods", "nope"],
}
WRITERS = [c for c in CASES if CASES[c]["out"]]
RUNNERS = [c for c in WRITERS if CASES[c].get("runs", True)]
# what the command does first once the checks pass: patched to fail in the refusal test
WORK = {"demo": ("chroma.demo", "run_demo"), "bench": ("chroma.bench.harness", "run_cases")}


@pytest.fixture
def d(tmp_path, rng):
    img = rng.integers(0, 256, (24, 32, 3)).astype(np.uint8)
    img[:8, :, 0] = 220
    write_image(tmp_path / "img.png", img)
    write_image(tmp_path / "ref.png", rng.integers(0, 256, (20, 20, 3)).astype(np.uint8))
    (tmp_path / "g.cube").write_text(CUBE)
    (tmp_path / "r.json").write_text(json.dumps({"version": 1, "steps": [
        {"name": "look", "method": "reinhard", "reference": "ref.png"}]}))
    (tmp_path / "frames").mkdir()
    for i in range(3):
        write_image(tmp_path / "frames" / f"f{i}.png", np.roll(img, 3 * i, axis=1))
    return tmp_path


def _argv(d, case, *extra, out=None):
    argv = [a.format(d=d) for a in CASES[case]["argv"]]
    target = out if out is not None else CASES[case]["out"]
    if target:
        argv += ["-o", str(d / target.rstrip("/"))]
    return argv + list(extra)


def _run(capsys, argv):
    try:
        rc = main(argv)
    except SystemExit as exc:
        rc = exc.code
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def _existing(d, case):
    """Create the case's output as an existing one: (path of the sentinel file, its bytes)."""
    out = CASES[case]["out"]
    if out.endswith("/"):  # a folder that holds a file the run would write (or not)
        folder = d / out.rstrip("/")
        folder.mkdir()
        name = {"batch": "f0.png", "video": "frame_000000.png", "bench": "report.md",
                "demo": "index.html"}[case]
        sentinel = folder / name
    else:
        sentinel = d / out
    sentinel.write_bytes(b"keep me")
    return sentinel, sentinel.read_bytes()


def test_every_command_has_a_case():
    assert set(COMMANDS) == set(CASES), "add the new command to CASES (and BAD if needed)"


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_options(case):
    options = COMMANDS[case]._option_string_actions
    for flag in ("--debug", "--quiet"):
        assert flag in options, f"chroma {case} lacks {flag}"
    if CASES[case]["out"]:
        assert options.get("-o") is options.get("--output") is not None, case
        assert "--overwrite" in options, case
        assert "--out" not in options or options["--out"].help == argparse.SUPPRESS


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("flag", ["--debug", "--quiet"])
def test_debug_and_quiet_anywhere(d, case, flag):
    argv = _argv(d, case)
    dest = flag.lstrip("-")
    parser = build_parser()
    for where in ([flag, *argv], [*argv, flag], [argv[0], flag, *argv[1:]]):
        assert getattr(parser.parse_args(where), dest) is True, where
    assert getattr(parser.parse_args(argv), dest) is False


@pytest.mark.parametrize("case", sorted(WRITERS))
def test_existing_output_is_refused_before_any_work(d, case, capsys, monkeypatch):
    sentinel, content = _existing(d, case)
    mtime = sentinel.stat().st_mtime_ns
    if CASES[case].get("existing") == "skip":  # batch resumes: existing outputs are skipped
        rc, out, err = _run(capsys, _argv(d, case))
        assert rc == 0, err
        assert "1 skipped" in out
    else:
        def no_work(*args, **kwargs):
            raise AssertionError(f"chroma {case} started working before refusing")

        monkeypatch.setattr("chroma.io.read_image", no_work)
        if case in WORK:
            monkeypatch.setattr(".".join(WORK[case]), no_work)
        rc, out, err = _run(capsys, _argv(d, case))
        assert rc == 2, err
        assert len(err.strip().splitlines()) == 1, err
        assert "--overwrite" in err
    assert sentinel.read_bytes() == content and sentinel.stat().st_mtime_ns == mtime


@pytest.mark.parametrize("case", sorted(RUNNERS))
def test_overwrite_replaces_and_quiet_silences(d, case, capsys):
    sentinel, content = _existing(d, case)
    rc, out, err = _run(capsys, _argv(d, case, "--overwrite"))
    assert rc == 0, err
    if case != "demo":  # the demo writes index.html; other files in its folder stay
        assert sentinel.read_bytes() != content
    assert "wrote" in out or "done" in out, out  # each command says what it wrote
    fresh = "quiet_" + CASES[case]["out"]
    rc, out, err = _run(capsys, _argv(d, case, "--quiet", out=fresh))
    assert rc == 0, err
    assert out == ""
    assert (d / fresh.rstrip("/")).exists()


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_exit_2(d, case, capsys):
    if case in BAD:
        argv = [a.format(d=d) for a in BAD[case]]
    else:  # the first argument that names an input file, made missing
        argv = _argv(d, case, out=CASES[case]["out"] and "new_" + CASES[case]["out"])
        first = next(i for i, a in enumerate(argv) if a.startswith(str(d)))
        argv[first] = str(d / "nope.png")
    rc, _, err = _run(capsys, argv)
    assert rc == 2, (argv, err)
    assert len(err.strip().splitlines()) == 1, err
    assert "nope" in err or "img.png" in err


# ------------------------------------------------------------ streams, globs, seeds
def _cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "chroma", *args], input=stdin,
                          capture_output=True)


def test_stdin_to_stdout_carries_only_the_image(d):
    png = (d / "img.png").read_bytes()
    piped = _cli("transfer", "-", str(d / "ref.png"), "-o", "-", stdin=png)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith(b"\x89PNG")  # the format of the input
    assert b"wrote <stdout> (png)" in piped.stderr
    (d / "piped.png").write_bytes(piped.stdout)
    assert _cli("transfer", str(d / "img.png"), str(d / "ref.png"), "-o",
                str(d / "file.png")).returncode == 0
    np.testing.assert_array_equal(read_image(d / "piped.png"), read_image(d / "file.png"))
    jpeg = _cli("tone", "-", "--sepia", "-o", "-", "--format", "jpg", "--quiet", stdin=png)
    assert jpeg.returncode == 0 and jpeg.stdout.startswith(b"\xff\xd8\xff")
    assert jpeg.stderr == b""


def test_stream_errors_are_one_line(d, capsys):
    for argv, word in ((["tone", "-", "--sepia", "-o", "-"], "empty"),
                       (["tone", str(d / "img.png"), str(d / "frames"), "--sepia", "-o", "-"],
                        "single input"),
                       (["tone", str(d / "img.png"), "--sepia", "-o", str(d / "o.png"),
                         "--format", "png"], "--format")):
        proc = _cli(*argv, stdin=b"")
        err = proc.stderr.decode()
        assert proc.returncode == 2, err
        assert len(err.strip().splitlines()) == 1 and word in err, err
        assert proc.stdout == b""


def test_several_inputs_and_globs(d, capsys):
    (d / "shots").mkdir()
    for name in ("a.png", "b.png", "notes.txt"):
        (d / "shots" / name).write_bytes((d / "img.png").read_bytes())
    rc, out, err = _run(capsys, ["transfer", str(d / "img.png"), str(d / "frames"),
                                 str(d / "shots" / "*.png"), "--reference", str(d / "ref.png"),
                                 "-o", str(d / "outdir")])
    assert rc == 0, err
    assert sorted(p.name for p in (d / "outdir").iterdir()) == [
        "a.png", "b.png", "f0.png", "f1.png", "f2.png", "img.png"]
    assert out.strip() == f"chroma transfer: wrote 6 images to {d / 'outdir'}"
    # two inputs of the same name would land on one output: refused before any work
    rc, out, err = _run(capsys, ["tone", str(d / "img.png"), str(d / "shots" / "a.png"),
                                 str(d / "frames" / "f0.png"), str(d / "img.png"), "--sepia",
                                 "-o", str(d / "o2")])
    assert rc == 0, err  # the same file twice is one input
    rc, out, err = _run(capsys, ["tone", str(d / "shots" / "*.png"), str(d / "img.png"),
                                 str(d / "shots"), "--sepia", "-o", str(d / "o3")])
    assert rc == 0, err  # a.png, b.png (once each), img.png
    assert sorted(p.name for p in (d / "o3").iterdir()) == ["a.png", "b.png", "img.png"]
    (d / "other").mkdir()
    write_image(d / "other" / "a.png", read_image(d / "img.png"))
    rc, out, err = _run(capsys, ["tone", str(d / "shots"), str(d / "other"), "--sepia",
                                 "-o", str(d / "o4")])
    assert rc == 2 and "would both be written" in err and not (d / "o4").exists()
    rc, out, err = _run(capsys, ["tone", str(d / "x*.png"), "--sepia", "-o", str(d / "o5")])
    assert rc == 2 and "matches no image" in err


def test_folder_run_checks_every_output_first(d, capsys):
    (d / "out").mkdir()
    (d / "out" / "f2.png").write_bytes(b"keep me")
    rc, _, err = _run(capsys, ["tone", str(d / "frames"), "--sepia", "-o", str(d / "out")])
    assert rc == 2 and "f2.png" in err and "--overwrite" in err
    assert sorted(p.name for p in (d / "out").iterdir()) == ["f2.png"]  # f0, f1 not written
    (d / "x.gif").write_bytes(b"GIF89a")  # readable, not writable: refused before any work
    rc, _, err = _run(capsys, ["tone", str(d / "img.png"), str(d / "x.gif"), "--sepia",
                                 "-o", str(d / "o6")])
    assert rc == 2 and "x.gif" in err and not (d / "o6").exists()


def _bytes(d, capsys, argv, name):
    rc, _, err = _run(capsys, [*argv, "-o", str(d / name)])
    assert rc == 0, err
    return (d / name).read_bytes()


@pytest.mark.parametrize("argv", [
    ["colorize", "{d}/img.png", "--method", "welsh", "--reference", "{d}/ref.png"],
    ["transfer", "{d}/img.png", "{d}/ref.png", "--method", "idt", "--set", "n_iter=3"],
    ["transfer", "{d}/img.png", "{d}/ref.png", "--method", "sot", "--set", "n_iter=3"],
], ids=["colorize-welsh", "transfer-idt", "transfer-sot"])
def test_seed_gives_identical_bytes(d, capsys, argv):
    argv = [a.format(d=d) for a in argv]
    a = _bytes(d, capsys, [*argv, "--seed", "7"], "a.png")
    b = _bytes(d, capsys, [*argv, "--seed", "7"], "b.png")
    c = _bytes(d, capsys, [*argv, "--seed", "8"], "c.png")
    assert a == b
    assert a != c  # the seed matters: without --seed each run draws afresh


@pytest.mark.parametrize(("argv", "option"), [
    (["colorize", "{d}/img.png", "--method", "welsh", "--reference", "{d}/ref.png",
      "--strength", "0.5"], "--strength"),
    (["colorize", "{d}/img.png", "--method", "welsh", "--reference", "{d}/ref.png",
      "--vibrancy", "0.5"], "--vibrancy"),
    (["colorize", "{d}/img.png", "--method", "scribble", "--hints", "{d}/g.cube", "--seed",
      "1"], "--seed"),
    (["transfer", "{d}/img.png", "{d}/ref.png", "--seed", "1"], "--seed"),
    (["batch", "mkl", "{d}/frames", "--reference", "{d}/ref.png", "--seed", "1"], "--seed"),
])
def test_options_a_method_does_not_take_are_errors(d, capsys, monkeypatch, argv, option):
    monkeypatch.setattr("chroma.io.read_image", lambda *a, **k: pytest.fail("read"))
    rc, _, err = _run(capsys, [a.format(d=d) for a in argv] + ["-o", str(d / "o")])
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and option in err and "does not apply" in err


def test_out_is_a_deprecated_alias(d, capsys):
    rc, _, err = _run(capsys, ["demo", "--only", "spaces", "--out", str(d / "old")])
    assert rc == 0, err
    assert (d / "old" / "index.html").exists()
    assert err.count("--out is deprecated") == 1
    rc, _, err = _run(capsys, ["demo", "--only", "spaces", "--out", str(d / "old")])
    assert rc == 2 and "not empty" in err  # the demo never silently overwrites a folder


def test_quiet_silences_progress_bars_but_not_errors(d, capsys):
    rc, out, err = _run(capsys, ["tone", str(d / "frames"), "--sepia", "-o", str(d / "q")])
    assert rc == 0 and "3/3" in err and out.strip() == f"chroma tone: wrote 3 images to {d / 'q'}"
    rc, out, err = _run(capsys, ["--quiet", "tone", str(d / "frames"), "--sepia", "-o",
                                 str(d / "q2")])
    assert rc == 0 and out == "" and err == ""
    assert len(list((d / "q2").iterdir())) == 3
    rc, out, err = _run(capsys, ["tone", str(d / "frames"), "--sepia", "-o", str(d / "q2"),
                                 "--quiet"])
    assert rc == 2 and out == "" and "exists" in err


def test_info_takes_globs_folders_and_stdin(d):
    proc = _cli("info", str(d / "frames" / "f*.png"), str(d / "frames"), "-")
    assert proc.returncode == 2 and b"only input" in proc.stderr
    proc = _cli("info", str(d / "frames" / "f*.png"), str(d / "img.png"))
    lines = proc.stdout.decode().splitlines()
    assert proc.returncode == 0 and len(lines) == 4 and all("32x24 RGB uint8" in x for x in lines)
    proc = _cli("info", "-", stdin=(d / "ref.png").read_bytes())
    assert proc.returncode == 0 and proc.stdout.decode().startswith("<stdin>: 20x20 RGB")


STREAMERS = sorted(c for c, p in COMMANDS.items()
                   if any(a.dest == "stream_format" for a in p._actions))


def test_every_per_image_command_streams():
    assert STREAMERS == ["colorize", "lut apply", "mask", "recolor", "run", "splash",
                         "stylize", "tone", "transfer"]


@pytest.mark.parametrize("case", STREAMERS)
def test_stdin_and_stdout_for_each_streaming_command(d, case, capsysbinary, monkeypatch):
    import io

    class Stdin:
        buffer = io.BytesIO((d / "img.png").read_bytes())

    monkeypatch.setattr(sys, "stdin", Stdin)
    argv = [a.format(d=d) for a in CASES[case]["argv"]]
    argv[argv.index(str(d / "img.png"))] = "-"
    try:
        rc = main([*argv, "-o", "-", "--format", "tif"])
    except SystemExit as exc:
        rc = exc.code
    out, err = capsysbinary.readouterr()
    assert rc == 0, err
    assert out.startswith(b"II*\x00") or out.startswith(b"MM\x00*")  # only the TIFF
    assert b"wrote <stdout> (tif)" in err
