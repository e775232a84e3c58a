"""The one thread policy: set_num_threads / CHROMA_NUM_THREADS, no load-average rule."""

import os
import subprocess
import sys

import numpy as np
import pytest

import chroma
from chroma._core import parallel


@pytest.fixture(autouse=True)
def _restore():
    yield
    parallel.set_num_threads(None)


def test_set_num_threads_returns_previous_and_validates():
    cores = parallel.get_num_threads()
    assert chroma.set_num_threads(1) == cores
    assert chroma.get_num_threads() == 1
    assert chroma.set_num_threads(10_000) == 1
    assert chroma.get_num_threads() == parallel._cores()  # capped at Numba's pool
    with pytest.raises(TypeError, match="integer"):
        chroma.set_num_threads(1.5)
    with pytest.raises(TypeError, match="integer"):
        chroma.set_num_threads(True)
    with pytest.raises(ValueError, match=">= 1, got 0"):
        chroma.set_num_threads(0)


def test_env_var_sets_the_default_and_is_checked(monkeypatch):
    monkeypatch.setenv("CHROMA_NUM_THREADS", "1")
    assert parallel.get_num_threads() == 1
    chroma.set_num_threads(2)
    assert parallel.get_num_threads() == min(2, parallel._cores())  # the call wins
    chroma.set_num_threads(None)
    assert parallel.get_num_threads() == 1
    monkeypatch.setenv("CHROMA_NUM_THREADS", "0")
    with pytest.raises(ValueError, match="CHROMA_NUM_THREADS"):
        parallel.get_num_threads()


def test_sized_kernels_run_on_the_chosen_threads_whatever_the_load(monkeypatch):
    import numba

    seen = []
    run = parallel.sized(lambda x: seen.append(numba.get_num_threads()))
    big = np.zeros((parallel.PARALLEL_MIN_PIXELS, 3), np.float32)
    small = big[: parallel.PARALLEL_MIN_PIXELS - 1]
    monkeypatch.setattr(os, "getloadavg", lambda: (1e3, 1e3, 1e3), raising=False)
    before = numba.get_num_threads()
    run(big)
    run(small)
    chroma.set_num_threads(1)
    run(big)
    assert seen == [numba.config.NUMBA_NUM_THREADS, 1, 1]
    assert numba.get_num_threads() == before  # restored after each call


def test_setting_threads_does_not_import_numba_and_env_reaches_kernels():
    code = (
        "import sys, chroma; chroma.set_num_threads(1); assert 'numba' not in sys.modules; "
        "import numpy as np; from chroma.spaces import convert; "
        "import numba; from chroma._core import parallel as p; seen = [];"
        "run = p.sized(lambda x: seen.append(numba.get_num_threads()));"
        "run(np.zeros((p.PARALLEL_MIN_PIXELS, 3))); print(seen[0], numba.config.THREADING_LAYER)"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.split() == ["1", parallel.THREADING_LAYER]
    env["CHROMA_NUM_THREADS"] = "1"
    code = code.replace("chroma.set_num_threads(1); ", "")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.split()[0] == "1"


def test_user_threading_layer_wins():
    code = ("from chroma._core.parallel import numba_module; "
            "print(numba_module().config.THREADING_LAYER)")
    env = {**os.environ, "NUMBA_THREADING_LAYER": "omp"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.strip() == "omp"


def test_numba_cache_falls_back_to_the_user_cache_when_the_package_is_read_only(tmp_path):
    # A read-only site-packages, simulated (tests may run as root, who can write anywhere):
    # writing a file inside the package folder fails, as it would without permission.
    pkg = tmp_path / "site" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "kern.py").write_text(
        "from chroma._core.parallel import numba_module\n"
        "numba = numba_module()\n"
        "@numba.njit(cache=True)\ndef f(x):\n    return x + 1\n")
    code = (
        "import tempfile, numba.core.caching as c\n"
        "real = tempfile.TemporaryFile\n"
        f"def guarded(*a, dir=None, **k):\n"
        f"    if dir is not None and str(dir).startswith({str(pkg)!r}):\n"
        "        raise PermissionError(13, 'read-only', dir)\n"
        "    return real(*a, dir=dir, **k)\n"
        "c.tempfile.TemporaryFile = guarded\n"
        "from pkg.kern import f\nprint(f(1))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(XDG_CACHE_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path / "home"),
               PYTHONPATH=os.pathsep.join([str(tmp_path / "site"), os.getcwd()]))
    for _ in range(2):  # compile and save, then load
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, check=True)
        assert out.stdout.strip() == "2"
    saved = list((tmp_path / "xdg").rglob("*.nbi"))
    assert saved and all("kern" in p.name for p in saved)
    assert not list(pkg.rglob("*.nbi"))  # nothing written into the package
