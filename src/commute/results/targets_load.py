"""Read target files: resolve names to files, validate every rule (every problem at once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from commute.errors import DataNotFoundError, Problems
from commute.io.network import shipped_folder
from commute.io.yamlio import check_keys, plain, read_yaml
from commute.results.rules import KINDS, REGISTRY, Rule
from commute.results.rules.fields import check_values
from commute.results.travel import place_index


@dataclass(frozen=True)
class TargetSet:
    """A named list of rules from one file."""

    name: str
    path: Path
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    description: str = ""


def targets_root() -> Path:
    """The folder of shipped target files."""
    return shipped_folder("targets")


def shipped_targets() -> list[str]:
    """Names of the shipped target files."""
    return sorted(p.stem for p in targets_root().glob("*.yaml"))


def resolve_targets(spec: str | None) -> list[Path]:
    """Target files from ``"123,huangshi_134"``, a path, or None (every shipped file)."""
    if spec is None:
        return sorted(targets_root().glob("*.yaml"))
    out = []
    for item in [s.strip() for s in str(spec).split(",") if s.strip()]:
        p = Path(item)
        if p.is_file():
            out.append(p)
        elif (targets_root() / f"{item}.yaml").is_file():
            out.append(targets_root() / f"{item}.yaml")
        else:
            raise DataNotFoundError(
                f"targets {item!r} is neither a file nor a shipped target set; use a path or one of "
                f"{', '.join(shipped_targets())}."
            )
    return out


def load_targets(path: str | Path, *, G: nx.MultiDiGraph | None = None) -> TargetSet:
    """Read and validate a target file; every problem is reported at once with its line.

    Parameters
    ----------
    path
        The YAML file.
    G
        If given, place and group names in the rules are checked against its network.

    Raises
    ------
    ValidationError
        Listing every problem, each with file, line and a hint.
    """
    path = Path(path)
    probs = Problems(f"targets {path}")
    doc = read_yaml(path, probs, what="targets")
    f = str(path)
    rules: list[Rule] = []
    if doc is None and not probs:
        probs.add(f, 0, "file is empty", "give a name and a list of rules")
    if doc is not None and not isinstance(doc, dict):
        probs.add(f, 1, "a target file must be a mapping (name:, rules:)", "start the file with `name: ...`")
        doc = None
    if isinstance(doc, dict):
        lines = getattr(doc, "lines", {})
        check_keys(f, doc, ("name", "description", "rules"), probs)
        items = doc.get("rules")
        if not isinstance(items, list) or not items:
            probs.add(f, lines.get("rules", 1), "`rules` must be a non-empty list", "add at least one rule")
            items = []
        item_lines = getattr(items, "lines", [0] * len(items))
        seen: set[str] = set()
        idx = place_index(G) if G is not None else None
        for i, r in enumerate(items):
            ln = item_lines[i] if i < len(item_lines) else 0
            if not isinstance(r, dict):
                probs.add(f, ln, "each rule must be a mapping", "start it with `- id: ...`")
                continue
            rl = getattr(r, "lines", {})
            kind = r.get("kind", "reach")
            if kind not in KINDS:
                probs.add(f, rl.get("kind", ln), f"unknown rule kind {kind!r}", f"use one of {', '.join(KINDS)}")
                continue
            rule_kind = REGISTRY[kind]
            for k in r:
                if k not in rule_kind.all_keys:
                    probs.add(
                        f,
                        rl.get(str(k), ln),
                        f"{kind} rule has no field {k!r}",
                        f"use {', '.join(sorted(rule_kind.all_keys))}",
                    )
            for k in sorted(rule_kind.required - set(r)):
                probs.add(f, ln, f"rule lacks required field {k!r}", f"add {k}: ...")
            rid = str(r.get("id", ""))
            if rid in seen:
                probs.add(f, rl.get("id", ln), f"duplicate rule id {rid!r}", "make rule ids unique")
            seen.add(rid)

            def report(key: str, message: str, hint: str, rl: dict[str, int] = rl, ln: int = ln) -> None:
                probs.add(f, rl.get(key, ln), message, hint)

            check_values(r, report, idx)
            rules.append(Rule(rid, str(r.get("name", rid)), kind, plain(r), f, ln))
    probs.raise_if_any()
    assert isinstance(doc, dict)
    return TargetSet(str(doc.get("name", path.stem)), path, tuple(rules), str(doc.get("description", "") or ""))
