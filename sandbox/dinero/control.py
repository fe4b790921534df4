"""``/_sandbox/*``: knobs, reset, request counts and a state dump, for tests and benchmarks."""

from __future__ import annotations

from flask import Blueprint
from flask import jsonify
from flask import request

from sandbox.dinero import bulk
from sandbox.dinero import seed
from sandbox.dinero import state

bp = Blueprint("dinero_control", __name__, url_prefix="/_sandbox")


@bp.get("/knobs")
def get_knobs():
    return jsonify(state.current().knobs.as_dict())


@bp.post("/knobs")
def set_knobs():
    changes = request.get_json(silent=True)
    if not isinstance(changes, dict):
        return jsonify({"error": "Send a JSON object of knobs."}), 400
    sandbox = state.current()
    with sandbox.lock:
        try:
            sandbox.knobs.update(changes)
        except ValueError as error:
            return jsonify({"error": str(error)}), 400
        if "seed" in changes:
            sandbox.rng.seed(sandbox.knobs.seed)
        return jsonify(sandbox.knobs.as_dict())


@bp.post("/reset")
def reset():
    """Reseed the data and forget tokens, rate-limit windows and request counts (knobs stay)."""
    seed.populate(state.current())
    return jsonify({"reset": True})


@bp.post("/bulk")
def add_bulk():
    """Add many contacts and products to one organization (``sandbox/dinero/bulk.py``):
    ``{"organization": 400555, "contacts": 1000, "products": 1000, …}``."""
    changes = request.get_json(silent=True)
    if not isinstance(changes, dict):
        return jsonify({"error": "Send a JSON object."}), 400
    organization_id = changes.pop("organization", None)
    try:
        wanted = bulk.Bulk(**changes)
    except TypeError as error:
        return jsonify({"error": str(error)}), 400
    numbers = (wanted.contacts, wanted.products, wanted.no_email_every, wanted.supplier_every)
    counts_ok = all(isinstance(n, int) and n >= 0 for n in (*numbers, wanted.no_number_every))
    if not counts_ok or not isinstance(wanted.prefix, str):
        return jsonify({"error": "Counts and steps are whole numbers; prefix is text."}), 400
    sandbox = state.current()
    with sandbox.lock:
        org = sandbox.organizations.get(organization_id)
        if org is None:
            return jsonify({"error": f"No organization {organization_id}."}), 404
        return jsonify(bulk.add(org, wanted))


@bp.get("/requests")
def requests_made():
    """``{"<org>": {"total": n, "requests": [{"method", "path", "count"}]}}``.

    ``path`` is the OpenAPI path template (``/v1/{organizationId}/invoices/{guid}/book``);
    every attempt counts, including those answered 401/403/429/500.
    """
    wanted = request.args.get("organization")
    sandbox = state.current()
    report: dict[str, dict] = {}
    with sandbox.lock:
        for (org, method, path), count in sorted(sandbox.request_counts.items()):
            if wanted and org != wanted:
                continue
            entry = report.setdefault(org, {"total": 0, "requests": []})
            entry["total"] += count
            entry["requests"].append({"method": method, "path": path, "count": count})
    return jsonify(report)


@bp.get("/state")
def dump():
    """Every organization's records, as stored (internal ``_`` keys left out)."""
    sandbox = state.current()

    def public(records: dict) -> list:
        return [{k: v for k, v in r.items() if not k.startswith("_")} for r in records.values()]

    with sandbox.lock:
        return jsonify(
            {
                str(org.id): {
                    "name": org.name,
                    "isPro": org.is_pro,
                    "contacts": public(org.contacts),
                    "products": public(org.products),
                    "invoices": public(org.invoices),
                    "salesCreditNotes": public(org.sales_credit_notes),
                    "purchaseVouchers": public(org.purchase_vouchers),
                    "purchaseCreditNotes": public(org.purchase_credit_notes),
                    "manualVouchers": public(org.manual_vouchers),
                    "files": public(org.files),
                    "entries": public(dict(enumerate(org.entries))),
                }
                for org in sandbox.organizations.values()
            }
        )
