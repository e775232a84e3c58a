"""Sphinx configuration of chroma's docs site (``make docs``).

The tutorials are the Markdown pages of this folder (MyST), the gallery is built by
sphinx-gallery from ``gallery/plot_*.py`` (each script runs at build time on the
bundled samples), and the API reference is generated from ``chroma.__all__`` and
each public subpackage's ``__all__`` when the build starts (``api/``, not committed),
so it cannot fall behind the code.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

from sphinx.util import logging

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the checkout's chroma, not an installed one

import chroma  # noqa: E402

logger = logging.getLogger("chroma-docs")

project = "chroma"
author = "chroma developers"
copyright = "2026, chroma developers"
release = version = chroma.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# gallery/ holds the example sources (sphinx-gallery writes auto_examples/ from them);
# the make_*_figures.py scripts are not pages
exclude_patterns = ["_build", "gallery", "images"]

# --- MyST: the tutorials stay plain GitHub-readable Markdown
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3
suppress_warnings = []

# --- API: autosummary pages with numpydoc-rendered docstrings
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters section says the types
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# --- theme
html_theme = "pydata_sphinx_theme"
html_title = f"chroma {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path: list[str] = []
html_show_sourcelink = False

# --- gallery: one script per example, run at build time on the bundled samples
sphinx_gallery_conf = {
    "examples_dirs": "gallery",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "abort_on_example_error": True,
    "show_memory": False,
    "min_reported_time": 5,
}

# --- the API reference, written from the code's own __all__ lists
# A public subpackage listed in chroma._SUBMODULES whose module does not exist yet on
# this branch (DESIGN v2 plans chroma/colors.py); anything else that fails to import
# fails the build.
NOT_YET = {"colors"}

API_INTRO = """\
API reference
=============

Every name of ``chroma.__all__`` and of each public subpackage's ``__all__``
(generated from the code at build time).

.. toctree::
   :maxdepth: 1

{pages}
"""


def _section(title: str, module: str, names: list[str], aliases: dict[str, str]) -> str:
    """An API page: ``names`` get their own entries, ``aliases`` (name -> the top-level
    name of the same object) a link, so that no object is described twice."""
    lines = [title, "=" * len(title), "", f".. automodule:: {module}", "   :no-members:", ""]
    if names:
        lines += [f".. currentmodule:: {module}", "", ".. autosummary::",
                  "   :toctree: generated/", "   :nosignatures:", ""]
        lines += [f"   {name}" for name in names]
        lines.append("")
    if aliases:
        lines += ["Also in this module, documented at the top level:", ""]
        lines += [f"- ``{module}.{name}`` is :obj:`chroma.{top}`" for name, top in aliases.items()]
        lines.append("")
    return "\n".join(lines)


def write_api() -> None:
    out = HERE / "api"
    out.mkdir(exist_ok=True)
    top = [n for n in chroma.__all__
           if n not in chroma._SUBMODULES and not n.startswith("__")]
    top_ids = {id(getattr(chroma, n)): n for n in top}
    pages = {"chroma": _section("chroma", "chroma", top, {})}
    for name in sorted(chroma._SUBMODULES):
        if name in NOT_YET and importlib.util.find_spec(f"chroma.{name}") is None:
            logger.info("api: chroma.%s is listed in chroma._SUBMODULES but does not exist "
                        "yet; not documented", name)
            continue
        module = importlib.import_module(f"chroma.{name}")
        public = [n for n in getattr(module, "__all__", []) if not n.startswith("_")]
        aliases = {n: top_ids[id(getattr(module, n))] for n in public
                   if id(getattr(module, n)) in top_ids and callable(getattr(module, n))}
        own = [n for n in public if n not in aliases]
        pages[f"chroma.{name}"] = _section(f"chroma.{name}", f"chroma.{name}", own, aliases)
    for page, text in pages.items():
        path = out / f"{page}.rst"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    index = API_INTRO.format(pages="\n".join(f"   {p}" for p in pages))
    if not (out / "index.rst").exists() or (out / "index.rst").read_text() != index:
        (out / "index.rst").write_text(index)


# --- pages other work is still writing: the index names them; drop the missing ones
def drop_missing_pages(app, docname, source) -> None:
    if docname != "index":
        return
    kept, in_toctree = [], False
    for line in source[0].splitlines():
        if line.startswith("```"):
            in_toctree = line.startswith("```{toctree}")
        link = re.search(r"\]\(([\w-]+)\.md\)", line)
        entry = re.fullmatch(r"[\w-]+", line.strip()) if in_toctree else None
        page = link.group(1) if link else entry.group(0) if entry else None
        if page and not (HERE / f"{page}.md").exists():
            logger.info("index: %s.md does not exist yet; left out of the site", page)
            continue
        kept.append(line)
    source[0] = "\n".join(kept) + "\n"


def setup(app):
    app.connect("config-inited", lambda app, config: write_api())
    app.connect("source-read", drop_missing_pages)
