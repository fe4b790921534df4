"""Contract B's onboarding: Rackbeat's integration request → Dinero sign-in → accept (once) →
installed and active; or cancel. Against both sandboxes, the job run here as a worker would."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Connection
from rackdinero_app.models import WebhookSubscription
from rackdinero_app.models.enums import ConnectionState
from tests.install.conftest import ACCOUNT_ID
from tests.install.conftest import APP_URL
from tests.install.conftest import DINERO_API_KEY
from tests.jobs import run_queued_jobs


def connection() -> Connection | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Connection).where(Connection.rackbeat_account_id == ACCOUNT_ID)
    )


def test_verified_credentials_accept_install_and_activate(onboarding, rackbeat, dinero_url):
    token = rackbeat.request_token()
    onboarding.begin(token)
    form = onboarding.page()
    assert form.status_code == 200
    assert 'name="api_key"' in form.get_data(as_text=True)
    assert form.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert form.headers["Referrer-Policy"] == "no-referrer"

    assert onboarding.submit().status_code == 303
    assert "data-status-url" in onboarding.page().get_data(as_text=True)
    assert rackbeat.calls("/integration/") == []  # nothing is accepted before Dinero said yes
    assert run_queued_jobs() == 1
    assert onboarding.status() == {"state": "done", "finished": True}
    done = onboarding.page()

    assert done.status_code == 302
    assert done.location == f"{rackbeat.url}/settings/apps/dinero"  # Rackbeat's redirect_to
    installed = connection()
    assert installed.state == ConnectionState.ACTIVE
    assert installed.rackbeat_contract == "integration"
    assert installed.dinero_api_key == DINERO_API_KEY
    assert installed.rackbeat_refresh_token is None
    assert len(installed.settings_secret) >= 43  # 32 random bytes, URL-safe
    registered = rackbeat.store.accounts[ACCOUNT_ID].installations["dinero"]
    assert registered.contract == "integration"
    assert registered.settings_url == (
        f"{APP_URL}/embedded/connections/{installed.id}/{installed.settings_secret}"
    )
    events = db.session.scalars(
        sa.select(WebhookSubscription.event).where(
            WebhookSubscription.connection_id == installed.id
        )
    ).all()
    assert "customer_invoice.booked" in events and "plugin.uninstalled" in events
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.connection_id == installed.id)
    ).all()
    assert actions == ["installed", "activated"]
    # The request token appears in no URL after the first one, nor does the API key.
    assert all(token not in url and DINERO_API_KEY not in url for url in onboarding.locations)
    assert len(rackbeat.calls("/integration/accept/")) == 1


def test_a_reload_of_the_onboarding_link_continues_the_same_onboarding(onboarding, rackbeat):
    token = rackbeat.request_token()
    first = onboarding.begin(token).url
    assert onboarding.begin(token).url == first


@pytest.mark.parametrize("token", [None, "", "short", "has space in it", "x" * 600])
def test_a_missing_or_malformed_token_is_a_clear_page_in_the_users_language(client, token):
    response = client.get(
        "/install/onboarding",
        query_string={} if token is None else {"token": token},
        headers={"Accept-Language": "da-DK,da;q=0.9"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'lang="da"' in page
    assert "Installationslinket er ufuldstændigt eller beskadiget." in page
    assert not rq.redis.keys("rackdinero:onboarding:*")


def test_an_unknown_onboarding_is_expired(client):
    response = client.get("/install/onboarding/not-a-real-id")
    assert response.status_code == 404
    assert "This installation has expired." in response.get_data(as_text=True)


def test_a_wrong_key_keeps_the_request_open_then_the_right_key_accepts(
    onboarding, rackbeat, dinero_url
):
    onboarding.begin()
    onboarding.submit(api_key="not-a-key")
    run_queued_jobs()
    refused = onboarding.page()

    assert refused.status_code == 200
    assert "Dinero did not accept the API key" in refused.get_data(as_text=True)
    assert rackbeat.calls("/integration/") == []
    assert connection() is None

    onboarding.submit()
    run_queued_jobs()
    assert onboarding.status()["state"] == "done"
    assert connection().state == ConnectionState.ACTIVE


def test_bad_form_input_is_422_and_starts_nothing(onboarding, rackbeat):
    onboarding.begin()
    response = onboarding.submit(api_key="", organization_id="40-555")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter the API key you created in Dinero." in page
    assert "Enter the company ID as digits only" in page
    assert rq.queue().count == 0


def test_a_double_submit_and_a_retried_job_accept_once(onboarding, rackbeat, dinero_url):
    onboarding.begin()
    onboarding.submit()
    onboarding.submit()  # the second click while the first is being checked
    assert rq.queue().count == 1
    job = rq.queue().jobs[0]
    job.perform()
    job.perform()  # the same job run again (a retry)

    assert len(rackbeat.calls("/integration/accept/")) == 1
    assert onboarding.status()["state"] == "done"


def test_a_refused_accept_ends_the_onboarding_and_installs_nothing(
    onboarding, rackbeat, dinero_url
):
    token = rackbeat.request_token()
    onboarding.begin(token)
    rackbeat.store.integration_requests[token].answered = "cancelled"  # used up in Rackbeat
    onboarding.submit()
    run_queued_jobs()
    page = onboarding.page()

    assert page.status_code == 410
    assert "Rackbeat did not accept this installation request" in page.get_data(as_text=True)
    assert connection() is None
    assert onboarding.submit().status_code == 303  # the form is gone: nothing starts again
    assert rq.queue().count == 0


def test_an_accept_without_an_answer_is_never_repeated(onboarding, rackbeat, dinero_url, app):
    """The connection failed, so whether Rackbeat used the token is unknown: the request is
    not accepted a second time; the user starts again from Rackbeat."""
    onboarding.begin()
    app.config["RACKBEAT_INTEGRATION_URL"] = "http://127.0.0.1:9/integration"  # nothing there
    onboarding.submit()
    run_queued_jobs()
    page = onboarding.page()

    assert page.status_code == 410
    assert "not known whether the installation was accepted" in page.get_data(as_text=True)
    app.config["RACKBEAT_INTEGRATION_URL"] = None
    onboarding.submit()
    assert rq.queue().count == 0
    assert connection() is None


def test_cancel_tells_rackbeat_and_goes_back_to_its_apps_page(onboarding, rackbeat):
    token = rackbeat.request_token()
    onboarding.begin(token)
    response = onboarding.cancel()

    assert response.status_code == 303
    assert response.location == f"{rackbeat.url}/apps"
    assert rackbeat.store.integration_requests[token].answered == "cancelled"
    assert len(rackbeat.calls("/integration/cancel/")) == 1
    closed = onboarding.page()
    assert closed.status_code == 410
    assert "The installation was cancelled." in closed.get_data(as_text=True)
    onboarding.submit()
    assert rq.queue().count == 0 and connection() is None


def test_cancel_after_accept_changes_nothing(onboarding, rackbeat, dinero_url):
    onboarding.begin()
    onboarding.submit()
    run_queued_jobs()
    response = onboarding.cancel()

    assert response.location.endswith(onboarding.url)
    assert rackbeat.calls("/integration/cancel/") == []
    assert connection().state == ConnectionState.ACTIVE


def test_a_cancel_while_the_check_runs_wins_and_the_job_accepts_nothing(
    onboarding, rackbeat, dinero_url
):
    onboarding.begin()
    onboarding.submit()
    onboarding.cancel()
    run_queued_jobs()

    assert rackbeat.calls("/integration/accept/") == []
    assert onboarding.status()["state"] == "closed"
    assert connection() is None


@pytest.mark.parametrize(
    ("contracts", "path", "status"),
    [
        ("oauth", "/install/onboarding?token=abcdefghij", 404),
        ("oauth", "/install/onboarding/any-id", 404),
        ("oauth", "/embedded/connections/1/any-secret", 404),
        ("integration", "/install?account_id=1&timestamp=1&hmac=x", 404),
        ("integration", "/install/callback?code=x&state=y", 404),
        ("oauth,integration", "/install/onboarding?token=abcdefghij", 303),
    ],
)
def test_the_routes_of_a_contract_not_offered_answer_404(
    app_config, contracts, path, status, redis
):
    from rackdinero_app import create_app

    app = create_app({**app_config, "RACKBEAT_CONTRACTS": contracts})
    assert app.test_client().get(path).status_code == status


def test_production_offers_contract_a_only_unless_configured(app_config):
    from rackdinero_app.config import ConfigError
    from rackdinero_app.config import rackbeat_contracts

    assert rackbeat_contracts({}) == {"oauth"}
    assert rackbeat_contracts({"RACKBEAT_CONTRACTS": "integration, oauth"}) == {
        "oauth",
        "integration",
    }
    with pytest.raises(ConfigError, match="RACKDINERO_RACKBEAT_CONTRACTS"):
        rackbeat_contracts({"RACKBEAT_CONTRACTS": "oauth,magic"})


def test_the_consumer_contact_must_be_an_e_mail_address(app_config):
    from rackdinero_app import create_app
    from rackdinero_app.config import ConfigError

    with pytest.raises(ConfigError, match="RACKDINERO_RACKBEAT_CONSUMER_CONTACT"):
        create_app({**app_config, "RACKBEAT_CONSUMER_CONTACT": "call us"})


def test_onboarding_attempts_count_against_the_company_ids_limit(onboarding, rackbeat, app):
    """Contract B's sign-in form costs a Dinero call per attempt, as activation does: the
    attempts on one company id are counted together, and past the limit nothing is queued."""
    app.config["ACTIVATION_LIMIT_PER_ORGANIZATION"] = "1 per hour"
    onboarding.begin()
    onboarding.submit(api_key="not-a-key")
    assert run_queued_jobs() == 1  # Dinero refuses the key: the form is offered again

    refused = onboarding.submit()
    assert refused.status_code == 429
    assert "too many attempts to connect this Dinero company" in refused.get_data(as_text=True)
    assert rq.queue().count == 0
    assert connection() is None
