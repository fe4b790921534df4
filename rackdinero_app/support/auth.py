"""``staff_required``: the gate in front of every support page after the login."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import url_for

from rackdinero_app.extensions import db
from rackdinero_app.models import StaffUser
from rackdinero_app.models.enums import StaffRole
from rackdinero_app.support import session as staff_session


def check_idle() -> None:
    """End an idle session (every support request runs this first) and say why."""
    if staff_session.expire_if_idle():
        flash("You were signed out after a period of inactivity.")


def signed_in_staff() -> StaffUser | None:
    """The fully signed-in, still active staff member of this request's session, or None.

    The idle check runs first; a disabled account's session ends here too."""
    check_idle()
    staff_id = staff_session.staff_id()
    if staff_id is None:
        return None
    staff = db.session.get(StaffUser, staff_id)
    if staff is None or staff.disabled_at is not None:
        staff_session.end()
        return None
    return staff


def staff_required(role: str | None = None) -> Callable:
    """Only a signed-in staff member passes (else: the login page); with ``role="operator"``
    a viewer is refused with 403. The staff member is ``g.staff`` in the view."""
    if role is not None:
        StaffRole(role)  # a typo in a route's role fails at import, not at request time

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            staff = signed_in_staff()
            if staff is None:
                return redirect(url_for("support.login"))
            if role == StaffRole.OPERATOR and staff.role != StaffRole.OPERATOR:
                abort(403)
            g.staff = staff
            return view(*args, **kwargs)

        # Marked so a test can find every operator route and check that it refuses a viewer.
        wrapper.operator_only = role == StaffRole.OPERATOR
        return wrapper

    return decorate
