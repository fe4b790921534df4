"""``python -m sandbox.rackbeat``: serve the Rackbeat sandbox on 127.0.0.1 (threaded)."""

from __future__ import annotations

import os

from sandbox.rackbeat import create_app
from sandbox.rackbeat.config import from_env


def main() -> None:
    port = int(os.environ.get("SANDBOX_RACKBEAT_PORT", "5001"))
    config = {"PUBLIC_URL": f"http://127.0.0.1:{port}", **from_env()}
    app = create_app(config)
    print(f"Rackbeat sandbox on http://127.0.0.1:{port}  (app at {app.config['APP_BASE_URL']})")
    app.run(host="127.0.0.1", port=port, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
