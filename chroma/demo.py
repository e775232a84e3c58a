"""The showcase behind ``chroma demo``.

Each feature adds a section: a module in :mod:`chroma._demos` with ``ORDER``
(an int), ``TITLE`` and ``run(ctx)``, which computes on the bundled samples and
calls ``ctx.figure(...)``. The demo writes every image into one folder and an
``index.html`` that shows them side by side.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["DemoContext", "run_demo"]


@dataclass
class _Figure:
    caption: str
    panels: list[tuple[str, str]]  # (label, relative path)


@dataclass
class _Section:
    title: str
    text: str = ""
    figures: list[_Figure] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


class DemoContext:
    """What a demo section gets: samples in, images out, figures for the page.

    Examples
    --------
    >>> import tempfile
    >>> ctx = DemoContext(tempfile.mkdtemp())
    >>> img = ctx.sample("coffee")
    >>> ctx.sample("coffee") is img  # read once
    True
    >>> ctx.save("gray.png", img.mean(axis=-1) / 255)
    'gray.png'
    """

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self._sections: list[_Section] = []
        self._cache: dict[str, np.ndarray] = {}

    def sample(self, name: str) -> np.ndarray:
        """A bundled sample image (uint8 RGB), read once."""
        if name not in self._cache:
            from chroma.datasets import sample

            self._cache[name] = sample(name)
        return self._cache[name]

    def save(self, name: str, image: np.ndarray) -> str:
        """Write ``image`` as ``name`` (PNG) in the demo folder; returns the relative path."""
        from chroma._core.validate import from_float
        from chroma.io import write_image

        if image.dtype.kind == "f":
            image = from_float(image, np.uint8)
        path = self.out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_image(path, image, overwrite=True)  # the demo's own output, rewritten each run
        return str(path.relative_to(self.out_dir))

    def text(self, text: str) -> None:
        """A paragraph under the current section's title."""
        self._sections[-1].text += text + "\n"

    def figure(self, caption: str, panels: list[tuple[str, np.ndarray | str]]) -> None:
        """A row of labelled images; arrays are saved under a name built from the labels."""
        section = self._sections[-1]
        stem = _slug(section.title)
        rel = []
        for i, (label, img) in enumerate(panels):
            if not isinstance(img, str):
                img = self.save(f"{stem}/{len(section.figures):02d}-{i}-{_slug(label)}.png", img)
            rel.append((label, img))
        section.figures.append(_Figure(caption, rel))

    def _begin(self, title: str) -> _Section:
        self._sections.append(_Section(title))
        return self._sections[-1]


def _slug(text: str) -> str:
    keep = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(filter(None, keep.split("-")))[:40] or "x"


def _sections(only: str | None):
    from chroma import _demos

    mods = []
    for info in pkgutil.iter_modules(_demos.__path__):
        if only and only not in info.name:
            continue
        mod = importlib.import_module(f"{_demos.__name__}.{info.name}")
        mods.append(mod)
    return sorted(mods, key=lambda m: (m.ORDER, m.__name__))


def run_demo(out_dir: str | Path = "demo-output", *, only: str | None = None) -> Path:
    """Run every demo section and write ``index.html``; returns its path.

    A section that fails is reported on the page and on stderr, and the demo
    goes on; the command exits non-zero at the end if any failed.

    Examples
    --------
    >>> import tempfile
    >>> index = run_demo(tempfile.mkdtemp(), only="spaces")
    >>> index.name, sorted(p.name for p in index.parent.iterdir())
    ('index.html', ['color-spaces', 'index.html'])
    >>> run_demo(tempfile.mkdtemp(), only="no-such-section")
    Traceback (most recent call last):
    ...
    ValueError: no demo section matches --only 'no-such-section'
    """
    import sys

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = DemoContext(out_dir)
    sections = _sections(only)
    if not sections:
        raise ValueError(f"no demo section matches --only {only!r}")
    failed = []
    for mod in sections:
        section = ctx._begin(mod.TITLE)
        print(f"chroma demo: {mod.TITLE} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            mod.run(ctx)
        except Exception as err:  # keep going; report at the end
            section.error = f"{type(err).__name__}: {err}"
            failed.append(mod.TITLE)
        section.seconds = time.perf_counter() - t0
    index = out_dir / "index.html"
    index.write_text(_render(ctx._sections), encoding="utf-8")
    if failed:
        raise RuntimeError(f"demo sections failed: {', '.join(failed)}; see {index}")
    return index


def _render(sections: list[_Section]) -> str:
    from chroma import __version__

    out = [
        "<!doctype html><meta charset='utf-8'><title>chroma demo</title>",
        "<style>body{font:15px system-ui,sans-serif;margin:2em;max-width:1400px}"
        "figure{display:inline-block;margin:0 8px 8px 0;vertical-align:top}"
        "figure img{max-height:260px;display:block}figcaption{font-size:13px;color:#444}"
        ".row{margin:1em 0}.err{color:#b00}</style>",
        f"<h1>chroma {__version__} demo</h1>",
        "<p>Every image below was computed by <code>chroma demo</code> on the bundled "
        "samples (see <code>data/CREDITS.md</code>).</p>",
    ]
    for s in sections:
        out.append(f"<h2>{html.escape(s.title)} <small>({s.seconds:.1f} s)</small></h2>")
        if s.text:
            out.append(f"<p>{html.escape(s.text)}</p>")
        if s.error:
            out.append(f"<p class='err'>failed: {html.escape(s.error)}</p>")
        for f in s.figures:
            out.append(f"<div class='row'><p>{html.escape(f.caption)}</p>")
            for label, path in f.panels:
                out.append(
                    f"<figure><img src='{html.escape(path)}' alt='{html.escape(label)}'>"
                    f"<figcaption>{html.escape(label)}</figcaption></figure>"
                )
            out.append("</div>")
    return "\n".join(out) + "\n"
