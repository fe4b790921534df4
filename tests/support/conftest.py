"""Fixtures of the support dashboard's tests (the login helpers live in staff_login.py)."""

from tests.support.staff_login import make_staff  # noqa: F401  (a fixture for every test here)
