"""Run a WSGI app on a free loopback port in a background thread, for tests over real HTTP."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from werkzeug.serving import make_server


@contextlib.contextmanager
def serve_app(wsgi_app, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``wsgi_app`` (threaded) until the block ends; yield its base URL."""
    server = make_server(host, port, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="test-http-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
