"""HTTP clients for Rackbeat and Dinero: the only code that knows their URLs and wire formats."""
