"""What a Dinero sign-in tells the user when it fails, by code, whichever way they signed in
(an API key checked by an activation attempt, or Visma Connect). ``%(organization_id)s`` is the
Dinero company the message is about."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    "wrong_api_key": _l(
        "Dinero did not accept the API key. In Dinero, open Integrations > API keys, create a "
        'key with the description "Rackbeat", and paste it here.'
    ),
    "wrong_company_id": _l(
        "The API key does not give access to Dinero company ID %(organization_id)s. The "
        "company ID is shown at the bottom left in Dinero (for example 400555)."
    ),
    "not_pro": _l(
        "Dinero company %(organization_id)s is not on Dinero Pro. Only Dinero Pro can be "
        "integrated with Rackbeat: upgrade the plan in Dinero, then activate again."
    ),
    "unreachable": _l(
        "Dinero could not be reached just now. Nothing was saved; please try again in a few "
        "minutes."
    ),
    "not_installed": _l("The app is no longer installed in Rackbeat. Install it again from Apps."),
    # Visma Connect.
    "denied": _l(
        "You did not allow the app access in Visma, so nothing was saved. To connect Dinero, "
        "sign in with Visma again and choose Allow."
    ),
    "exchange_failed": _l(
        "Visma did not confirm the sign-in, so nothing was saved. Please sign in with Visma again."
    ),
    "no_organizations": _l(
        "The Visma user you signed in with has no Dinero company. Nothing was saved: sign in "
        "with a user who has access to the Dinero company, or use an API key."
    ),
    "not_active": _l("Activate the integration before changing its Dinero connection."),
    "expired": _l(
        "This sign-in has expired or was already used, so nothing was saved. Start it again "
        "from the Dinero app in Rackbeat."
    ),
    "other_browser": _l(
        "This sign-in was started in another browser, so nothing was saved. Start it again "
        "from the Dinero app in Rackbeat, in this browser."
    ),
}


def message(code: str, organization_id: int | None = None) -> str:
    """The failure ``code`` in the current language."""
    return str(MESSAGES[code]) % {"organization_id": organization_id}
