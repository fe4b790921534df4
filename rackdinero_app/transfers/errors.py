"""Why a transfer cannot go ahead: typed errors with a plain-language message and the fix.

``reason_code`` is short snake_case for the transfer row and the support dashboard; ``message``
is what the Rackbeat user reads. None of these is worth retrying: the data or the settings must
change first.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal


class TransferError(Exception):
    """Base class: the Rackbeat record cannot be transferred as it is."""

    reason_code = "transfer_error"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class MissingMapping(TransferError):
    """One or more settings are missing; ``fixes`` names each one, so all are fixed at once."""

    reason_code = "missing_mapping"

    def __init__(self, fixes: Sequence[str]) -> None:
        self.fixes = list(dict.fromkeys(fixes))  # one line per fix, in first-seen order
        if len(self.fixes) == 1:
            message = f"A setting is missing. {self.fixes[0]}"
        else:
            message = "Some settings are missing:\n" + "\n".join(f"- {f}" for f in self.fixes)
        super().__init__(message)


class TotalsMismatch(TransferError):
    """Dinero's totals differ from Rackbeat's for the same invoice."""

    reason_code = "totals_mismatch"

    def __init__(self, differences: Sequence[tuple[str, Decimal, Decimal]]) -> None:
        self.differences = list(differences)  # (label, Rackbeat's figure, Dinero's figure)
        shown = "; ".join(
            f"{label}: Rackbeat {rackbeat:.2f}, Dinero {dinero:.2f}"
            for label, rackbeat, dinero in self.differences
        )
        super().__init__(
            f"The totals in Dinero differ from Rackbeat ({shown}). Check that each "
            "mapped account has the right VAT code in Dinero and that the unit prices have at "
            "most two decimals."
        )


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
        noun = kind.replace("_", " ")
        super().__init__(
            f"Dinero's {noun} for {rackbeat_key} is already linked to Rackbeat {noun} "
            f"{linked_key}, and one Dinero record cannot stand for two Rackbeat records. Check "
            f"whether {rackbeat_key} and {linked_key} are the same in Rackbeat; retrying will "
            "not help until one of them is changed."
        )
