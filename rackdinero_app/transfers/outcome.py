"""What a transfer handler reports back to the engine."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers.messages import Message


@dataclass
class Outcome:
    state: TransferState
    message: Message
    reason_code: str | None = None
    dinero_guid: str | None = None
    dinero_number: str | None = None
    retry_after: float | None = None
    # False for Dinero's "too many requests": the transfer did nothing wrong and waits its
    # turn, so the wait does not use up one of its attempts.
    counts_attempt: bool = True
    # Transfers this one requested (e.g. goods consumption after an invoice), started after it.
    follow_ups: list[int] = field(default_factory=list)

    @classmethod
    def succeeded(cls, message: Message, **values) -> Outcome:
        return cls(TransferState.SUCCEEDED, message, **values)

    @classmethod
    def skipped(cls, reason_code: str, message: Message) -> Outcome:
        return cls(TransferState.SKIPPED, message, reason_code)

    @classmethod
    def failed(cls, reason_code: str, message: Message) -> Outcome:
        return cls(TransferState.FAILED, message, reason_code)

    @classmethod
    def retry(
        cls,
        message: Message,
        retry_after: float | None = None,
        *,
        reason_code: str = "retrying",
        counts_attempt: bool = True,
    ) -> Outcome:
        """Try again later (a transient error): ``PENDING`` until the last attempt."""
        return cls(
            TransferState.PENDING,
            message,
            reason_code,
            retry_after=retry_after,
            counts_attempt=counts_attempt,
        )
