"""Rackbeat lists honour ``order_by`` / ``order_direction`` before paging (rackbeat.md §1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.rackbeat import create_app
from tests.sandbox.test_rackbeat_sandbox import bearer
from tests.sandbox.test_rackbeat_sandbox import install


@pytest.fixture
def rb() -> Iterator[FlaskClient]:
    app = create_app({"TESTING": True, "SEED": 1})
    yield app.test_client()
    app.extensions["rackbeat_sandbox"].outbox.close()


def every_page(rb: FlaskClient, path: str, headers: dict[str, str], query: str) -> list[dict]:
    records: list[dict[str, Any]] = []
    page = 1
    while True:
        response = rb.get(f"{path}?limit=2&page={page}&{query}", headers=headers)
        assert response.status_code == 206, response.json
        records += response.json["customer_invoices"]
        if page >= response.json["pages"]:
            return records
        page += 1


def test_invoices_page_in_the_asked_order_with_missing_values_last(rb: FlaskClient):
    headers = bearer(install(rb))
    path = "/api/customer-invoices"
    seeded = every_page(rb, path, headers, "")
    assert [r["number"] for r in seeded] == sorted(r["number"] for r in seeded)
    assert all(r["booked_at"] for r in seeded if r["is_booked"])  # seeded bookings too

    for direction in ("asc", "desc"):
        totals = every_page(rb, path, headers, f"order_by=total_total&order_direction={direction}")
        values = [r["total_total"] for r in totals]
        assert values == sorted(values, reverse=direction == "desc")
        assert len(values) == len(seeded)

    draft = next(r["number"] for r in seeded if not r["is_booked"])
    rb.post("/_sandbox/knobs", json={"clock_offset_seconds": 5})
    assert rb.post(f"{path}/{draft}/book", headers=headers).status_code == 200
    drafts_left = [r["number"] for r in seeded if not r["is_booked"] and r["number"] != draft]
    booked_first = [r["number"] for r in seeded if r["is_booked"]]  # same second: key order

    newest = every_page(rb, path, headers, "order_by=booked_at&order_direction=desc")
    oldest = every_page(rb, path, headers, "order_by=booked_at")  # asc by default
    assert [r["number"] for r in newest] == [draft, *booked_first, *drafts_left]
    assert [r["number"] for r in oldest] == [*booked_first, draft, *drafts_left]


def test_an_unknown_direction_is_422_and_an_unknown_field_orders_nothing(rb: FlaskClient):
    headers = bearer(install(rb))

    bad = rb.get("/api/customers?order_by=number&order_direction=sideways", headers=headers)
    unknown = rb.get("/api/customers?order_by=no_such_field&order_direction=desc", headers=headers)

    assert bad.status_code == 422
    assert list(bad.json["errors"]) == ["order_direction"]
    assert unknown.status_code == 206
    assert [c["number"] for c in unknown.json["customers"]] == [1, 2, 3, 4, 5, 6]
