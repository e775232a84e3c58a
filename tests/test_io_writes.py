"""write_image under kills, races and umasks; formats that cannot hold an image (issue 16)."""

import multiprocessing
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from chroma import io as cio
from chroma.io import atomic_path, check_writable, read_image, write_image

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def umask():
    """Set the process umask for one test; restored afterwards."""
    saved = os.umask(0o022)
    os.umask(saved)

    def set_(mask):
        os.umask(mask)

    yield set_
    os.umask(saved)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# --------------------------------------------------------------------------- formats
@pytest.mark.parametrize(("ext", "image", "match"), [
    (".bmp", np.zeros((2, 2, 4), np.uint8), "BMP has no alpha; use .png, .tif or .webp"),
    (".bmp", np.zeros((2, 2, 2), np.uint8), "BMP has no alpha"),
    (".jpg", np.zeros((2, 2, 4), np.uint8), "JPEG has no alpha"),
    (".jpeg", np.zeros((2, 2, 2), np.uint8), "JPEG has no alpha"),
    (".webp", np.zeros((2, 2), np.uint8), "WEBP stores RGB.A. only .* use .png or .tif"),
    (".webp", np.zeros((2, 2, 2), np.uint8), "gray"),
    (".webp", np.zeros((2, 2, 1), np.uint8), "gray"),
    (".jpg", np.zeros((2, 2, 3), np.uint16), "JPEG stores 8 bits; use .png or .tif"),
    (".bmp", np.zeros((2, 2), np.uint16), "BMP stores 8 bits"),
    (".webp", np.zeros((2, 2, 3), np.uint16), "WEBP stores 8 bits"),
])
def test_formats_refuse_what_they_cannot_hold(tmp_path, ext, image, match):
    path = tmp_path / f"x{ext}"
    with pytest.raises(ValueError, match=match):
        check_writable(path, image)
    with pytest.raises(ValueError, match=match):
        write_image(path, image)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("ext", "shape"), [
    (".png", (3, 4)), (".png", (3, 4, 2)), (".png", (3, 4, 4)), (".tif", (3, 4, 2)),
    (".tif", (3, 4, 4)), (".jpg", (3, 4)), (".bmp", (3, 4)), (".bmp", (3, 4, 3)),
    (".webp", (3, 4, 3)), (".webp", (3, 4, 4)),
])
def test_what_a_format_accepts_reads_back_with_the_same_layout(tmp_path, ext, shape):
    img = np.full(shape, 200, np.uint8)
    write_image(tmp_path / f"x{ext}", img)
    back = read_image(tmp_path / f"x{ext}")
    assert back.shape == img.shape and back.dtype == img.dtype


# --------------------------------------------------------------------------- temp files
def test_temporary_name_is_hidden_and_has_no_image_extension(tmp_path, monkeypatch):
    seen = []
    real = cio._write

    def spy(tmp, *args):
        seen.append((Path(tmp), sorted(p.name for p in tmp_path.iterdir()),
                     list(tmp_path.glob("*.png")) + list(tmp_path.glob("*.PNG"))))
        real(tmp, *args)

    monkeypatch.setattr(cio, "_write", spy)
    write_image(tmp_path / "photo.png", np.zeros((2, 2), np.uint8))
    tmp, listing, globbed = seen[0]
    assert tmp.parent == tmp_path
    assert tmp.name.startswith(".photo.png.chroma-tmp-")
    assert tmp.suffix.lower() not in cio.READ_EXTENSIONS
    assert listing == [tmp.name] and globbed == []  # no input glob sees it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photo.png"]


def test_failed_encode_leaves_nothing(tmp_path, monkeypatch):
    def boom(tmp, *args):
        Path(tmp).write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(cio, "_write", boom)
    with pytest.raises(OSError, match="disk full"):
        write_image(tmp_path / "x.png", np.zeros((2, 2), np.uint8))
    assert list(tmp_path.iterdir()) == []
    assert not cio._PENDING


def test_atomic_path_exception_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "a.txt") as tmp:
        tmp.write_text("partial")
        raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_image(tmp_path / "no" / "x.png", np.zeros((2, 2), np.uint8))


