"""Rate-limit bench: several processes share one Dinero organization's Redis token bucket.

Starts the Dinero sandbox in its own process on loopback with a compressed window (default
100 requests per 3 s), a throwaway ``redis-server`` unless ``--redis-url`` is given, and
``--workers`` processes that each build their own ``DineroClient`` and call the API as fast as
the bucket lets them for ``--windows`` windows. The last line printed is

    achieved/allowed=<requests answered per window / limit> 429s=<429 answers seen>

Run from the repository root: ``.venv/bin/python -m bench.rate_limit``.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import time
from collections.abc import Iterator
from typing import Any

from sandbox.services import free_port
from sandbox.services import redis_server
from sandbox.services import wait_for_port

ORGANIZATION_ID = 400555
API_KEY = "demo-dinero-api-key"
CLIENT_ID = "rackdinero-bench"
CLIENT_SECRET = "rackdinero-bench-secret"


def serve_sandbox(port: int, limit: int, window: float) -> None:
    """Process target: the Dinero sandbox with a compressed rate-limit window."""
    import logging

    from werkzeug.serving import make_server

    from sandbox.dinero import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    app = create_app(
        {
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
            "KNOBS": {"rate_limit": {"limit": limit, "window_seconds": window}},
        }
    )
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


@contextlib.contextmanager
def dinero_sandbox(limit: int, window: float) -> Iterator[str]:
    port = free_port()
    process = multiprocessing.get_context("spawn").Process(
        target=serve_sandbox, args=(port, limit, window), daemon=True
    )
    process.start()
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.join(10)


def worker(options: dict[str, Any], results: Any) -> None:
    """Process target: call Dinero until ``end_at``; report answered calls and 429s seen."""
    from redis import Redis

    from rackdinero_app.clients import http
    from rackdinero_app.clients.dinero import DineroClient
    from rackdinero_app.clients.errors import RateLimited

    rejected = 0

    def count_429(response, *args, **kwargs):
        nonlocal rejected
        rejected += response.status_code == 429

    http.session().hooks["response"].append(count_429)
    client = DineroClient(
        ORGANIZATION_ID,
        API_KEY,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        api_url=options["base_url"],
        auth_url=options["base_url"],
        redis=Redis.from_url(options["redis_url"]),
        rate_limit=options["limit"],
        rate_window=options["window"],
    )
    answered = 0
    time.sleep(max(0.0, options["start_at"] - time.time()))
    while time.time() < options["end_at"]:
        try:
            client.entry_accounts()
        except RateLimited:
            continue
        if time.time() <= options["end_at"]:
            answered += 1
    results.put((answered, rejected))


def run(workers: int, limit: int, window: float, windows: int, redis_url: str | None) -> str:
    with contextlib.ExitStack() as stack:
        url = redis_url or stack.enter_context(redis_server())
        base_url = stack.enter_context(dinero_sandbox(limit, window))
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        start_at = time.time() + 2.0  # time for the spawned workers to import
        options = {
            "base_url": base_url,
            "redis_url": url,
            "limit": limit,
            "window": window,
            "start_at": start_at,
            "end_at": start_at + windows * window,
        }
        processes = [
            context.Process(target=worker, args=(options, results)) for _ in range(workers)
        ]
        for process in processes:
            process.start()
        answered = rejected = 0
        for _ in processes:
            done, seen = results.get(timeout=windows * window + 30)
            answered += done
            rejected += seen
        for process in processes:
            process.join(10)
        return f"achieved/allowed={answered / (limit * windows):.2f} 429s={rejected}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--limit", type=int, default=100, help="requests allowed per window")
    parser.add_argument("--window", type=float, default=3.0, help="window length in seconds")
    parser.add_argument("--windows", type=int, default=8, help="windows to run for")
    parser.add_argument("--redis-url", default=None, help="default: start a throwaway Redis")
    args = parser.parse_args()
    print(f"{args.workers} workers, {args.limit}/{args.window:g}s, {args.windows} windows")
    print(run(args.workers, args.limit, args.window, args.windows, args.redis_url))


if __name__ == "__main__":
    main()
