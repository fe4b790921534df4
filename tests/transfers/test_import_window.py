"""The cursor rules of the hourly import (pure): the overlap, the first run's start, and a
cursor that moves only past what was stored."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from rackdinero_app.transfers.invoice_import.window import OVERLAP
from rackdinero_app.transfers.invoice_import.window import Window
from rackdinero_app.transfers.invoice_import.window import changed_at
from rackdinero_app.transfers.invoice_import.window import created_before

SWITCHED = datetime(2026, 11, 29, 9, 40, 12, 345000, tzinfo=UTC)
NOW = datetime(2026, 11, 29, 13, 13, 0, 512000, tzinfo=UTC)


def test_the_first_run_starts_where_the_import_started_with_the_overlap():
    window = Window.open(None, SWITCHED, NOW)

    assert window.since == SWITCHED - OVERLAP
    assert window.listed_from == NOW.replace(microsecond=0)


def test_a_later_run_lists_from_the_cursor_pulled_back_by_the_overlap():
    cursor = datetime(2026, 11, 29, 12, 13, 1, tzinfo=UTC)

    assert Window.open(cursor, SWITCHED, NOW).since == cursor - timedelta(minutes=5)


def test_a_cursor_from_before_the_direction_was_switched_again_is_not_used():
    old_cursor = SWITCHED - timedelta(days=3)  # runs of an earlier time invoices came from Dinero

    assert Window.open(old_cursor, SWITCHED, NOW).since == SWITCHED - OVERLAP


def test_the_cursor_moves_to_where_listing_began_when_everything_was_stored():
    window = Window.open(None, SWITCHED, NOW)

    assert window.next_cursor() == NOW.replace(microsecond=0)


def test_the_cursor_stays_at_or_before_a_voucher_that_could_not_be_stored():
    window = Window.open(None, SWITCHED, NOW)
    window.not_stored({"CreatedAt": "2026-11-29T10:00:00Z", "UpdatedAt": "2026-11-29T12:59:58Z"})
    window.not_stored({"CreatedAt": "2026-11-29T12:30:00Z", "UpdatedAt": None})

    assert window.next_cursor() == datetime(2026, 11, 29, 12, 30, tzinfo=UTC)
    assert Window.open(window.next_cursor(), SWITCHED, NOW).since < datetime(
        2026, 11, 29, 12, 30, tzinfo=UTC
    )


def test_a_voucher_changes_when_it_is_created_updated_or_deleted():
    paid_later = {"CreatedAt": "2026-11-29T10:00:00Z", "UpdatedAt": "2026-11-29T12:00:00Z"}
    deleted = {**paid_later, "DeletedAt": "2026-11-29T12:45:00.123Z"}

    assert changed_at(paid_later) == datetime(2026, 11, 29, 12, tzinfo=UTC)
    assert changed_at(deleted) == datetime(2026, 11, 29, 12, 45, 0, 123000, tzinfo=UTC)


def test_vouchers_created_before_the_import_started_are_told_apart_to_the_second():
    assert created_before({"CreatedAt": "2026-11-29T09:40:11Z"}, SWITCHED)
    assert not created_before({"CreatedAt": "2026-11-29T09:40:12Z"}, SWITCHED)
    assert not created_before({"CreatedAt": None}, SWITCHED)
