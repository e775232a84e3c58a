"""Every public callable has a numpydoc Examples section, and pytest runs it as a doctest.

Public: a class or function named in ``chroma.__all__`` or in the ``__all__`` of a
public submodule (no part of its dotted name starts with ``_``), counted once however
many modules re-export it. The doctests themselves run through pytest's
``--doctest-modules`` over ``chroma/`` (pyproject's ``[tool.pytest.ini_options]``);
the last test checks that this collection reaches every one of these examples.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

import chroma

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = re.compile(r"^Examples\n--------\n(.*?)(?=^\S[^\n]*\n-{3,}\n|\Z)", re.M | re.S)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def public_modules() -> list[str]:
    names = ["chroma"]
    for info in pkgutil.walk_packages(chroma.__path__, "chroma."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            names.append(info.name)
    return names


def public_callables() -> list[tuple[str, object]]:
    """``(first public dotted name, object)`` of every public class and function."""
    seen: dict[int, tuple[str, object]] = {}
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                seen.setdefault(id(obj), (f"{module_name}.{name}", obj))
    return list(seen.values())


def examples_section(obj) -> str | None:
    """The text of the docstring's numpydoc Examples section, or None."""
    m = EXAMPLES.search(inspect.getdoc(obj) or "")
    return m.group(1) if m else None


def test_the_walk_finds_the_public_api():
    found = dict(public_callables())
    # one name from the top level, a shorthand made by a factory, a class in a subpackage
    for name in ("chroma.transfer", "chroma.spaces.rgb2lab", "chroma.web.edit.Edit"):
        assert name in found, name
    assert len(found) > 150


def test_every_public_callable_has_an_examples_section():
    missing = [name for name, obj in public_callables() if examples_section(obj) is None]
    assert missing == [], (
        f"{len(missing)} public callables have no numpydoc 'Examples' section:\n  "
        + "\n  ".join(missing))


def test_every_examples_section_holds_a_doctest():
    empty = [name for name, obj in public_callables()
             if (text := examples_section(obj)) is not None and ">>> " not in text]
    assert empty == [], f"Examples sections without a >>> line: {empty}"


def test_the_examples_run_under_pytests_doctest_collection():
    """pytest collects chroma/ with --doctest-modules, and each example is found there."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    options = config["ini_options"]
    assert "--doctest-modules" in options["addopts"].split()
    assert "chroma" in options["testpaths"]
    finder = doctest.DocTestFinder()
    collected: dict[str, set[str]] = {}
    not_found = []
    for name, obj in public_callables():
        if examples_section(obj) is None:
            continue  # reported by the test above
        module_name = obj.__module__
        if module_name not in collected:
            module = importlib.import_module(module_name)
            assert Path(module.__file__).resolve().is_relative_to(ROOT / "chroma")
            collected[module_name] = {t.name for t in finder.find(module) if t.examples}
        if f"{module_name}.{obj.__qualname__}" not in collected[module_name]:
            not_found.append(name)
    assert not_found == [], f"examples that doctest collection does not reach: {not_found}"
