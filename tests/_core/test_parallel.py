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
        "run(np.zeros((p.PARALLEL_MIN_PIXELS, 3))); print(seen[0])"
    )
    env = _clean_env()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.split() == ["1"]
    env["CHROMA_NUM_THREADS"] = "1"
    code = code.replace("chroma.set_num_threads(1); ", "")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.split()[0] == "1"


_LAYER_VARS = ("NUMBA_THREADING_LAYER", "NUMBA_THREADING_LAYER_PRIORITY", "OMP_WAIT_POLICY")

# Runs one large kernel, then prints the layer Numba launched and OpenMP's wait policy.
_SHOW_LAYER = (
    "import os, numpy as np\n"
    "from chroma._core import parallel\n"
    "from chroma.spaces import convert\n"
    "convert(np.zeros((parallel.PARALLEL_MIN_PIXELS, 3), np.float32), 'rgb', 'lab')\n"
    "print(parallel.threading_layer(), os.environ.get('OMP_WAIT_POLICY'))\n"
)
# Makes Numba's OpenMP layer fail to import, as where libgomp is missing.
_NO_OMP = (
    "import sys\n"
    "class NoOmp:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == 'numba.np.ufunc.omppool':\n"
    "            raise ImportError('no libgomp here')\n"
    "sys.meta_path.insert(0, NoOmp())\n"
)


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in _LAYER_VARS}
    return {**env, **extra}


def _layer(code, **extra):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=_clean_env(**extra))
    return out.stdout.split()


def test_the_documented_layer_and_wait_policy_are_chosen():
    assert _layer(_SHOW_LAYER) == [parallel.THREADING_LAYER, parallel.WAIT_POLICY]


def test_the_layer_falls_back_when_openmp_cannot_load():
    assert _layer(_NO_OMP + _SHOW_LAYER)[0] == parallel.FALLBACK_LAYER


def test_the_user_layer_and_wait_policy_win():
    assert _layer(_SHOW_LAYER, NUMBA_THREADING_LAYER="workqueue")[0] == "workqueue"
    assert _layer(_SHOW_LAYER, OMP_WAIT_POLICY="ACTIVE") == [parallel.THREADING_LAYER, "ACTIVE"]
    assert _layer(_SHOW_LAYER, NUMBA_THREADING_LAYER_PRIORITY="workqueue omp tbb")[0] == (
        "workqueue")


def test_torch_imported_first_keeps_the_openmp_layer():
    # torch's own libgomp is loaded (globally) first; Numba's OpenMP layer still loads, on it.
    pytest.importorskip("torch")
    assert _layer("import torch\n" + _SHOW_LAYER)[0] == parallel.THREADING_LAYER


def test_kernels_run_from_several_python_threads_at_once():
    # workqueue aborts the whole process here ("Concurrent access has been detected").
    code = (
        "import numpy as np\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from chroma._core import parallel\n"
        "from chroma.spaces import convert\n"
        "x = np.random.default_rng(0).random((parallel.PARALLEL_MIN_PIXELS, 3), np.float32)\n"
        "want = convert(x, 'rgb', 'lab')\n"
        "with ThreadPoolExecutor(4) as ex:\n"
        "    got = list(ex.map(lambda _: convert(x, 'rgb', 'lab'), range(8)))\n"
        "print(all(np.array_equal(g, want) for g in got), parallel.threading_layer())\n"
    )
    assert _layer(code) == ["True", parallel.THREADING_LAYER]


def test_a_child_forked_after_the_kernels_ran_gets_the_same_result():
    # GNU OpenMP's pool does not survive a fork: Numba terminates a child that launches it;
    # chroma's sized kernels run a serial twin there instead.
    code = (
        "import multiprocessing as mp, numpy as np\n"
        "from chroma._core import parallel\n"
        "from chroma.spaces import convert\n"
        "x = np.random.default_rng(0).random((parallel.PARALLEL_MIN_PIXELS, 3), np.float32)\n"
        "want = convert(x, 'rgb', 'lab')\n"
        "def child(_):\n"
        "    return convert(x, 'rgb', 'lab')\n"
        "if __name__ == '__main__':\n"
        "    with mp.get_context('fork').Pool(1) as pool:\n"
        "        got = pool.map_async(child, [0]).get(timeout=120)[0]\n"
        "    print(np.abs(got - want).max() < 1e-4, parallel.threading_layer())\n"
    )
    assert _layer(code) == ["True", parallel.THREADING_LAYER]


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


def test_a_second_process_loads_the_cached_kernels_instead_of_compiling(tmp_path):
    # Numba keys its cache on a hash of a kernel's closure variables: capturing a dispatcher
    # (which pickles with a per-process id) would make every process compile again.
    code = ("import numpy as np, chroma\n"
            "x = (np.random.default_rng(0).random((160, 160, 3)) * 255).astype(np.uint8)\n"
            "chroma.transfer(x, x[::-1], 'reinhard')\n")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "NUMBA_DEBUG_CACHE": "1"}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, check=True).stdout for _ in range(2)]
    assert "data saved" in runs[0]
    assert "data saved" not in runs[1] and "data loaded" in runs[1]
