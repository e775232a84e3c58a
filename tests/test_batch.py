"""chroma.batch: schedulers agree bit for bit, runs resume, failures are recorded."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import chroma
from chroma.batch import BatchError, apply, process_file, resolve_inputs
from chroma.cli import main

pytestmark = pytest.mark.usefixtures("sigint_kept")  # tests/conftest.py

DATA = Path(__file__).resolve().parents[1] / "data"
N = 20

RECIPE = """
[[steps]]
name = "grade"
method = "reinhard"
reference = "ref.png"

[[steps]]
name = "match"
method = "histogram"
reference = "ref.png"
strength = 0.7
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """20 small crops of a bundled photo, a reference and a two-step recipe."""
    d = tmp_path_factory.mktemp("batch")
    photo = chroma.read_image(DATA / "astronaut.png")
    rng = np.random.default_rng(1)
    (d / "in").mkdir()
    for i in range(N):
        y, x = rng.integers(0, photo.shape[0] - 48, 2)
        chroma.write_image(d / "in" / f"f{i:02d}.png", photo[y:y + 40, x:x + 48])
    chroma.write_image(d / "ref.png", chroma.read_image(DATA / "coffee.png")[::4, ::4])
    (d / "recipe.toml").write_text(RECIPE)
    return d


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")  # in the dev extra: CI has it
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        yield client


def test_sync_processes_dask_are_bit_identical(corpus, dask_client, tmp_path):
    recipe = corpus / "recipe.toml"
    runs = {}
    for name, scheduler in [("sync", "sync"), ("threads", "threads"),
                            ("processes", "processes"), ("dask", dask_client)]:
        result = apply(corpus / "in", recipe, tmp_path / name, scheduler=scheduler,
                       workers=2, progress=False)
        assert result.ok and result.done == N, result.report()
        runs[name] = _bytes(tmp_path / name)
    assert len(runs["sync"]) == N
    for name in ("threads", "processes", "dask"):
        assert runs[name] == runs["sync"], name
    # and they are the Python API's pictures, not copies of the inputs
    pipe = chroma.Pipeline.load(recipe).fit()
    src = chroma.read_image(corpus / "in" / "f00.png")
    np.testing.assert_array_equal(chroma.read_image(tmp_path / "dask" / "f00.png"),
                                  pipe.transform(src))
    assert not np.array_equal(pipe.transform(src), src)


def test_dask_address_and_records(corpus, dask_client, tmp_path):
    step = chroma.ReinhardTransfer().fit(chroma.read_image(corpus / "ref.png"))
    address = dask_client.scheduler.address
    assert address.startswith("tcp://")
    result = apply(sorted((corpus / "in").glob("*.png"))[:5], step, tmp_path, scheduler=address,
                   progress=False)
    assert result.scheduler == "dask" and result.done == 5
    assert [Path(r.path).name for r in result.records] == [f"f{i:02d}.png" for i in range(5)]
    assert all(r.seconds > 0 and r.error is None for r in result.records)


