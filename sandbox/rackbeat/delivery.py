"""Webhook delivery: an outbox drained by a background thread, with retries and duplicates.

Bodies are shaped as real deliveries are (``{key_name, key}``) unless the ``webhook_body`` knob
asks for the documented shape.

Each delivery is sent from its own daemon thread, so a duplicate can arrive at the receiver at
the same time as the original, as it can from Rackbeat.
"""

from __future__ import annotations

import heapq
import itertools
import json
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

import requests

if TYPE_CHECKING:
    from sandbox.rackbeat.store import Store
    from sandbox.rackbeat.store import Webhook

CONNECT_TIMEOUT_SECONDS = 3
RESPONSE_TIMEOUT_SECONDS = 15
USER_AGENT = "Rackbeat Webhook"


@dataclass(order=True)
class Delivery:
    due_at: float
    sequence: int
    delivery_id: int = field(compare=False)
    webhook_id: int = field(compare=False)
    account_id: int = field(compare=False)
    event: str = field(compare=False)
    url: str = field(compare=False)
    token: str = field(compare=False)
    body: bytes = field(compare=False)
    generation: int = field(compare=False)
    attempt: int = field(default=1, compare=False)
    duplicate: bool = field(default=False, compare=False)


class Outbox:
    """Pending deliveries ordered by due time; ``wait_idle`` lets tests wait without sleeping."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.log: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._pending: list[Delivery] = []
        self._in_flight = 0
        self._generation = 0
        self._sequence = itertools.count(1)
        self._delivery_ids = itertools.count(1)
        self._log_ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._closed = False

    def enqueue(self, webhook: Webhook, payload: dict[str, Any]) -> None:
        """Queue one event for one webhook, its documented payload cut to the body the
        ``webhook_body`` knob names; the duplicate knobs may queue it two or more times, and
        the jitter knob delays each copy by a random time (so events overtake each other)."""
        knobs = self.store.knobs
        copies = 1
        if self.store.chance(knobs.webhook_duplicate_rate):
            copies = self.store.random.randint(2, knobs.webhook_max_copies)
        body = json.dumps(as_sent(payload, knobs.webhook_body), separators=(",", ":")).encode()
        with self._cond:
            delivery_id = next(self._delivery_ids)
            for copy in range(copies):
                heapq.heappush(
                    self._pending,
                    Delivery(
                        due_at=time.monotonic() + self._jitter(knobs.webhook_jitter_ms),
                        sequence=next(self._sequence),
                        delivery_id=delivery_id,
                        webhook_id=webhook.id,
                        account_id=webhook.account_id,
                        event=webhook.event,
                        url=webhook.url,
                        token=webhook.token,
                        body=body,
                        generation=self._generation,
                        duplicate=copy > 0,
                    ),
                )
            self._start()
            self._cond.notify_all()

    def _jitter(self, most_ms: int) -> float:
        return self.store.random.uniform(0, most_ms) / 1000 if most_ms else 0.0

    def counts(self) -> dict[str, int]:
        with self._cond:
            return {"pending": len(self._pending), "in_flight": self._in_flight}

    def logs(self, webhook_id: int | None = None) -> list[dict[str, Any]]:
        with self._cond:
            return [
                dict(entry)
                for entry in self.log
                if webhook_id is None or entry["webhook_id"] == webhook_id
            ]

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is pending or in flight (retries included); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def clear(self) -> None:
        """Forget pending deliveries and the log; deliveries already in flight are dropped."""
        with self._cond:
            self._generation += 1
            self._pending.clear()
            self.log.clear()
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(5)

    def _start(self) -> None:
        if self._thread is None and not self._closed:
            self._thread = threading.Thread(
                target=self._dispatch, name="rackbeat-webhook-outbox", daemon=True
            )
            self._thread.start()

    def _dispatch(self) -> None:
        while True:
            with self._cond:
                while not self._closed and not self._has_due():
                    timeout = self._pending[0].due_at - time.monotonic() if self._pending else None
                    self._cond.wait(timeout)
                if self._closed:
                    return
                due = []
                while self._has_due():
                    due.append(heapq.heappop(self._pending))
                self._in_flight += len(due)
            for delivery in due:
                threading.Thread(
                    target=self._attempt, args=(delivery,), name="rackbeat-webhook", daemon=True
                ).start()

    def _has_due(self) -> bool:
        return bool(self._pending) and self._pending[0].due_at <= time.monotonic()

    def _attempt(self, delivery: Delivery) -> None:
        try:
            outcome = _post(delivery)
            self._record(delivery, outcome)
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def _record(self, delivery: Delivery, outcome: dict[str, Any]) -> None:
        knobs = self.store.knobs
        retry_in = None
        if not outcome["success"] and delivery.attempt < knobs.webhook_max_attempts:
            retry_in = knobs.webhook_retry_base_seconds * 2 ** (delivery.attempt - 1)
        with self.store.lock:
            webhook = self.store.webhooks.get(delivery.webhook_id)
            if webhook is not None and delivery.generation == self._generation:
                if outcome["success"]:
                    webhook.failures_since_last_success = 0
                else:
                    webhook.failures_since_last_success += 1
            sent_at = self.store.timestamp()
        with self._cond:
            if delivery.generation != self._generation:
                return
            self.log.append(
                {
                    "id": next(self._log_ids),
                    "delivery_id": delivery.delivery_id,
                    "webhook_id": delivery.webhook_id,
                    "account_id": delivery.account_id,
                    "event": delivery.event,
                    "url": delivery.url,
                    "attempt": delivery.attempt,
                    "duplicate": delivery.duplicate,
                    "sent_at": sent_at,
                    "payload": json.loads(delivery.body),
                    "next_attempt_in_seconds": retry_in,
                    **outcome,
                }
            )
            if retry_in is not None:
                delivery.attempt += 1
                delivery.due_at = time.monotonic() + retry_in
                delivery.sequence = next(self._sequence)
                heapq.heappush(self._pending, delivery)


def as_sent(payload: dict[str, Any], shape: str) -> dict[str, Any]:
    """The body Rackbeat sends: as observed in production only ``{"key_name": "number",
    "key": "1021"}`` (the event is in a header), or the documented ``{key, key_name, event,
    data}`` with old_key/new_key/changed on updated events."""
    if shape == "documented":
        return payload
    return {"key_name": payload["key_name"], "key": str(payload["key"])}


def _post(delivery: Delivery) -> dict[str, Any]:
    """Send one attempt; any non-2xx answer (redirects included) or network error is a failure."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Rackbeat-Webhook-Token": delivery.token,
        "Rackbeat-Webhook-Event": delivery.event,
        "Rackbeat-Account-Id": str(delivery.account_id),
    }
    started = time.monotonic()
    try:
        response = requests.post(
            delivery.url,
            data=delivery.body,
            headers=headers,
            timeout=(CONNECT_TIMEOUT_SECONDS, RESPONSE_TIMEOUT_SECONDS),
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return {
            "success": False,
            "status_code": None,
            "response_body": None,
            "error": f"{type(error).__name__}: {error}"[:500],
            "duration_ms": round((time.monotonic() - started) * 1000),
        }
    return {
        "success": 200 <= response.status_code < 300,
        "status_code": response.status_code,
        "response_body": response.text[:500],
        "error": None,
        "duration_ms": round((time.monotonic() - started) * 1000),
    }
