"""The embedded pages' locale: the launch's user locale, or the one picked in the switcher."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort
from flask import current_app
from flask import g
from flask import redirect
from flask import request
from flask_babel import get_locale

from rackdinero_app.embedded import bp
from rackdinero_app.extensions import rq

LANGUAGES: dict[str, str] = {"da": "Dansk", "sv": "Svenska", "en": "English"}
FALLBACK = "en"


def _chosen_key(sid: str) -> str:
    return f"rackdinero:embedded-locale:{sid}"


def _supported(locale: str | None) -> str | None:
    """``da_DK`` / ``sv-SE`` / ``en`` → the language we translate to, if we do."""
    language = (locale or "").replace("_", "-").split("-")[0].lower()
    return language if language in LANGUAGES else None


def select_locale() -> str:
    """Switcher choice for this session, else the Rackbeat user's locale, else the browser's
    (on pages outside the embedded ones, such as the install pages, always the browser's)."""
    if "embedded" in g and request.blueprint == bp.name:
        chosen = rq.redis.get(_chosen_key(g.embedded.sid))
        if chosen:
            return chosen.decode()
        if language := _supported(g.embedded.locale):
            return language
    return request.accept_languages.best_match(LANGUAGES) or FALLBACK


@bp.get("/language/<code>")
def switch_language(code: str):
    """Remember the language for this session and go back to ``next`` (an embedded page)."""
    if code not in LANGUAGES:
        abort(404)
    rq.redis.set(
        _chosen_key(g.embedded.sid), code, ex=current_app.config["EMBEDDED_SESSION_SECONDS"]
    )
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(f"{bp.url_prefix}/"):
        abort(400)
    return redirect(target)


@bp.app_context_processor
def language_context() -> dict:
    return {"languages": LANGUAGES, "current_language": str(get_locale() or FALLBACK)}