def test_corrupt_input_among_20_is_recorded(corpus, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for p in sorted((corpus / "in").iterdir())[: N - 1]:
        (src / p.name).write_bytes(p.read_bytes())
    (src / "broken.png").write_bytes((corpus / "in" / "f00.png").read_bytes()[:60])
    for scheduler in ("sync", "processes"):
        out = tmp_path / scheduler
        result = apply(src, corpus / "recipe.toml", out, scheduler=scheduler, workers=2,
                       progress=False)
        assert (result.done, result.skipped, len(result.failures)) == (N - 1, 0, 1)
        [bad] = result.failures
        assert Path(bad.path).name == "broken.png" and "ImageReadError" in bad.error
        assert len(_bytes(out)) == N - 1 and not (out / "broken.png").exists()
        assert "1 failed" in str(result) and "broken.png" in result.report()


def test_killed_run_resumes_with_only_the_missing_files(corpus, tmp_path):
    out = tmp_path / "out"
    script = textwrap.dedent(f"""
        import time
        import chroma
        from chroma.batch import apply

        class Slow:  # the real grade, slowed down so the run can be killed midway
            def __init__(self, inner):
                self.inner, self.fitted_ = inner, True
            def fit(self, ref):
                return self
            def transform(self, image):
                time.sleep(0.15)
                return self.inner.transform(image)

        pipe = chroma.Pipeline.load({str(corpus / 'recipe.toml')!r}).fit()
        apply({str(corpus / 'in')!r}, Slow(pipe), {str(out)!r}, progress=False)
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path.cwd()), *sys.path])}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if out.is_dir() and len(_bytes(out)) >= 4:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    first = _bytes(out)
    assert 4 <= len(first) < N, "the run must be killed midway"
    stamps = {n: (out / n).stat().st_mtime_ns for n in first}
    (out / ".f19.png.stale.png").write_bytes(b"left by a killed write")  # as write_image would
    result = apply(corpus / "in", corpus / "recipe.toml", out, scheduler="processes", workers=2,
                   progress=False)
    assert result.skipped == len(first) and result.done == N - len(first) and result.ok
    assert {n: (out / n).stat().st_mtime_ns for n in first} == stamps  # not rewritten
    everything = sorted(p.name for p in out.iterdir())
    assert everything == [f"f{i:02d}.png" for i in range(N)]  # stale temporary removed
    apply(corpus / "in", corpus / "recipe.toml", tmp_path / "fresh", progress=False)
    assert _bytes(out) == _bytes(tmp_path / "fresh")


def test_overwrite_and_on_error_raise(corpus, tmp_path):
    step = chroma.ReinhardTransfer()
    files = sorted((corpus / "in").glob("f0*.png"))[:3]
    first = apply(files, step, tmp_path, reference=corpus / "ref.png", progress=False)
    assert first.done == 3
    again = apply(files, step, tmp_path, overwrite=True, progress=False)
    assert again.done == 3 and again.skipped == 0
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.png").write_bytes(b"nope")
    with pytest.raises(BatchError, match="x.png"):
        apply(bad, step, tmp_path / "o", on_error="raise", progress=False)


def test_resolve_inputs_folder_glob_list(corpus):
    folder = resolve_inputs(corpus / "in")
    assert [p.name for p in folder] == [f"f{i:02d}.png" for i in range(N)]
    assert resolve_inputs(str(corpus / "in" / "f1*.png")) == folder[10:]
    assert resolve_inputs([folder[3], folder[3], str(folder[0])]) == [folder[3], folder[0]]


def test_bad_arguments_are_clear_errors(corpus, tmp_path):
    step = chroma.ReinhardTransfer().fit(chroma.read_image(corpus / "ref.png"))
    with pytest.raises(ValueError, match="scheduler='bogus'"):
        apply(corpus / "in", step, tmp_path, scheduler="bogus")
    with pytest.raises(TypeError, match="scheduler"):
        apply(corpus / "in", step, tmp_path, scheduler=3)
    with pytest.raises(ValueError, match="is one of the inputs"):
        apply(corpus / "in", step, corpus / "in")
    with pytest.raises(ValueError, match="not fitted"):
        apply(corpus / "in", chroma.ReinhardTransfer(), tmp_path)
    with pytest.raises(TypeError, match="`step`"):
        apply(corpus / "in", object(), tmp_path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        apply(tmp_path / "missing", step, tmp_path / "o")
    with pytest.raises(ValueError, match="on_error"):
        apply(corpus / "in", step, tmp_path, on_error="ignore")
    twin = tmp_path / "twin"
    twin.mkdir()
    (twin / "f00.png").write_bytes((corpus / "in" / "f00.png").read_bytes())
    with pytest.raises(ValueError, match="would both be written"):
        apply([corpus / "in" / "f00.png", twin / "f00.png"], step, tmp_path / "o")
    assert not any((corpus / "in").glob(".*"))  # nothing written next to the inputs


def test_process_file_never_raises(tmp_path):
    rec = process_file(str(tmp_path / "none.png"), str(tmp_path / "o.png"), None)
    assert rec.status == "failed" and "no such" in rec.error.lower()


def test_cli_exit_codes(corpus, tmp_path, capsys):
    ok = main(["batch", "reinhard", str(corpus / "in" / "f00.png"), str(corpus / "in" / "f01.png"),
               "-o", str(tmp_path / "a"), "--reference", str(corpus / "ref.png"),
               "--scheduler", "sync"])
    assert ok == 0 and "2 done" in capsys.readouterr().out
    step = chroma.ReinhardTransfer().fit(chroma.read_image(corpus / "ref.png"))
    np.testing.assert_array_equal(chroma.read_image(tmp_path / "a" / "f01.png"),
                                  step.transform(chroma.read_image(corpus / "in" / "f01.png")))
    (tmp_path / "bad.png").write_bytes(b"garbage")
    some_failed = main(["batch", str(corpus / "recipe.toml"), str(corpus / "in" / "f02.png"),
                        str(tmp_path / "bad.png"), "-o", str(tmp_path / "b"),
                        "--scheduler", "threads", "--quiet"])
    captured = capsys.readouterr()
    assert some_failed == 1
    assert "1 done" in captured.out and "1 failed" in captured.out
    assert "bad.png" in captured.err
    assert main(["batch", "reinhard", str(corpus / "in"), "-o", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--reference" in err
    assert main(["batch", "reinhard", str(corpus / "in"), "-o", str(tmp_path / "c"),
                 "--reference", str(corpus / "ref.png"), "--scheduler", "bogus"]) == 2
    assert main(["batch", "nosuch.txt", str(corpus / "in"), "-o", str(tmp_path / "c")]) == 2
    assert not (tmp_path / "c").exists()


def test_large_images_stream_the_recipe_identically_on_every_scheduler(corpus, tmp_path):
    """Images large enough for the recipe's row-tile execution (pool workers run it on
    one thread, with other tiles than "sync"): the in-memory pictures, bit for bit."""
    from chroma.compositing import _apply_layers

    a = chroma.read_image(DATA / "astronaut.png")
    wide = np.hstack([a, a[:, ::-1]])[:400]  # 400 x 1024: histogram matching's large paths
    src = tmp_path / "in"
    src.mkdir()
    for i in range(2):
        chroma.write_image(src / f"w{i}.png", np.roll(wide, 97 * i, axis=1))
    recipe = corpus / "recipe.toml"
    for scheduler in ("sync", "processes"):
        result = apply(src, recipe, tmp_path / scheduler, scheduler=scheduler, workers=2,
                       progress=False)
        assert result.ok and result.done == 2, result.report()
    assert _bytes(tmp_path / "processes") == _bytes(tmp_path / "sync")
    pipe = chroma.Pipeline.load(recipe).fit()
    layers = [(s.estimator, None, s.mode, s.strength) for s in pipe.steps]
    img = chroma.read_image(src / "w1.png")
    np.testing.assert_array_equal(chroma.read_image(tmp_path / "processes" / "w1.png"),
                                  _apply_layers(img, layers))


def test_pool_workers_run_chroma_on_one_thread():
    """Even when Numba was imported first (a Dask worker that ran other tasks)."""
    code = ("import numba, chroma.batch as b; from chroma._core.parallel import "
            "get_num_threads; b._limit_threads(); print(get_num_threads())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[1],
                         env={**os.environ, "CHROMA_NUM_THREADS": "2"})
    assert out.stdout.split() == ["1"]


def test_threads_and_in_process_dask_leave_the_callers_environment_alone(corpus, tmp_path):
    """_limit_threads runs only in worker processes of their own: never in the caller."""
    from chroma._core.parallel import get_num_threads

    step = chroma.ReinhardTransfer().fit(chroma.read_image(corpus / "ref.png"))
    threads = get_num_threads()
    env = dict(os.environ)
    result = apply(corpus / "in", step, tmp_path / "threads", scheduler="threads", workers=2,
                   progress=False)
    assert result.ok and result.done == N
    assert dict(os.environ) == env and get_num_threads() == threads
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                            dashboard_address=":0") as client:
        env = dict(os.environ)  # what Dask itself sets is not ours
        result = apply(corpus / "in", step, tmp_path / "dask", scheduler=client,
                       progress=False)
        assert result.ok and result.done == N
        assert dict(os.environ) == env and get_num_threads() == threads
    assert _bytes(tmp_path / "dask") == _bytes(tmp_path / "threads")