_SLOW_WRITER = textwrap.dedent("""
    import signal, sys, time
    from pathlib import Path
    import numpy as np
    from chroma import io as cio

    # Python's own SIGINT handler, as in any interactive start (a job started in the
    # background by a shell inherits SIGINT ignored, and Python then leaves it so)
    signal.signal(signal.SIGINT, signal.default_int_handler)

    def slow(tmp, *args):
        Path(tmp).write_bytes(b"partial")
        print("writing", flush=True)
        time.sleep(60)

    cio._write = slow
    if sys.argv[2] == "handler":  # an application handler that raises: writers unwind
        import signal
        def stop(signum, frame):
            raise SystemExit(3)
        signal.signal(signal.SIGTERM, stop)
    cio.write_image(Path(sys.argv[1]) / "out.png", np.zeros((4, 4), np.uint8))
""")


@pytest.mark.parametrize(("sig", "handler", "code"), [
    (signal.SIGTERM, "default", -signal.SIGTERM),
    (signal.SIGINT, "default", -signal.SIGINT),  # uncaught KeyboardInterrupt
    (signal.SIGTERM, "handler", 3),
])
def test_signal_during_write_removes_the_temporary_file(tmp_path, sig, handler, code):
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(tmp_path), handler],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        assert len(list(tmp_path.iterdir())) == 1  # the temporary file exists now
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, proc.stderr.read()
    assert list(tmp_path.iterdir()) == []


def test_interpreter_exit_removes_pending_temporary_files(tmp_path):
    script = textwrap.dedent("""
        import sys, threading, time
        from pathlib import Path
        import numpy as np
        from chroma import io as cio

        def slow(tmp, *args):
            Path(tmp).write_bytes(b"partial")
            print("writing", flush=True)
            time.sleep(60)

        cio._write = slow
        t = threading.Thread(target=cio.write_image, daemon=True,
                             args=(Path(sys.argv[1]) / "out.png", np.zeros((4, 4), np.uint8)))
        t.start()
        time.sleep(0.5)
    """)
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "writing"
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- races
def _write_new(path, barrier, results):
    barrier.wait()
    try:
        write_image(path, np.zeros((8, 8), np.uint8) + os.getpid() % 256)
        results.put("ok")
    except FileExistsError:
        results.put("exists")
    except Exception as err:  # pragma: no cover - reported by the assert below
        results.put(f"{type(err).__name__}: {err}")


def test_concurrent_processes_exactly_one_creates_the_file(tmp_path):
    ctx = multiprocessing.get_context("fork")
    n, rounds = 8, 6
    for r in range(rounds):
        path = tmp_path / f"race{r}.png"
        barrier, results = ctx.Barrier(n), ctx.Queue()
        procs = [ctx.Process(target=_write_new, args=(path, barrier, results))
                 for _ in range(n)]
        for p in procs:
            p.start()
        outcome = sorted(results.get(timeout=60) for _ in range(n))
        for p in procs:
            p.join(timeout=60)
        assert outcome == ["exists"] * (n - 1) + ["ok"], outcome
        assert read_image(path).shape == (8, 8)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"race{r}.png" for r in range(rounds)]


def test_concurrent_threads_exactly_one_creates_the_file(tmp_path):
    n = 16
    for r in range(5):
        path = tmp_path / f"t{r}.png"
        barrier = threading.Barrier(n)
        out = []

        def go(value, barrier=barrier, out=out, path=path):
            barrier.wait()
            try:
                write_image(path, np.full((16, 16), value, np.uint8))
                out.append(value)
            except FileExistsError:
                out.append(None)

        threads = [threading.Thread(target=go, args=(v,)) for v in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [v for v in out if v is not None]
        assert len(winners) == 1 and len(out) == n
        assert int(read_image(path)[0, 0]) == winners[0]  # the file is the winner's, whole
    assert len(list(tmp_path.iterdir())) == 5


def test_link_free_file_system_fallback_is_still_exclusive(tmp_path, monkeypatch):
    import errno

    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(cio.os, "link", no_links)
    path = tmp_path / "x.png"
    write_image(path, np.zeros((2, 2), np.uint8))
    assert read_image(path).shape == (2, 2)
    with pytest.raises(FileExistsError):
        write_image(path, np.ones((2, 2), np.uint8))
    assert read_image(path).max() == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.png"]


def test_file_appearing_during_the_write_is_not_replaced(tmp_path, monkeypatch):
    path = tmp_path / "x.png"
    real = cio._write

    def slow(tmp, *args):
        real(tmp, *args)
        path.write_bytes(b"someone else's file")  # appears between check and commit

    monkeypatch.setattr(cio, "_write", slow)
    with pytest.raises(FileExistsError, match="exists"):
        write_image(path, np.zeros((2, 2), np.uint8))
    assert path.read_bytes() == b"someone else's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.png"]


