"""docs/cli.md runs: every block of the conventions page, by the docs-blocks runner.

(The page is tested here, beside the CLI it documents; tests/test_docs_blocks.py
lists the other pages.)
"""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _docs_blocks():
    spec = importlib.util.spec_from_file_location(
        "_docs_blocks_for_cli", ROOT / "tests" / "test_docs_blocks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_page_blocks_run(tmp_path, monkeypatch):
    module = _docs_blocks()
    if "docs/cli.md" in module.PAGES:  # already run there
        return
    module.test_page_blocks_run("docs/cli.md", tmp_path, monkeypatch)
    assert (tmp_path / "cli_graded" / "rocket.png").exists()
    assert (tmp_path / "cli_stdout.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "cli_piped.jpg").read_bytes().startswith(b"\xff\xd8\xff")
