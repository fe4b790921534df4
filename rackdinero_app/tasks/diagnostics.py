"""Jobs that prove the worker is wired correctly (used by tests and by support)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from rackdinero_app.extensions import db
from rackdinero_app.jobs import job


@job
def probe() -> dict:
    """Answer with facts only a job inside the app context can know."""
    connections = db.session.scalar(sa.text("SELECT count(*) FROM connections"))
    return {"app": current_app.name, "env": current_app.config["ENV"], "connections": connections}
