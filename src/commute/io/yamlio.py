r"""Safe YAML that remembers line numbers, for validators that report file and line.

:func:`read_yaml` is the YAML half of the input boundary (:mod:`commute.io.inputs` is the
text half). It

- reads within a size limit and decodes through :func:`commute.io.inputs.decode` (byte-order
  marks, ``encoding=``);
- parses with libyaml's C parser when PyYAML has it (``yaml.CSafeLoader``), else the pure
  Python one; only plain data (mappings, lists, strings, numbers, booleans, null) is built;
  dates stay the text written, and tags such as ``!!binary``, ``!!set`` or ``!!python/...``
  are problems;
- rejects duplicate keys (the last one would silently win) and keys that are not plain
  values (``? [a, b]``);
- limits aliases: a document whose aliases expand to more than :data:`MAX_NODES` values (a
  "billion laughs" bomb) or nests deeper than :data:`MAX_DEPTH` is refused before it is built.

Every problem is recorded in the :class:`~commute.errors.Problems` passed in, with its line.

Examples
--------
>>> import tempfile, pathlib
>>> from commute.errors import Problems
>>> p = pathlib.Path(tempfile.mkdtemp()) / "s.yaml"
>>> _ = p.write_text("name: a\nchanges: []\nchanges: [x]\n", encoding="utf-8")
>>> probs = Problems("scenario")
>>> _ = read_yaml(p, probs)
>>> print(probs.items[0].line, probs.items[0].message)
3 duplicate key 'changes' (first on line 2)
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml

from commute.errors import CommuteError, Problems
from commute.io.inputs import YAML_MAX_BYTES, check_size, decode

#: Most values a document may expand to through aliases (a scenario has a few thousand).
MAX_NODES = 200_000
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 40

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: True when the C (libyaml) parser is used.
FAST = _Base is not yaml.SafeLoader


class LDict(dict):
    """A dict that remembers the line of itself and of each key."""

    line: int = 0
    lines: dict[str, int]


class LList(list):
    """A list that remembers the line of itself and of each item."""

    line: int = 0
    lines: list[int]


class _Loader(_Base):
    file: str = ""
    probs: Problems | None = None


def _note(loader: _Loader, node: yaml.Node, message: str, hint: str) -> None:
    if loader.probs is not None:
        loader.probs.add(loader.file, node.start_mark.line + 1, message, hint)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LDict:
    d = LDict()
    d.line = node.start_mark.line + 1
    d.lines = {}
    loader.flatten_mapping(node)  # `<<: *alias` merge keys
    for k_node, v_node in node.value:
        k = loader.construct_object(k_node, deep=True)
        if not isinstance(k, str | int | float | bool) and k is not None:
            _note(loader, k_node, "a key must be a plain name or number", "write the key as text before the colon")
            continue
        line = k_node.start_mark.line + 1
        if k in d:
            _note(loader, k_node, f"duplicate key {k!r} (first on line {d.lines[str(k)]})", "keep one of them")
            continue
        d[k] = loader.construct_object(v_node, deep=True)
        d.lines[str(k)] = line
    return d


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> LList:
    lst = LList(loader.construct_object(n, deep=True) for n in node.value)
    lst.line = node.start_mark.line + 1
    lst.lines = [n.start_mark.line + 1 for n in node.value]
    return lst


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> str:
    return str(node.value)  # a date stays the text written: commute's fields are years and clock times


def _refuse(loader: _Loader, suffix: str, node: yaml.Node) -> None:
    tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
    _note(loader, node, f"YAML tag {tag} is not allowed", "write plain text, numbers, lists and mappings")
    return None


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_multi_constructor("", _refuse)  # any other tag (!!binary, !!set, !custom, ...)
for _tag in ("binary", "set", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", lambda ld, n: _refuse(ld, "", n))


def plain(x: Any) -> Any:
    """Plain dicts and lists (without line information)."""
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [plain(v) for v in x]
    if isinstance(x, datetime.date):
        return x.isoformat()
    return x


def _measure(root: yaml.Node) -> tuple[int, int]:
    """Values the document expands to (aliases counted every time they are used) and its depth."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in size and not done:
            continue
        kids: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            kids = [x for pair in node.value for x in pair]
        elif isinstance(node, yaml.SequenceNode):
            kids = list(node.value)
        if not done:
            if key in on_path:  # a recursive alias
                return MAX_NODES + 1, MAX_DEPTH + 1
            on_path.add(key)
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in size)
            continue
        on_path.discard(key)
        size[key] = min(1 + sum(size.get(id(k), 0) for k in kids), 10 * MAX_NODES)
        depth[key] = 1 + max((depth.get(id(k), 0) for k in kids), default=0)
    return size[id(root)], depth[id(root)]


def read_yaml(
    path: Path,
    probs: Problems,
    *,
    what: str = "file",
    encoding: str | None = None,
    max_bytes: int = YAML_MAX_BYTES,
) -> Any:
    """Parse a YAML file safely; every problem becomes a line of ``probs`` (returns None if unusable).

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    """
    path = Path(path)
    f = str(path)
    try:
        check_size(path, max_bytes, what)
        text = decode(path.read_bytes(), path.name, encoding).text
    except CommuteError as e:
        if isinstance(e, FileNotFoundError):
            raise
        probs.add(f, 0, str(e).rstrip("."), "")
        return None
    loader = _Loader(text)
    loader.file, loader.probs = f, probs
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        n, depth = _measure(node)
        if n > MAX_NODES:
            probs.add(
                f, 0, f"YAML aliases expand to more than {MAX_NODES:,} values", "write the values out, without & and *"
            )
            return None
        if depth > MAX_DEPTH:
            probs.add(f, 0, f"YAML nests deeper than {MAX_DEPTH} levels", "flatten the structure")
            return None
        return loader.construct_document(node)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        msg = getattr(e, "problem", None) or str(e).splitlines()[0]
        if "nesting depth" in msg:  # PyYAML 6.0.4 and later stop a deep structure while parsing
            probs.add(f, line, f"YAML nests deeper than {MAX_DEPTH} levels", "flatten the structure")
        else:
            probs.add(f, line, f"YAML syntax error: {msg}", "fix the indentation or quoting on that line")
        return None
    except RecursionError:
        probs.add(f, 0, f"YAML nests deeper than {MAX_DEPTH} levels", "flatten the structure")
        return None
    finally:
        loader.dispose()


def check_keys(
    f: str, doc: dict[str, Any], keys: tuple[str, ...], probs: Problems, *, name_of: str | None = None
) -> Any:
    """Record every top-level key of ``doc`` not in ``keys``; with ``name_of``, also a missing ``name``.

    Returns the document's ``name`` (whatever it is). Lines come from the mapping ``read_yaml``
    returned (0 where unknown).
    """
    lines: dict[str, int] = getattr(doc, "lines", {})
    for k in doc:
        if k not in keys:
            probs.add(f, lines.get(str(k), 0), f"unknown key {k!r}", f"use only {', '.join(keys)}")
    name = doc.get("name")
    if name_of is not None and (not isinstance(name, str) or not name.strip()):
        probs.add(f, lines.get("name", 1), "missing or empty `name`", f"give the {name_of} a name")
    return name
