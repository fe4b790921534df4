"""The alert rule, with a real SMTP server (aiosmtpd) on loopback and the session's Redis."""

from __future__ import annotations

import email
import threading
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller

from rackdinero_app.extensions import rq
from rackdinero_app.models.base import utcnow
from rackdinero_app.support import alerts
from rackdinero_app.support import issues
from rackdinero_app.tasks import cron
from rackdinero_app.tasks.support import alert_support
from rackdinero_app.transfers.messages import Message
from rackdinero_app.worker import LeaderCron
from sandbox.services import free_port
from tests.support.test_issues import connect
from tests.support.test_issues import missing
from tests.support.test_issues import revenue
from tests.support.test_issues import transfer

pytestmark = pytest.mark.redis
SECRETS = ("dinero-secret-key", "rb-secret-access", "rb-secret-refresh")


class Inbox:
    """Every mail the SMTP server accepted, parsed."""

    def __init__(self) -> None:
        self.mails: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.mails.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(mail["Subject"]) for mail in self.mails]


@pytest.fixture
def inbox(app):
    """An SMTP server on a free port, and the app's alerts pointed at it."""
    received = Inbox()
    port = free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(
        SUPPORT_SMTP_HOST="127.0.0.1",
        SUPPORT_SMTP_PORT=port,
        SUPPORT_ALERT_FROM="rackdinero@vendor.example",
        SUPPORT_ALERT_TO="support@vendor.example, oncall@vendor.example",
        SUPPORT_ALERT_THRESHOLD=3,
    )
    yield received
    controller.stop()


def secretive(name: str):
    return connect(
        name,
        dinero_api_key=SECRETS[0],
        rackbeat_access_token=SECRETS[1],
        rackbeat_refresh_token=SECRETS[2],
    )


def hour_passes() -> None:
    """The hour's Redis keys expire (the newest failure each mail named stays)."""
    for key in rq.redis.scan_iter(f"{alerts.PREFIX}:*"):
        if not key.decode().endswith(":newest"):
            rq.redis.delete(key)


def test_alerts_are_off_without_an_smtp_host(app, inbox):
    app.config["SUPPORT_SMTP_HOST"] = None
    transfer(secretive("Shop ApS"), missing(revenue("Tools")))

    assert alerts.check_and_alert() == {"groups": 0, "connections": 0}
    assert inbox.mails == []
    assert list(rq.redis.scan_iter(f"{alerts.PREFIX}:*")) == []


def test_a_new_group_mails_once_with_its_fix_and_connections_and_no_secret(app, inbox):
    shop, farm = secretive("Shop ApS"), secretive("Farm A/S")
    transfer(shop, missing(revenue("Tools")))
    transfer(farm, missing(revenue("Seeds")))

    assert alerts.check_and_alert() == {"groups": 1, "connections": 0}

    [mail] = inbox.mails
    body = mail.get_content()
    assert mail["Subject"] == (
        "[rackdinero] Failure group missing_setting/map_revenue_account_domestic on 2 connection(s)"
    )
    assert mail["To"] == "support@vendor.example, oncall@vendor.example"
    assert "Fix: Map product group Seeds for the Domestic zone in Settings > Sales and " in body
    assert f"- {shop.id} Shop ApS: 1" in body
    assert f"- {farm.id} Farm A/S: 1" in body
    assert not any(secret in mail.as_string() for secret in SECRETS)


def test_the_same_group_within_the_hour_does_not_mail_again(app, inbox):
    shop = secretive("Shop ApS")
    transfer(shop, missing(revenue("Tools")), ago=timedelta(minutes=10))
    alerts.check_and_alert()
    transfer(shop, missing(revenue("Tools")), ago=timedelta(minutes=1))  # new, same cause

    assert alerts.check_and_alert() == {"groups": 0, "connections": 0}
    assert len(inbox.mails) == 1


