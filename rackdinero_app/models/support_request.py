"""A customer's request for assisted setup by support (the paid offer of the article)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from rackdinero_app.models.base import Base
from rackdinero_app.models.base import ConnectionScoped
from rackdinero_app.models.base import TimestampMixin
from rackdinero_app.models.base import UTCDateTime
from rackdinero_app.models.base import enum_column

MAX_NOTE = 1000

# The states in which a request still waits for support; at most one per connection.
OPEN_STATES_SQL = "state IN ('open', 'in_progress')"


class SupportRequestState(enum.StrEnum):
    """Open until support picks it up, in progress while they work on it, then done or
    declined (closed: the customer may ask again)."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"


class SupportRequest(ConnectionScoped, TimestampMixin, Base):
    """ "Ask support to set this up": who asked, their note, and what support answered.

    The partial unique index holds one waiting request per connection in the database itself,
    so two clicks at the same moment make one request."""

    __tablename__ = "support_requests"
    __table_args__ = (
        sa.Index(
            "ix_support_requests_one_open",
            "connection_id",
            unique=True,
            sqlite_where=sa.text(OPEN_STATES_SQL),
            postgresql_where=sa.text(OPEN_STATES_SQL),
        ),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    state: orm.Mapped[SupportRequestState] = orm.mapped_column(
        enum_column(SupportRequestState), default=SupportRequestState.OPEN
    )
    # The Rackbeat user as the embedded pages name them (``embedded.views.actor``).
    requested_by: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    message: orm.Mapped[str | None] = orm.mapped_column(sa.String(MAX_NOTE))
    staff_note: orm.Mapped[str | None] = orm.mapped_column(sa.String(MAX_NOTE))
    handled_by: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    closed_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)

    @property
    def is_open(self) -> bool:
        return self.state in (SupportRequestState.OPEN, SupportRequestState.IN_PROGRESS)
