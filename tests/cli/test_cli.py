import subprocess
import sys

import numpy as np

import chroma
from chroma.cli import main
from chroma.io import write_image


def run(*args):
    return subprocess.run([sys.executable, "-m", "chroma.cli", *args], capture_output=True,
                          text=True)


def test_version():
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"chroma {chroma.__version__}"


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().err


def test_info(tmp_path, capsys):
    write_image(tmp_path / "a.png", np.zeros((3, 5, 4), np.uint16))
    assert main(["info", str(tmp_path / "a.png")]) == 0
    assert "5x3 RGBA uint16" in capsys.readouterr().out


def test_missing_file_is_one_line(tmp_path):
    proc = run("info", str(tmp_path / "nope.png"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "nope.png" in proc.stderr


def test_debug_shows_traceback(tmp_path):
    for argv in (["--debug", "info", str(tmp_path / "nope.png")],
                 ["info", str(tmp_path / "nope.png"), "--debug"]):
        proc = run(*argv)
        assert proc.returncode != 0 and "Traceback" in proc.stderr, argv


def test_demo_spaces_section(tmp_path):
    assert main(["demo", "--only", "spaces", "-o", str(tmp_path)]) == 0
    page = (tmp_path / "index.html").read_text()
    assert "Color spaces" in page and "<img" in page
    assert any(tmp_path.rglob("*.png"))
