"""One Dinero operation on the wire: token, rate limit, one retry on 401, one wait on 429.

Answers come back as case-insensitive ``Record``s, because Dinero's key casing depends on the
``fields`` parameter; an empty body comes back as ``None``. Lists are paged from page 0.

A 429 blocks the organization's bucket for every process (``RateLimiter.block``): for its
``Retry-After`` when Dinero sends one, else for a whole window, since Dinero's advice is to wait
a minute and a 429 does not say when its window began. The request is sent once more after
the block if that is within the limiter's ``max_wait``; otherwise ``RateLimited`` carries the
wait, so the transfer is tried again after it.

Only a call on an organization's path takes from that organization's bucket: Dinero answers it
only for a token that opens the organization. A call that names none (``GET /v1/organizations``,
which verifies a key before the app knows what it opens) takes from the sign-in's own bucket,
so a key that has proven nothing cannot spend an organization's shared budget.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

import requests

from rackdinero_app.clients import http
from rackdinero_app.clients.dinero.auth import TokenSource
from rackdinero_app.clients.dinero.errors import SERVICE
from rackdinero_app.clients.dinero.errors import error_for
from rackdinero_app.clients.errors import NotFound
from rackdinero_app.clients.errors import Transient
from rackdinero_app.clients.ratelimit import RateLimiter
from rackdinero_app.clients.records import Record
from rackdinero_app.clients.records import wrap

MAX_PAGE_SIZE = 1000

Body = Mapping[str, Any]


class Transport:
    """Sends operations for one organization, in its rate limit, with tokens from ``tokens``."""

    def __init__(
        self,
        organization_id: int,
        api_url: str,
        tokens: TokenSource,
        limiter: RateLimiter,
        *,
        sign_in_limiter: RateLimiter | None = None,
        timeout: tuple[float, float] = (http.CONNECT_TIMEOUT, http.READ_TIMEOUT),
    ) -> None:
        self.organization_id = int(organization_id)
        self.api_url = api_url.rstrip("/")
        self.tokens = tokens
        self.limiter = limiter
        # For calls that name no organization; without one they share the organization's.
        self.sign_in_limiter = sign_in_limiter or limiter
        self._timeout = timeout

    def send(
        self,
        method: str,
        version: str,
        path: str,
        *,
        json: Body | None = None,
        params: Mapping[str, Any] | None = None,
        organization: bool = True,
        files: Mapping[str, Any] | None = None,
        accept: str = "application/json",
    ) -> requests.Response:
        """Send ``{version}/{organization}/{path}``; a non-2xx answer raises its typed error.

        ``files`` sends a multipart body (``requests``' ``files``) instead of JSON."""
        scope = f"/{self.organization_id}" if organization else ""
        url = f"{self.api_url}/{version}{scope}/{path}"
        query = {key: value for key, value in (params or {}).items() if value is not None}
        limiter = self.limiter if organization else self.sign_in_limiter
        retried_auth = retried_rate = False
        while True:
            # The token first: a token fetch between the bucket and the API would delay the send.
            token = self.tokens.token()
            limiter.acquire()
            response = http.send(
                method,
                url,
                service=SERVICE,
                timeout=self._timeout,
                params=query,
                json=None if json is None else dict(json),
                files=files,
                headers={"Accept": accept, "Authorization": f"Bearer {token}"},
            )
            if response.status_code == 401 and not retried_auth:
                retried_auth = True
                self.tokens.forget(token)
                continue
            if response.status_code == 429:
                wait = self._blocked_after_429(response, limiter)
                if not retried_rate and wait <= limiter.max_wait:
                    retried_rate = True
                    continue  # acquire() waits until the block has passed
                raise self._rate_limited(response, wait)
            if not response.ok:
                raise error_for(response, self.tokens.secrets())
            return response

    @staticmethod
    def _blocked_after_429(response: requests.Response, limiter: RateLimiter) -> float:
        """Block the call's bucket as the 429 asks; return the seconds blocked."""
        wait = http.retry_after_seconds(response.headers.get("Retry-After"))
        wait = limiter.window if wait is None else wait
        limiter.block(wait)
        return wait

    def _rate_limited(self, response: requests.Response, wait: float) -> Exception:
        error = error_for(response, self.tokens.secrets())
        if getattr(error, "retry_after", None) is None:
            error.retry_after = wait
        return error

    def call(
        self,
        method: str,
        version: str,
        path: str,
        *,
        json: Body | None = None,
        params: Mapping[str, Any] | None = None,
        organization: bool = True,
        files: Mapping[str, Any] | None = None,
    ) -> Any:
        """The JSON answer of one operation, objects as ``Record``s; ``None`` for an empty body."""
        response = self.send(
            method,
            version,
            path,
            json=json,
            params=params,
            organization=organization,
            files=files,
        )
        if not response.content.strip():
            return None
        return wrap(response.json())

    def page(
        self,
        version: str,
        path: str,
        params: Mapping[str, Any],
        page: int,
        page_size: int = MAX_PAGE_SIZE,
    ) -> tuple[list[Record], bool]:
        """One page of a list (0-based) and whether it is the last one."""
        size = max(1, min(page_size, MAX_PAGE_SIZE))
        result = self.call("GET", version, path, params={**params, "page": page, "pageSize": size})
        items = list(result["Collection"] or []) if result else []
        pagination = result["Pagination"] if result and "Pagination" in result else {}
        returned = pagination.get("Result", len(items))
        served = pagination.get("PageSize", size)
        return items, not items or returned < served

    def pages(
        self, version: str, path: str, params: Mapping[str, Any], page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[Record]:
        """Every item of a paged list, one page in memory at a time (pages are 0-based)."""
        page = 0
        while True:
            items, last = self.page(version, path, params, page, page_size)
            yield from items
            if last:
                return
            page += 1


def created(answer: Any, read_back: Callable[[], Record | None]) -> Record:
    """A create's answer, or, when Dinero answered with an empty body (its error page
    documents "201: empty body"), the object read back by the identity the request gave it.

    The write was committed either way, so an object that cannot be read back yet raises
    ``Transient`` (it may have succeeded): the transfer looks it up again before writing."""
    if answer is not None:
        return answer
    try:
        found = read_back()
    except NotFound:
        found = None
    if found is None:
        raise Transient(message_code="transient")
    return found
