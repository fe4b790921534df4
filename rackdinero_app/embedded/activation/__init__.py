"""Activation (I2), all in one place: the page (``views``), the attempt that verifies the
Dinero credentials and activates (``attempts``), and the job that runs it (``job``)."""
