"""YAML that remembers line numbers, for validators that report file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from commute.errors import DataNotFoundError, Problems


class LDict(dict):
    """A dict that remembers the line of itself and of each key."""

    line: int = 0
    lines: dict[str, int]


class LList(list):
    """A list that remembers the line of itself and of each item."""

    line: int = 0
    lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LDict:
    d = LDict()
    d.line = node.start_mark.line + 1
    d.lines = {}
    for k_node, v_node in node.value:
        k = loader.construct_object(k_node, deep=True)
        d[k] = loader.construct_object(v_node, deep=True)
        d.lines[str(k)] = k_node.start_mark.line + 1
    return d


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> LList:
    lst = LList(loader.construct_object(n, deep=True) for n in node.value)
    lst.line = node.start_mark.line + 1
    lst.lines = [n.start_mark.line + 1 for n in node.value]
    return lst


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def plain(x: Any) -> Any:
    """Plain dicts and lists (without line information)."""
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [plain(v) for v in x]
    return x


def read_yaml(path: Path, probs: Problems, *, what: str = "file") -> Any:
    """Parse a YAML file safely; a syntax error becomes a problem with its line (returns None)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataNotFoundError(f"{what} file {path} does not exist; check the path.") from None
    except UnicodeDecodeError:
        probs.add(str(path), 0, "file is not UTF-8 text", "save it as UTF-8")
        return None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        msg = getattr(e, "problem", None) or str(e).splitlines()[0]
        probs.add(str(path), line, f"YAML syntax error: {msg}", "fix the indentation or quoting on that line")
        return None
