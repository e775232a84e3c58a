"""Every ``from chroma... import name`` in the package resolves, lazy ones included.

Most of chroma imports inside functions (so that ``import chroma`` stays cheap);
an import that a move broke would only fail when that code path runs. This
test reads every such statement and resolves it.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import chroma

ROOT = Path(chroma.__file__).parent


def _imports():
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                    and node.module.split(".")[0] == "chroma":
                for alias in node.names:
                    yield path.relative_to(ROOT.parent).as_posix(), node.lineno, node.module, \
                        alias.name


IMPORTS = list(_imports())


def test_there_are_many_imports_to_check():
    assert len(IMPORTS) > 200


@pytest.mark.parametrize("where,line,module,name", IMPORTS,
                         ids=[f"{w}:{n}" for w, n, _, _ in IMPORTS])
def test_import_resolves(where, line, module, name):
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name == "torch":
            pytest.skip("needs torch (the neural extra)")
        raise
    if name == "*":
        return
    if hasattr(mod, name):
        return
    importlib.import_module(f"{module}.{name}")  # a submodule