def test_after_the_hour_a_group_mails_again_only_with_new_failures(app, inbox):
    shop = secretive("Shop ApS")
    transfer(shop, missing(revenue("Tools")), ago=timedelta(minutes=10))
    alerts.check_and_alert()

    hour_passes()
    assert alerts.check_and_alert()["groups"] == 0  # still open, nothing new

    transfer(shop, missing(revenue("Tools")), ago=timedelta(minutes=1))
    assert alerts.check_and_alert()["groups"] == 1
    assert len(inbox.mails) == 2
    assert f"- {shop.id} Shop ApS: 2" in inbox.mails[1].get_content()


def test_a_connection_reaching_the_threshold_in_24_hours_is_mailed_once_an_hour(app, inbox):
    shop, calm = secretive("Shop ApS"), secretive("Calm ApS")
    transfer(calm, missing(revenue("Tools")), ago=timedelta(minutes=30))
    transfer(shop, missing(revenue("Tools")), ago=timedelta(minutes=30))
    transfer(shop, missing(revenue("Tools")), ago=timedelta(minutes=20))
    assert alerts.check_and_alert() == {"groups": 1, "connections": 0}  # 2 < 3

    transfer(shop, Message.of("invoice_without_lines", document="Rackbeat invoice 9"))
    assert alerts.check_and_alert() == {"groups": 1, "connections": 1}
    threshold = inbox.mails[-1]
    assert (
        threshold["Subject"] == f"[rackdinero] Connection {shop.id}: 3 failed transfers in 24 hours"
    )
    body = threshold.get_content()
    assert "Shop ApS" in body and "- missing_setting/map_revenue_account_domestic: 2" in body
    assert not any(secret in threshold.as_string() for secret in SECRETS)

    transfer(shop, Message.of("invoice_without_lines", document="Rackbeat invoice 10"))
    assert alerts.check_and_alert() == {"groups": 0, "connections": 0}  # within the hour
    hour_passes()
    assert alerts.check_and_alert() == {"groups": 1, "connections": 1}  # new failures since


def test_failures_older_than_24_hours_do_not_count_towards_the_threshold(app, inbox):
    shop = secretive("Shop ApS")
    for _ in range(3):
        transfer(shop, missing(revenue("Tools")), ago=timedelta(hours=25))

    assert alerts.check_and_alert()["connections"] == 0
    assert alerts.check_and_alert(now=utcnow() - timedelta(hours=2))["connections"] == 1


def test_two_concurrent_checkers_send_one_mail(app, inbox, monkeypatch):
    transfer(secretive("Shop ApS"), missing(revenue("Tools")))
    both_have_read = threading.Barrier(2, timeout=10)
    grouped = issues.all_groups

    def group_then_wait():
        groups = grouped()
        both_have_read.wait()  # both decide from the same state of Redis
        return groups

    monkeypatch.setattr(issues, "all_groups", group_then_wait)
    results = []

    def check():
        with app.app_context():
            results.append(alerts.check_and_alert())

    threads = [threading.Thread(target=check) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert sorted(r["groups"] for r in results) == [0, 1]
    assert len(inbox.mails) == 1


def test_a_mail_the_server_refused_is_tried_again_at_the_next_check(app, inbox):
    transfer(secretive("Shop ApS"), missing(revenue("Tools")))
    port = app.config["SUPPORT_SMTP_PORT"]
    app.config["SUPPORT_SMTP_PORT"] = free_port()  # nobody listens there

    assert alerts.check_and_alert()["groups"] == 0

    app.config["SUPPORT_SMTP_PORT"] = port
    assert alerts.check_and_alert()["groups"] == 1
    assert len(inbox.mails) == 1


def test_the_check_is_a_periodic_job_every_five_minutes(app, inbox):
    declared = {
        job.func_name: job
        for job in cron.declare(LeaderCron(connection=rq.redis), app.config).get_jobs()
    }
    check = declared["rackdinero_app.tasks.support.alert_support"]
    assert check.interval == 300
    transfer(secretive("Shop ApS"), missing(revenue("Tools")))

    assert alert_support() == {"groups": 1, "connections": 0}
    assert len(inbox.mails) == 1
