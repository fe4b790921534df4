"""Contract B's onboarding: activation's checks, then Rackbeat's accept, for both sign-ins.

The onboarding pages and the accept live in ``install/onboarding.py``; the Dinero check and the
activation are activation's own (``embedded/activation/attempts.py``), which the install layer
cannot import. This job joins the two: verify the key and company with Dinero, and only then
``accept_and_install`` with a sign-in that activates as activation does. A Visma Connect
sign-in ends in the same step: its continuation for onboardings is registered here.
"""

from __future__ import annotations

from flask import url_for

from rackdinero_app.dinero_sign_in import flow
from rackdinero_app.dinero_sign_in.pending import PendingSignIn
from rackdinero_app.embedded.activation import attempts
from rackdinero_app.extensions import crypto
from rackdinero_app.install import onboarding
from rackdinero_app.install.onboarding_views import VISMA
from rackdinero_app.jobs import job
from rackdinero_app.models import Connection


@job
def verify_and_accept(onboarding_id: str, encrypted_api_key: str) -> None:
    pending = onboarding.get(onboarding_id)
    if pending is None or pending.state != onboarding.VERIFYING:
        return
    organization_id = int(pending.organization_id)
    api_key = crypto.decrypt(encrypted_api_key)
    code, organization_name = attempts.verify(organization_id, api_key)
    if code is not None:
        onboarding.verification_failed(onboarding_id, code)
        return

    def sign_in(connection: Connection, actor: str) -> None:
        attempts.activate(connection, organization_id, organization_name, api_key, actor)

    onboarding.accept_and_install(onboarding_id, sign_in)


def _signed_in_with_visma(pending: PendingSignIn, verified: flow.Verified) -> str:
    """Visma Connect verified a Dinero Pro company: accept and install as the API key does,
    then the window goes back to the onboarding page, which forwards to Rackbeat when done."""
    onboarding_id = pending.subject
    if onboarding.start_verification(onboarding_id, verified.organization_id) is not None:

        def sign_in(connection: Connection, actor: str) -> None:
            attempts.activate(
                connection,
                verified.organization_id,
                verified.organization_name,
                verified.tokens,
                actor,
            )

        onboarding.accept_and_install(onboarding_id, sign_in)
    return url_for("install.onboarding_page", onboarding_id=onboarding_id)


flow.register(VISMA, _signed_in_with_visma)
