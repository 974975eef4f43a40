"""Every exception commute raises, in one place.

Each subclasses a builtin so that ``except ValueError`` keeps working. The command line
turns a :class:`CommuteError` into one sentence on stderr and a non-zero exit code; any
other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

#: Problems of one kind kept (the rest are counted) and shown in a report.
KEEP_PER_KIND = 1000
SHOW_PER_KIND = 10
_VARYING = re.compile(r"'[^']*'|\"[^\"]*\"|-?\d+(?:[.,]\d+)*")


class CommuteError(Exception):
    """Base class for errors caused by input (a user mistake, not a bug)."""

    exit_code = 2


class UnknownPlaceError(CommuteError, KeyError):
    """A place name, id or code that matches nothing, or matches several places."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InvalidOptionError(CommuteError, ValueError):
    """An option with a value outside what it accepts (a year, a mode, a measure)."""


class DataNotFoundError(CommuteError, FileNotFoundError):
    """A network folder, scenario, target file or table that does not exist."""


@dataclass(frozen=True)
class Problem:
    """One problem found while validating a file.

    Parameters
    ----------
    file
        The file the problem is in.
    line
        The 1-based line (or table row, counting the header as line 1); 0 when unknown.
    message
        What is wrong, naming the value found.
    hint
        How to fix it.
    """

    file: str
    line: int
    message: str
    hint: str = ""

    @property
    def kind(self) -> str:
        """The message with its values blanked: problems of one kind differ only in values."""
        return self.file + "\0" + _VARYING.sub("_", self.message)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class ValidationError(CommuteError, ValueError):
    """Raised with every problem found in one validation pass."""

    def __init__(self, problems: list[Problem], what: str = "input", omitted: dict[str, int] | None = None) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line))
        self.what = what
        self.omitted_by_kind = dict(omitted or {})
        self.omitted = sum(self.omitted_by_kind.values())
        super().__init__(self.summary())

    @property
    def count(self) -> int:
        """Every problem found, those not kept included."""
        return len(self.problems) + self.omitted

    def summary(self) -> str:
        """Return one line naming how many problems there are and the first of them."""
        n = self.count
        first = str(self.problems[0]) if self.problems else ""
        more = f" (and {n - 1} more)" if n > 1 else ""
        return f"{self.what} has {n} problem{'s' if n != 1 else ''}: {first}{more}"

    def headline(self) -> str:
        """``<what> has N problem(s):``, to print above :meth:`report`."""
        n = self.count
        return f"{self.what} has {n:,} problem{'s' if n != 1 else ''}:"

    def report(self, show: int = SHOW_PER_KIND) -> str:
        """Every problem, one per line; past ``show`` of a kind, one line "and N more like this"."""
        total = Counter(p.kind for p in self.problems)
        for kind, n in self.omitted_by_kind.items():
            total[kind] += n
        seen: Counter[str] = Counter()
        out = []
        for p in self.problems:
            seen[p.kind] += 1
            if seen[p.kind] <= show:
                out.append(str(p))
            if seen[p.kind] == show and total[p.kind] > show:
                out.append(f"{p.file}: and {total[p.kind] - show:,} more like this")
        return "\n".join(out)


class Problems:
    """Collects problems so a validator can report all of them at once."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.items: list[Problem] = []
        self.kept: Counter[str] = Counter()
        self.omitted: Counter[str] = Counter()

    def add(self, file: str, line: int, message: str, hint: str = "") -> None:
        """Record a problem (past :data:`KEEP_PER_KIND` of one kind, only count it)."""
        p = Problem(str(file), int(line), message, hint)
        k = p.kind
        if self.kept[k] >= KEEP_PER_KIND:
            self.omitted[k] += 1
            return
        self.kept[k] += 1
        self.items.append(p)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def count(self) -> int:
        """Every problem recorded, those only counted included."""
        return len(self.items) + sum(self.omitted.values())

    def raise_if_any(self) -> None:
        """Raise :class:`ValidationError` if any problem was recorded."""
        if self.items:
            raise ValidationError(self.items, self.what, dict(self.omitted))
