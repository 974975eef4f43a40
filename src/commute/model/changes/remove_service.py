"""``remove_service``: a service stops running (both directions)."""

from __future__ import annotations

from commute.errors import Problems
from commute.io.network import Network
from commute.model.changes.base import Change, ChangeType, Context, register
from commute.model.changes.form import Form
from commute.model.changes.refs import directions, drop_service


@register
class RemoveService(ChangeType):
    """``- remove_service: {service: <service_id>}``."""

    verb = "remove_service"
    form = Form.of("service!:str")

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Remove every direction of the service and its hops."""
        for s in directions(ctx.G, ch, probs):
            drop_service(ctx.G, s)

    def describe(self, ch: Change, net: Network) -> str:
        """The service removed."""
        return f"Remove service {ch.args.get('service')}."
