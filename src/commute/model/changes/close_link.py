"""``close_link``: remove road links (a bridge closed, a road cut)."""

from __future__ import annotations

from commute.errors import Problems
from commute.io.network import Network
from commute.model.changes.base import Change, ChangeType, Context, register
from commute.model.changes.form import Form
from commute.model.changes.refs import links


@register
class CloseLink(ChangeType):
    """``- close_link: {link: <link id, corridor id or list>}``."""

    verb = "close_link"
    form = Form.of("link!:links")

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Remove every named road edge."""
        ctx.G.remove_edges_from(links(ctx.G, ch.args.get("link"), ch, probs))

    def describe(self, ch: Change, net: Network) -> str:
        """The links closed."""
        return f"Close road link(s) {ch.args.get('link')}."
