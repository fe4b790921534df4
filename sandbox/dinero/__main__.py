"""``python -m sandbox.dinero``: serve on 127.0.0.1, port ``$SANDBOX_DINERO_PORT`` (5002)."""

from __future__ import annotations

import os

from sandbox.dinero import create_app


def main() -> None:
    port = int(os.environ.get("SANDBOX_DINERO_PORT", "5002"))
    create_app().run(host="127.0.0.1", port=port, threaded=True)


if __name__ == "__main__":
    main()
