"""``chroma serve``: a local, offline page to colorize, splash and grade by hand.

:func:`make_server` builds the server (see :mod:`chroma.web.server` for the
API and its safety rules); :mod:`chroma.web.edit` turns the page's edit into
a :class:`chroma.Pipeline`. The page itself is static package data under
``chroma/web/static/``.
"""

from __future__ import annotations

from chroma.web.server import MAX_BODY, ChromaServer, make_server

__all__ = ["MAX_BODY", "ChromaServer", "make_server"]
