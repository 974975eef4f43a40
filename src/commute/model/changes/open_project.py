"""``open_project``: switch on a project of projects.csv whatever its year."""

from __future__ import annotations

from commute.errors import Problems
from commute.io.network import Network
from commute.model.changes.base import Change, ChangeType, Context, register


@register
class OpenProject(ChangeType):
    """``- open_project: <project_id>``: the project's elements are built into the graph."""

    verb = "open_project"

    def check_form(self, ch: Change, probs: Problems) -> None:
        """The argument is a project id."""
        if not isinstance(ch.args, str) or not ch.args:
            ch.problem(probs, "open_project needs a project id", "e.g. - open_project: wutian_expressway")

    def projects(self, ch: Change, ctx: Context, probs: Problems) -> list[str]:
        """The project to switch on; an unknown id is a problem with close ids as the hint."""
        if ch.args in ctx.known_projects:
            return [ch.args]
        close = [p for p in ctx.known_projects if str(ch.args).split("_")[0] in p][:5]
        ch.problem(
            probs,
            f"unknown project {ch.args!r}",
            f"use an id from projects.csv{' such as ' + ', '.join(sorted(close)) if close else ''}",
        )
        return []

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Nothing to edit (the project was built in); a project open anyway does nothing."""
        if ch.args in ctx.known_projects and ch.args in ctx.already_open:
            ch.problem(
                probs,
                f"project {ch.args!r} is already open in {ctx.year}; this change does nothing",
                "remove it or choose an earlier year",
            )

    def describe(self, ch: Change, net: Network) -> str:
        """Name, status and elements of the project."""
        proj = net.tables["projects"].set_index("project_id")
        if ch.args in proj.index:
            r = proj.loc[ch.args]
            elems = str(r["elements"]).replace(";", ", ")
            return f"Open project {r['name_zh']} ({ch.args}, {r['status']}): switches on {elems}."
        return f"Open project {ch.args} (unknown)."