# --------------------------------------------------------------------------- modes
@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664),
                                                (0o077, 0o600)])
def test_new_files_get_the_mode_the_umask_allows(tmp_path, umask, mask, expected):
    umask(mask)
    for ext in (".png", ".tif", ".jpg"):
        write_image(tmp_path / f"x{ext}", np.zeros((2, 2, 3), np.uint8))
        assert _mode(tmp_path / f"x{ext}") == expected
    write_image(tmp_path / "y.png", np.zeros((2, 2, 3), np.uint16))
    assert _mode(tmp_path / "y.png") == expected


def test_replaced_file_keeps_its_mode(tmp_path, umask):
    umask(0o077)
    path = tmp_path / "x.png"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    write_image(path, np.zeros((2, 2), np.uint8), overwrite=True)
    assert _mode(path) == 0o640
    assert read_image(path).shape == (2, 2)


def test_overwrite_replaces_a_symlink_not_its_target(tmp_path):
    target = tmp_path / "target.png"
    write_image(target, np.zeros((2, 2), np.uint8))
    link = tmp_path / "link.png"
    link.symlink_to(target)
    with pytest.raises(FileExistsError):
        write_image(link, np.ones((2, 2), np.uint8))
    write_image(link, np.ones((2, 2), np.uint8), overwrite=True)
    assert not link.is_symlink() and read_image(link).max() == 1
    assert read_image(target).max() == 0


def test_forked_child_killed_does_not_remove_the_parents_temporary_file(tmp_path):
    ctx = multiprocessing.get_context("fork")
    with atomic_path(tmp_path / "x.txt") as tmp:
        tmp.write_text("parent's data")
        ready = ctx.Event()
        child = ctx.Process(target=_sleep, args=(ready, 30))
        child.start()
        assert ready.wait(timeout=30)
        child.terminate()  # SIGTERM: the child's handler must not touch our file
        child.join(timeout=30)
        assert child.exitcode == -signal.SIGTERM
        assert tmp.exists()
    assert (tmp_path / "x.txt").read_text() == "parent's data"


def _sleep(ready, seconds):
    import time

    ready.set()
    time.sleep(seconds)


@pytest.fixture
def default_signal_handlers(monkeypatch):
    """SIGTERM default and Python's SIGINT handler, as at a normal start; restored after."""
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    monkeypatch.setattr(cio, "_HANDLED", {})
    yield
    for s, h in before.items():
        signal.signal(s, h)


def test_signal_handlers_are_installed_once_and_chain(tmp_path, default_signal_handlers):
    write_image(tmp_path / "a.png", np.zeros((2, 2), np.uint8))
    assert signal.getsignal(signal.SIGTERM) is cio._signal_handler
    write_image(tmp_path / "b.png", np.zeros((2, 2), np.uint8))
    assert signal.getsignal(signal.SIGTERM) is cio._signal_handler
    # Python's own SIGINT handler (KeyboardInterrupt) is chained, not replaced
    assert cio._HANDLED[signal.SIGINT] is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):
        cio._signal_handler(signal.SIGINT, None)


def test_write_from_a_worker_thread_installs_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(cio, "_HANDLED", {})
    before = signal.getsignal(signal.SIGTERM)
    t = threading.Thread(target=write_image,
                         args=(tmp_path / "a.png", np.zeros((2, 2), np.uint8)))
    t.start()
    t.join()
    assert signal.getsignal(signal.SIGTERM) is before
    assert (tmp_path / "a.png").exists()
