"""The issues pages (issue 12 item 4): open failures grouped by cause across connections, the
biggest first, each with its fix and the connections it affects; one page per group.

A group's key is in the URL as it is (``missing_setting/map_revenue_account_domestic``): it is
made of the message code and, for some codes, one more code, so only letters, digits, ``_``,
``.`` and ``-`` around at most one ``/``. Anything else is refused before any query runs.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask import current_app
from flask import render_template
from flask import url_for

from rackdinero_app.support import bp
from rackdinero_app.support import issues
from rackdinero_app.support.auth import staff_required

KEY = re.compile(r"[A-Za-z0-9_.-]{1,80}(/[A-Za-z0-9_.-]{1,80})?")
LISTED = 10  # connections shown per group on the list page; the group's page shows all


def valid_key(key: str) -> bool:
    """Whether ``key`` can be a group key (and so is safe in a URL path as it is)."""
    return KEY.fullmatch(key) is not None


def connection_url(connection_id: int) -> str:
    """The connection page (another part of the dashboard): its endpoint when registered,
    else its path, so these pages do not depend on the order the views are written in."""
    if "support.connection" in current_app.view_functions:
        return url_for("support.connection", connection_id=connection_id)
    return f"{bp.url_prefix}/connections/{connection_id}"


def fix_text(group: issues.FailureGroup) -> str | None:
    """The fix in English when the group is a missing setting; other messages name it."""
    return issues.english(group.fix["code"], group.fix["params"]) if group.fix else None


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown"


def problem(status: int, title: str, text: str):
    """An English error page of the dashboard with a link back to the pages that work."""
    return render_template("support/issues_problem.html", title=title, text=text), status


def _page(template: str, **context):
    return render_template(
        template,
        connection_url=connection_url,
        fix_text=fix_text,
        when=when,
        valid_key=valid_key,
        **context,
    )


@bp.get("/issues")
@staff_required()
def issue_groups():
    return _page("support/issues.html", groups=issues.all_groups(), listed=LISTED)


@bp.get("/issues/<path:key>")
@staff_required()
def issue_group(key: str):
    if not valid_key(key):
        return problem(400, "Not a failure group", "That is not the key of a failure group.")
    group = next((g for g in issues.all_groups() if g.key == key), None)
    if group is None:
        return problem(
            404,
            "No such failure group",
            "No open failures have this cause now: they may have been fixed and retried.",
        )
    return _page("support/issues_group.html", group=group)
