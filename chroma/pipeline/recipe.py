"""Recipes: a :class:`chroma.Pipeline` as TOML or JSON, read and written safely.

A recipe names steps, references (paths relative to the recipe file), mask
specs and options; see :mod:`chroma.pipeline` for its shape. This module holds
the file side: parsing with a clear error that names the file, the recipe-safe
plain values, and a small TOML writer for the recipe subset (scalars, arrays,
inline tables), since the standard library reads TOML but does not write it.
"""

from __future__ import annotations

import inspect
import json
import math
import numbers
import os
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

__all__ = ["changed_params", "check_recipe_path", "plain", "read_recipe", "to_toml",
           "write_recipe"]

SUFFIXES = (".toml", ".json")


def check_recipe_path(path: Path) -> None:
    """A recipe file name must end in .toml or .json.

    Examples
    --------
    >>> check_recipe_path(Path("look.toml"))
    >>> check_recipe_path(Path("look.yaml"))
    Traceback (most recent call last):
    ...
    ValueError: cannot save recipe 'look.yaml': use a .toml or .json name.
    """
    if path.suffix.lower() not in SUFFIXES:
        raise ValueError(f"cannot save recipe {str(path)!r}: use a .toml or .json name.")


def read_recipe(path) -> dict:
    """Parse a recipe file into plain data (a ``ValueError`` naming the file if it cannot).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "look.toml"
    >>> _ = path.write_text('steps = [{name = "warm", method = "reinhard"}]')
    >>> read_recipe(path)
    {'steps': [{'name': 'warm', 'method': 'reinhard'}]}
    >>> _ = path.write_text("[[steps]")
    >>> read_recipe(path)
    Traceback (most recent call last):
    ...
    ValueError: cannot parse recipe '...look.toml': ...
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such recipe file: {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(
            f"recipe {str(path)!r}: unknown extension {suffix!r}; use .toml or .json."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"cannot read recipe {str(path)!r}: it is not UTF-8 text ({err}); "
                         "save it as UTF-8.") from None
    try:
        if suffix == ".toml":
            try:
                import tomllib
            except ImportError:  # Python 3.10
                import tomli as tomllib
            return tomllib.loads(text)
        return json.loads(text)
    except (ValueError, TypeError) as err:  # UnicodeDecodeError, TOML and JSON errors
        raise ValueError(f"cannot parse recipe {str(path)!r}: {err}") from None


def write_recipe(path, data: dict, *, overwrite: bool = False) -> None:
    """Write recipe data as TOML or JSON (by the file's extension), atomically.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "look.json"
    >>> write_recipe(path, {"version": 1, "steps": [{"name": "warm", "method": "reinhard"}]})
    >>> read_recipe(path)["steps"]
    [{'name': 'warm', 'method': 'reinhard'}]
    >>> write_recipe(path, {"version": 1, "steps": []})
    Traceback (most recent call last):
    ...
    FileExistsError: '...look.json' exists; pass overwrite=True to replace it.
    """
    path = Path(path)
    check_recipe_path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{str(path)!r} exists; pass overwrite=True to replace it.")
    text = to_toml(data) if path.suffix.lower() == ".toml" else json.dumps(data, indent=2) + "\n"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def changed_params(estimator, who: str) -> dict:
    """The step's parameters that differ from the class defaults, as recipe data.

    Examples
    --------
    >>> from chroma.transfers import ReinhardTransfer
    >>> changed_params(ReinhardTransfer(space="rgb"), "warm")
    {'space': 'rgb'}
    >>> changed_params(ReinhardTransfer(), "warm")
    {}
    """
    get = getattr(estimator, "get_params", None)
    if get is None:
        return {}
    params = get(deep=False)
    try:
        sig = inspect.signature(type(estimator).__init__).parameters
    except (TypeError, ValueError):
        sig = {}
    out = {}
    for k, v in params.items():
        default = sig[k].default if k in sig else inspect.Parameter.empty
        if default is not inspect.Parameter.empty and _same(v, default):
            continue
        out[k] = plain(v, f"step {who!r} option {k!r}")
    return out


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return type(a) is type(b) and bool(a == b)
    except (ValueError, TypeError):
        return False


def plain(value, who: str):
    """Recipe-safe copy of `value`: str, bool, int, float, lists and dicts of those.

    Examples
    --------
    >>> plain({"size": np.int64(3), "levels": np.array([0.5, 1.0])}, "option")
    {'size': 3, 'levels': [0.5, 1.0]}
    >>> plain(object(), "step 'warm' option 'x'")
    Traceback (most recent call last):
    ...
    ValueError: step 'warm' option 'x' = <object object at ...> (object) cannot be written ...
    """
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [plain(v, who) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist(), who)
    if isinstance(value, Mapping):
        return {str(k): plain(v, who) for k, v in value.items()}
    if hasattr(value, "to_hex"):  # a Palette
        return list(value.to_hex())
    if value is None:
        raise ValueError(f"{who} is None where the default is not; recipes have no null.")
    raise ValueError(
        f"{who} = {value!r} ({type(value).__name__}) cannot be written to a recipe; use "
        "numbers, strings, booleans and lists of them."
    )


# --- a small TOML writer (the recipe subset: scalars, arrays, inline tables) ----------------
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise ValueError(f"cannot write {v!r} to TOML")


def to_toml(data: dict) -> str:
    """TOML text of recipe data: top-level keys, then one ``[[steps]]`` table per step.

    Parameters
    ----------
    data : dict
        Plain recipe data (see :func:`plain`): scalars, lists and dicts; ``"steps"``
        a list of dicts.

    Returns
    -------
    text : str
        Starts with a comment that says how to run the recipe.

    Examples
    --------
    >>> print(to_toml({"version": 1, "steps": [
    ...     {"name": "warm", "method": "reinhard", "options": {"space": "lab"}}]}), end="")
    # chroma recipe: run with `chroma run THIS_FILE IMAGE -o OUT`
    version = 1
    <BLANKLINE>
    [[steps]]
    name = "warm"
    method = "reinhard"
    options = {space = "lab"}
    """
    lines = ["# chroma recipe: run with `chroma run THIS_FILE IMAGE -o OUT`"]
    for k, v in data.items():
        if k != "steps":
            lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    for step in data.get("steps", []):
        lines += ["", "[[steps]]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in step.items()]
    return "\n".join(lines) + "\n"

