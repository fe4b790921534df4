"""One Dinero item against Rackbeat: what it would become (the preview) or becomes (the run)."""

from __future__ import annotations

from collections.abc import Mapping

from rackdinero_app.clients.errors import ValidationFailed
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import SyncOutcome
from rackdinero_app.sync import rackbeat
from rackdinero_app.sync import records
from rackdinero_app.sync.mapping import Choices
from rackdinero_app.sync.mapping import contact_body
from rackdinero_app.sync.mapping import product_body
from rackdinero_app.sync.rules import Candidate
from rackdinero_app.sync.rules import Decision
from rackdinero_app.sync.rules import Item
from rackdinero_app.sync.rules import already_linked
from rackdinero_app.sync.rules import created
from rackdinero_app.sync.rules import decide
from rackdinero_app.sync.rules import rackbeat_key_of
from rackdinero_app.sync.rules import rejected
from rackdinero_app.sync.work import Work

Linked = Mapping[tuple[EntityKind, str], str]


def predict(work: Work, item: Item, linked: Linked) -> Decision:
    """What the item would become, from Rackbeat as it is now (nothing is written)."""
    if item.skip is not None or item.key is None:
        return Decision(SyncOutcome.SKIPPED, reason=item.skip)
    key = linked.get((item.kind, item.guid))
    if key is not None:
        return already_linked(key)
    found = rackbeat.find(work.rackbeat, item.kind, item.key)
    keys = [rackbeat_key_of(record) for record in found]
    owners = records.linked_keys(work.connection_id, item.kind, keys)
    records.done_reading()
    return decide(item, [Candidate(key, owners.get(key)) for key in keys])


def needs_link(decision: Decision) -> bool:
    """Whether the decision makes a new entity link (an existing one is not written again)."""
    if decision.outcome not in (SyncOutcome.CREATED, SyncOutcome.LINKED):
        return False
    return decision.reason is None or decision.reason.code != "already_linked"


def carry_out(work: Work, choices: Choices, item: Item, linked: Linked) -> Decision:
    """Decide as ``predict`` does, and create the record in Rackbeat when there is no match.

    Called again from the start after a passing error, so a record that was created but not
    confirmed is found by its key and linked rather than created twice."""
    decision = predict(work, item, linked)
    if not decision.creates:
        return decision
    if item.kind == EntityKind.PRODUCT:
        body = product_body(item.record, item.key, choices)
    else:
        body = contact_body(item.record, item.key, choices)
    try:
        made = rackbeat.create(work.rackbeat, item.kind, body)
    except ValidationFailed as error:
        return rejected(_details(error))
    return created(rackbeat_key_of(made))


def _details(error: ValidationFailed) -> str:
    """Rackbeat's own words, field by field (already free of secrets)."""
    if error.field_errors:
        return "; ".join(
            f"{field}: {' '.join(text) if isinstance(text, list) else text}"
            for field, text in error.field_errors.items()
        )
    return str(error.message_params.get("text") or error.message)
