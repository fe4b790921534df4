"""``/organizations``: the one route a non-Pro organization may call.

With the API-key flow a token opens exactly one organization, so the list holds that one; a
Visma Connect token lists every organization its user reaches (``g.organizations``, set by the
gate), Pro or not.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import g
from flask import jsonify

from sandbox.dinero import listing
from sandbox.dinero.state import Organization
from sandbox.dinero.views.common import shaped

bp = Blueprint("dinero_organizations", __name__)


def read_model(org: Organization) -> dict[str, Any]:
    return {
        "Id": org.id,
        "Name": org.name,
        "IsPro": org.is_pro,
        "IsPayingPro": org.is_pro,
        **org.profile,
    }


@bp.get("/v1/organizations")
def list_v1():
    item, default_fields = listing.operation_items("GET", "/v1/organizations")
    records = [read_model(org) for org in g.organizations]
    return jsonify(listing.projected(records, item, default_fields))


@bp.get("/v1.1/organizations")
def list_v1_1():
    item, _ = listing.operation_items("GET", "/v1.1/organizations")
    return jsonify([shaped(_subscription_model(org), item) for org in g.organizations])


def _subscription_model(org: Organization) -> dict[str, Any]:
    return {
        **read_model(org),
        "CompanyTypeKey": "ApS",
        "RoleKey": "Owner",
        "Subscription": {
            "HasPro": org.is_pro,
            "HasPayingPro": org.is_pro,
            "HasStarterPlus": False,
            "HasTotal": False,
            "HasYfs": False,
        },
    }
