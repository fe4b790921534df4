"""The API key way of signing in to Dinero, as a form posts it: the company ID and the key.

Activation, "change Dinero connection" and contract B's onboarding all read the same two
fields, with the same messages; the Visma window reads a chosen company ID the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import gettext as _

ORGANIZATION_ID = re.compile(r"^\d{1,12}$")
MAX_API_KEY_LENGTH = 200


def read_credentials(form: Mapping[str, str]) -> tuple[dict[str, str], str, dict[str, str]]:
    """The posted company ID and API key, and what is wrong with them (the key is never put
    into ``values``, so no page shows it again)."""
    errors: dict[str, str] = {}
    values = {"organization_id": form.get("organization_id", "").strip(), "api_key": ""}
    api_key = form.get("api_key", "").strip()
    if not api_key:
        errors["api_key"] = _("Enter the API key you created in Dinero.")
    elif len(api_key) > MAX_API_KEY_LENGTH:
        errors["api_key"] = _("This is not a Dinero API key: it is far too long.")
    if not ORGANIZATION_ID.match(values["organization_id"]):
        errors["organization_id"] = _(
            "Enter the company ID as digits only, as shown at the bottom left in Dinero "
            "(for example 400555)."
        )
    return values, api_key, errors
