"""The protocol every scenario change type follows, and the registry of verbs.

A change type is one verb of the scenario format (``add_road``, ``close_station``, ...). It
declares its fields (its schema), checks the form of a written change (every problem at once,
with line and hint), applies the change to a graph (looking names up, collecting every
reference problem) and describes it in a sentence. Each verb lives in its own module of
:mod:`commute.model.changes`, decorated with :func:`register`; adding a verb is adding a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import networkx as nx

from commute.errors import Problems
from commute.io.network import Network
from commute.io.yamlio import plain
from commute.model.changes.form import Form
from commute.model.places import PlaceIndex
from commute.registry import add

REGISTRY: dict[str, ChangeType] = {}


@dataclass(frozen=True)
class Change:
    """One change: its verb, arguments, and where it was written."""

    verb: str
    args: Any
    file: str
    line: int
    lines: dict[str, int] = field(default_factory=dict)
    form_ok: bool = True

    def to_json(self) -> dict[str, Any]:
        """The change as plain data (for hashing and display)."""
        return {self.verb: plain(self.args)}

    def line_of(self, key: str) -> int:
        """The line a field was written on (the change's line if unknown)."""
        return self.lines.get(key, self.line)

    def problem(self, probs: Problems, message: str, hint: str, key: str | None = None) -> None:
        """Record a problem at this change (at field ``key``'s line if given)."""
        probs.add(self.file, self.line if key is None else self.line_of(key), message, hint)

    def does_nothing(self, probs: Problems, what: str, hint: str) -> None:
        """Record that applying this change left ``what`` (the link, the service) as it was."""
        self.problem(probs, f"{self.verb} leaves the {what} as it was; this change does nothing", hint)


@dataclass
class Context:
    """What a change is applied to: the graph being edited, its network and place index.

    ``already_open`` and ``known_projects`` serve ``open_project``, which is resolved before
    the graph is built.
    """

    G: nx.MultiDiGraph
    net: Network
    index: PlaceIndex
    year: int
    known_projects: frozenset[str] = frozenset()
    already_open: frozenset[str] = frozenset()


class ChangeType:
    """Base class of a scenario verb.

    Subclasses set ``verb`` and ``form`` (made by :meth:`commute.model.changes.form.Form.of`:
    fields, kinds and the fields that go together), and override :meth:`apply` and
    :meth:`describe`; :meth:`check` adds form rules the declaration cannot state.
    """

    verb: ClassVar[str]
    form: ClassVar[Form] = Form()

    def check_form(self, ch: Change, probs: Problems) -> None:
        """Types, ranges and groups of the change's fields, then :meth:`check` (references come later)."""
        if self.form.check(self.verb, ch, probs):
            self.check(ch, probs)

    def check(self, ch: Change, probs: Problems) -> None:
        """Verb-specific form rules (fields that go together); none by default."""

    def projects(self, ch: Change, ctx: Context, probs: Problems) -> list[str]:
        """Project ids to switch on when the graph is built (only ``open_project`` has any)."""
        return []

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Edit ``ctx.G`` in place; record every reference problem and changes that do nothing."""
        raise NotImplementedError

    def describe(self, ch: Change, net: Network) -> str:
        """The change in a sentence a planner reads (no number, no source line)."""
        raise NotImplementedError


def register(cls: type[ChangeType]) -> type[ChangeType]:
    """Class decorator: add a change type to :data:`REGISTRY` under its verb."""
    add(REGISTRY, cls.verb, cls(), "scenario verb")
    return cls
