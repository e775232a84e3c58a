"""Every code block of README.md and of every docs page (docs/*.md) runs.

One test per page; every ``docs/*.md`` is a page except those in EXCLUDED (with the
reason). In a fresh scratch folder (with ``data/`` and ``docs/`` of the
checkout reachable as links, read-only by convention: the blocks write fresh names
in the scratch folder), the page's blocks run in document order:

- a ```python block is executed in one namespace shared by the page's blocks (one
  script per page, run as ``__main__``, so a guarded ``if __name__ == "__main__":``
  body runs too); a block written as a doctest (``>>>`` prompts) is run by
  :mod:`doctest` in that namespace, so its printed output is checked too;
- a ```bash block runs line by line (``\\`` continues a line); a line that is a plain
  ``chroma ...`` command runs in-process through :func:`chroma.cli.main` (the same
  as ``python -m chroma ...``), other lines through ``bash`` with ``chroma`` defined
  as ``python -m chroma``; every line must exit with status 0;
- a ```console block: its ``$ `` lines, likewise.

Clearly marked exceptions:

- a block preceded by ``<!-- docs-test: skip (reason) -->`` is not run; the reason is
  required, and says which of these it is: set-up commands that build ``.venv``, scripts
  that need the (not redistributable) photos or rewrite committed figures, trainings of
  an hour, a Dask cluster or its long-running scheduler and workers;
- ``chroma demo`` and ``chroma bench`` (PARSE_ONLY) are parsed by the real argument
  parser, so their options must exist, but not run: each takes minutes;
- ``chroma serve`` (SERVERS) never returns by itself: it is started for real in a
  subprocess with ``--no-browser``, must print its URL and answer ``/api/session`` with
  the token, and is then stopped with Ctrl-C (SIGINT) and must exit with status 0. The
  pages that hold such commands, and how many, are listed in SERVED.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# pages tested elsewhere: page -> reason
EXCLUDED = {"docs/cli.md": "the CLI reference; its commands are checked by tests/cli"}
PAGES = ["README.md"] + [
    p for p in (str(f.relative_to(ROOT)) for f in sorted((ROOT / "docs").glob("*.md")))
    if p not in EXCLUDED
]

# subcommands that are only parsed (they run for minutes): see the module docstring
PARSE_ONLY = {"demo", "bench"}
# subcommands that serve until stopped, and the pages that run them (how many lines)
SERVERS = {"serve"}
SERVED = {"docs/serve.md": 3}
SERVER_START_S = 120  # time for a server to print its URL (imports, a busy machine)

SKIP_MARK = re.compile(r"<!--\s*docs-test:\s*skip\b.*-->")
FENCE = re.compile(r"^```(\S*)\s*$")
SHELL_SYNTAX = re.compile(r"[|;&<>`$(){}*?]")


def blocks(text: str) -> list[tuple[str, str, int, bool]]:
    """``(language, code, line number, skipped)`` of every fenced block of ``text``."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, lang = i, m.group(1)
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        before = [s for s in lines[:start] if s.strip()]
        skipped = bool(before) and bool(SKIP_MARK.search(before[-1]))
        out.append((lang, "\n".join(lines[start + 1:j]) + "\n", start + 1, skipped))
        i = j + 1
    return out


def shell_lines(lang: str, code: str) -> list[str]:
    """The logical command lines of a bash or console block."""
    raw = code.splitlines()
    if lang == "console":
        keep, cont = [], False
        for line in raw:
            if line.startswith("$ "):
                keep.append(line[2:])
                cont = line.rstrip().endswith("\\")
            elif cont:
                keep.append(line)
                cont = line.rstrip().endswith("\\")
        raw = keep
    out, buf = [], ""
    for line in raw:
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        line = buf + line
        buf = ""
        if line.strip() and not line.lstrip().startswith("#"):
            out.append(line.strip())
    return out


def _subcommand(argv: list[str]) -> str | None:
    return next((a for a in argv if not a.startswith("-")), None)


