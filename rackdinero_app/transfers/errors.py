"""Why a transfer cannot go ahead: typed errors with a plain-language message and the fix.

``reason_code`` is short snake_case for the transfer row and the support dashboard;
``explanation`` is what the Rackbeat user reads (a catalogue message, shown in their language)
and ``message`` its English text. None of these is worth retrying: the data or the settings
must change first.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rackdinero_app.transfers.messages import Message


class TransferError(Exception):
    """Base class: the Rackbeat record cannot be transferred as it is."""

    reason_code = "transfer_error"

    def __init__(self, explanation: Message) -> None:
        self.explanation = explanation
        self.message = explanation.text
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class MissingMapping(TransferError):
    """One or more settings are missing; ``fixes`` names each one, so all are fixed at once."""

    reason_code = "missing_mapping"

    def __init__(self, fixes: Sequence[Message]) -> None:
        unique: dict[str, Message] = {}
        for fix in fixes:  # one line per fix, in first-seen order
            unique.setdefault(fix.text, fix)
        self.fixes = list(unique.values())
        if len(self.fixes) == 1:
            super().__init__(Message.of("missing_setting", fix=self.fixes[0]))
        else:
            super().__init__(Message.of("missing_settings", fixes=self.fixes))


class TotalsMismatch(TransferError):
    """Dinero's totals differ from Rackbeat's for the same invoice."""

    reason_code = "totals_mismatch"

    def __init__(self, differences: Sequence[tuple[Message, Decimal, Decimal]]) -> None:
        self.differences = list(differences)  # (total, Rackbeat's figure, Dinero's figure)
        shown = [
            Message.of(
                "totals_difference", total=total, rackbeat=f"{rackbeat:.2f}", dinero=f"{dinero:.2f}"
            )
            for total, rackbeat, dinero in self.differences
        ]
        super().__init__(Message.of("totals_mismatch", differences=shown))


class NothingToTransfer(TransferError):
    """There is nothing to write to Dinero; the transfer is skipped, not failed."""

    reason_code = "nothing_to_transfer"


class InvalidSourceRecord(TransferError):
    """The Rackbeat record itself lacks something the transfer needs."""

    reason_code = "invalid_record"


class LinkConflict(TransferError):
    """The Dinero object a transfer arrived at already stands for another Rackbeat record."""

    reason_code = "link_conflict"

    def __init__(self, kind: str, rackbeat_key: str, linked_key: str) -> None:
        self.kind, self.rackbeat_key, self.linked_key = kind, rackbeat_key, linked_key
        super().__init__(
            Message.of(
                "link_conflict",
                noun=Message.of(f"noun_{kind}"),
                key=rackbeat_key,
                linked_key=linked_key,
            )
        )
