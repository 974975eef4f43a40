"""Every exception commute raises, in one place.

Each subclasses a builtin so that ``except ValueError`` keeps working. The command line
turns a :class:`CommuteError` into one sentence on stderr and a non-zero exit code; any
other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


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

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class ValidationError(CommuteError, ValueError):
    """Raised with every problem found in one validation pass."""

    def __init__(self, problems: list[Problem], what: str = "input") -> None:
        self.problems = list(problems)
        self.what = what
        super().__init__(self.summary())

    def summary(self) -> str:
        """Return one line naming how many problems there are and the first of them."""
        n = len(self.problems)
        first = str(self.problems[0]) if self.problems else ""
        more = f" (and {n - 1} more)" if n > 1 else ""
        return f"{self.what} has {n} problem{'s' if n != 1 else ''}: {first}{more}"

    def headline(self) -> str:
        """``<what> has N problem(s):``, to print above :meth:`report`."""
        n = len(self.problems)
        return f"{self.what} has {n} problem{'s' if n != 1 else ''}:"

    def report(self) -> str:
        """Return every problem, one per line."""
        return "\n".join(str(p) for p in self.problems)


class Problems:
    """Collects problems so a validator can report all of them at once."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.items: list[Problem] = []

    def add(self, file: str, line: int, message: str, hint: str = "") -> None:
        """Record a problem."""
        self.items.append(Problem(str(file), int(line), message, hint))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """Raise :class:`ValidationError` if any problem was recorded."""
        if self.items:
            raise ValidationError(self.items, self.what)
