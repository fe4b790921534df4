"""Activation (I2), all in one place: the page (``views``), the attempt that verifies the
Dinero credentials and activates (``attempts``), the job that runs it (``job``), and the same
with Visma Connect instead of an API key (``visma``, which registers its routes here)."""

from rackdinero_app.embedded.activation import visma  # noqa: F401
