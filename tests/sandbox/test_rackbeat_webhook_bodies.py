"""The bodies the Rackbeat sandbox's webhooks carry: by default the shape observed in
production, ``{"key_name": "number", "key": "1021"}``; the documented one behind a knob."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.sandbox.test_rackbeat_sandbox import Receiver
from tests.sandbox.test_rackbeat_sandbox import bearer
from tests.sandbox.test_rackbeat_sandbox import flush
from tests.sandbox.test_rackbeat_sandbox import install
from tests.sandbox.test_rackbeat_sandbox import rackbeat  # noqa: F401 (a fixture rb uses)
from tests.sandbox.test_rackbeat_sandbox import rb  # noqa: F401
from tests.sandbox.test_rackbeat_sandbox import receiver  # noqa: F401
from tests.sandbox.test_rackbeat_sandbox import subscribe


def update_customer_2(rb: FlaskClient, url: str) -> None:  # noqa: F811
    tokens = install(rb)
    subscribe(rb, tokens, "customer.updated", url)
    rb.put("/api/customers/2", json={"number": 99}, headers=bearer(tokens))
    flush(rb)


def test_by_default_a_webhook_carries_only_key_name_and_key(
    rb: FlaskClient,  # noqa: F811
    receiver: tuple[Receiver, str],  # noqa: F811
):
    endpoint, url = receiver
    assert rb.get("/_sandbox/knobs").json["webhook_body"] == "observed"

    update_customer_2(rb, url)

    [delivery] = endpoint.deliveries
    assert delivery["body"] == {"key_name": "number", "key": "99"}
    assert delivery["headers"]["Rackbeat-Webhook-Event"] == "customer.updated"


def test_the_documented_body_is_a_knob_away(
    rb: FlaskClient,  # noqa: F811
    receiver: tuple[Receiver, str],  # noqa: F811
):
    endpoint, url = receiver
    knobs = rb.post("/_sandbox/knobs", json={"webhook_body": "documented"})
    assert knobs.json["webhook_body"] == "documented"

    update_customer_2(rb, url)

    [delivery] = endpoint.deliveries
    body = delivery["body"]
    assert (body["key"], body["key_name"], body["event"]) == (99, "number", "customer.updated")
    assert body["data"]["number"] == 99
    assert (body["old_key"], body["new_key"], body["changed"]) == (2, 99, ["number"])


def test_a_reset_brings_the_observed_body_back_and_other_shapes_are_refused(
    rb: FlaskClient,  # noqa: F811
):
    rb.post("/_sandbox/knobs", json={"webhook_body": "documented"})
    assert rb.post("/_sandbox/reset").json["webhook_body"] == "observed"

    refused = rb.post("/_sandbox/knobs", json={"webhook_body": "full"})

    assert refused.status_code == 422
    assert refused.json["errors"] == {
        "webhook_body": ["The webhook_body must be one of: observed, documented."]
    }
    assert rb.get("/_sandbox/knobs").json["webhook_body"] == "observed"
