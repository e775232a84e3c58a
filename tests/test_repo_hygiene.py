"""The source tree carries no merge-conflict markers and no machine paths in shipped data."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEXT = (".py", ".md", ".toml", ".txt", ".js", ".html", ".css", ".json", ".cfg", ".in")


def _tracked():
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / f for f in out.splitlines() if f.endswith(TEXT)]


def test_no_conflict_markers():
    marker = re.compile(r"^(<{7}|>{7}) ", re.M)
    bad = [str(p.relative_to(ROOT)) for p in _tracked()
           if p.is_file() and marker.search(p.read_text(encoding="utf-8", errors="replace"))]
    assert bad == []


def test_no_absolute_machine_paths_in_shipped_json():
    shipped = [p for p in _tracked() if p.suffix == ".json" and "chroma" in p.parts[-4:-1]]
    assert shipped, "expected the weights records among the shipped JSON files"
    path = re.compile(r'"/(work|root|home|tmp|Users)/')
    bad = [str(p.relative_to(ROOT)) for p in shipped if path.search(p.read_text())]
    assert bad == []


def test_no_absolute_machine_paths_in_shipped_package_files():
    """Every file the wheel ships (chroma/**, binaries too: the weights' pickled config)."""
    shipped = [p for p in (ROOT / "chroma").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    assert any(p.suffix == ".pt" for p in shipped), "expected the shipped weights"
    path = re.compile(rb"/(?:work|root|home|Users)/\w")
    bad = [str(p.relative_to(ROOT)) for p in shipped if path.search(p.read_bytes())]
    assert bad == []