def run_server(argv: list[str], where: str) -> None:
    """Start ``chroma serve ...`` (no browser), check that it answers, stop it with SIGINT.

    The server's output goes to a file, not a pipe: a pipe that nobody reads after the URL
    fills up (warnings, a traceback from the warm-up thread) and blocks the server's next
    write, so it could never stop. The output is part of every failure message.
    """
    import json
    import signal
    import tempfile
    import urllib.request

    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    argv = argv + ([] if "--no-browser" in argv else ["--no-browser"])
    log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "chroma", *argv], env=env, text=True,
                            stdout=log, stderr=subprocess.STDOUT)

    def output() -> str:
        log.seek(0)
        return log.read()

    try:
        url = None
        deadline = time.monotonic() + SERVER_START_S
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            m = re.search(r"open (http://\S+/\?token=(\S+))", output())
            if m:
                url = m.group(1)
            else:
                time.sleep(0.1)
        assert url, f"{where}: `chroma {shlex.join(argv)}` printed no URL:\n{output()}"
        api = url.replace("/?token=", "/api/session?token=")
        with urllib.request.urlopen(api, timeout=30) as reply:
            assert reply.status == 200, f"{where}: {api} answered {reply.status}"
            info = json.loads(reply.read())
        image = next((a for a in argv[1:] if not a.startswith("-")), None)
        if image is not None and "--port" not in argv:
            assert info["image"] is not None, f"{where}: the server has no image loaded"
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{where}: `chroma {shlex.join(argv)}` did not stop within "
                                 f"60 s of SIGINT; its output:\n{output()}") from None
        assert rc == 0, (f"{where}: `chroma {shlex.join(argv)}` stopped with status {rc}:\n"
                         f"{output()}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def run_chroma(argv: list[str], where: str) -> None:
    from chroma.cli import build_parser, main

    if _subcommand(argv) in SERVERS:
        run_server(argv, where)
        return
    if _subcommand(argv) in PARSE_ONLY:
        build_parser().parse_args(argv)
        return
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse errors
        rc = exc.code
    assert rc in (0, None), f"{where}: `chroma {shlex.join(argv)}` exited with {rc}"


def run_bash(line: str, where: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    prelude = f'chroma() {{ {shlex.quote(sys.executable)} -m chroma "$@"; }}\n'
    done = subprocess.run(["bash", "-e", "-c", prelude + line], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (
        f"{where}: `{line}` exited with {done.returncode}\n{done.stdout}\n{done.stderr}")


def run_python(code: str, namespace: dict, where: str) -> None:
    if code.lstrip().startswith(">>>"):
        test = doctest.DocTestParser().get_doctest(code, namespace, where, where, 0)
        flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        runner = doctest.DocTestRunner(optionflags=flags)
        runner.run(test, clear_globs=False)
        assert runner.failures == 0, f"{where}: the doctest block failed (see above)"
        return
    exec(compile(code, where, "exec"), namespace)


@pytest.mark.parametrize("page", PAGES)
def test_page_blocks_run(page, tmp_path, monkeypatch):
    path = ROOT / page
    found = blocks(path.read_text(encoding="utf-8"))
    runnable = [b for b in found if b[0] in ("python", "bash", "console") and not b[3]]
    assert (found and runnable) or page == "docs/index.md", f"{page} has no runnable block"
    for name in ("data", "docs"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict = {"__name__": "__main__"}
    for lang, code, lineno, skipped in found:
        where = f"{page}:{lineno}"
        if skipped or lang not in ("python", "bash", "console"):
            continue
        if lang == "python":
            run_python(code, namespace, where)
            continue
        for line in shell_lines(lang, code):
            words = shlex.split(line, comments=True)
            if words and words[0] == "chroma" and not SHELL_SYNTAX.search(line.split("#")[0]):
                run_chroma(words[1:], where)
            else:
                run_bash(line, where)


def test_every_page_but_the_excluded_is_tested():
    pages = {str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md")}
    assert pages - set(EXCLUDED) <= set(PAGES)
    assert {"docs/colorize.md", "docs/guided.md", "docs/batch.md", "docs/serve.md",
            "docs/stylize.md", "docs/glossary.md"} <= set(PAGES)


def test_skip_marks_give_a_reason_and_servers_are_counted():
    """The exceptions stay explicit: each skip says why; server commands are where SERVED says."""
    served: dict[str, int] = {}
    for page in PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        for mark in re.findall(r"<!--\s*docs-test:.*?-->", text):
            assert re.fullmatch(r"<!--\s*docs-test:\s*skip\s+\([^)]{8,}\)\s*-->", mark), (
                f"{page}: {mark!r}: write <!-- docs-test: skip (the reason) -->")
        for lang, code, _, skipped in blocks(text):
            if lang in ("bash", "console") and not skipped:
                for line in shell_lines(lang, code):
                    words = shlex.split(line, comments=True)
                    if words[:1] == ["chroma"] and _subcommand(words[1:]) in SERVERS:
                        served[page] = served.get(page, 0) + 1
    assert served == SERVED


def test_unlabelled_blocks_are_not_commands():
    """A block without a language is never run: it must not hold a chroma command."""
    for page in PAGES:
        for lang, code, lineno, _ in blocks((ROOT / page).read_text(encoding="utf-8")):
            if lang == "":
                assert "chroma " not in code, (
                    f"{page}:{lineno}: label this block ```bash so that its commands run")


def test_block_parser_reads_continuations_and_marks():
    text = ("<!-- docs-test: skip (needs photos) -->\n```bash\nmake demo\n```\n\n"
            "```console\n$ chroma info a.png \\\n      --x\nprinted\n```\n")
    found = blocks(text)
    assert [(b[0], b[3]) for b in found] == [("bash", True), ("console", False)]
    assert shell_lines("console", found[1][1]) == ["chroma info a.png        --x"]
