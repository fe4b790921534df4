"""Transfers between Rackbeat and Dinero: pure mapping, and the jobs that run it."""
