"""tools/check_wheel.sh: valid bash, and its refusals are one line before any work.

The full run (build, a new venv, demo, colorize, bench) takes many minutes and the
package index; it is run by hand (``make check-wheel``), not here.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "check_wheel.sh"


def _run(*args, env=None, tmp_path=None):
    env = dict(os.environ, **(env or {}))
    return subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)


def test_script_parses():
    assert subprocess.run(["bash", "-n", str(SCRIPT)]).returncode == 0


def test_refuses_a_work_folder_inside_the_checkout(tmp_path):
    done = _run(env={"CHECK_WHEEL_DIR": str(ROOT / "wheel-check")}, tmp_path=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "outside the checkout" in done.stderr
    assert not (ROOT / "wheel-check").exists()


def test_refuses_a_missing_photo(tmp_path):
    done = _run(str(tmp_path / "missing.jpg"), env={"CHECK_WHEEL_DIR": str(tmp_path / "w")},
                tmp_path=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == f"check_wheel: no such photo: {tmp_path / 'missing.jpg'}"
    assert not (tmp_path / "w").exists()
