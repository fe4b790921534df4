"""The layers of docs/architecture.md hold, and the import contracts would catch a breach."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rackdinero_app.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "rackdinero_app"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 400
REQUEST_STATE = {"request", "g", "session"}


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run the contracts of pyproject.toml against the package found first under ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(PROJECT_ROOT / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_import_contracts_hold():
    result = lint_imports(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        (
            "transfers/rows.py",
            "from rackdinero_app.embedded import views",
            "Surfaces use transfers, transfers use clients, never the other way",
        ),
        (
            "transfers/engine.py",
            "from rackdinero_app.tasks import transfers",
            "Transfers never reach for jobs' entry points, views or the request",
        ),
        (
            "transfers/mapping/values.py",
            "import redis",
            "The mapping and the settings rules do no I/O",
        ),
        (
            "settings/rules.py",
            "from rackdinero_app.extensions import db",
            "The mapping and the settings rules do no I/O",
        ),
        (
            "clients/http.py",
            "from rackdinero_app.models import Connection",
            "The clients know nothing of the app's models or of Flask",
        ),
        (
            "jobs.py",
            "from rackdinero_app import worker",
            "No import cycles inside rackdinero_app",
        ),
    ],
)
def test_a_violating_import_breaks_its_contract(tmp_path, module, line, contract):
    shutil.copytree(PACKAGE, tmp_path / "rackdinero_app", ignore=shutil.ignore_patterns("*.pyc"))
    target = tmp_path / "rackdinero_app" / module
    target.write_text(target.read_text() + f"\n{line}  # a violating import\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout
    assert f"{contract} BROKEN" in result.stdout


def test_transfers_never_read_flask_request_state():
    """Jobs have no request: transfers take ids and read the app's config, nothing more."""
    offenders = []
    for path in (PACKAGE / "transfers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "flask":
                names = {alias.name for alias in node.names} & REQUEST_STATE
                if names:
                    offenders.append(f"{path.relative_to(PACKAGE)}: {sorted(names)}")
    assert offenders == []


def test_no_module_of_the_app_is_over_400_lines():
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
