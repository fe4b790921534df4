"""The hourly import of invoices and credit notes from Dinero into Rackbeat (C5's second
direction), every hour at 13 minutes past (``tasks/cron.py``) and on "Run now".

- ``runs``: the run rows (one at a time per connection) and where the import started;
- ``window``: which changes a run lists and where the next one starts (pure);
- ``run``: one run: list, request one transfer per voucher, run them, report the rest;
- ``status``: where the import stands, for the overview and the Sales page;
- ``by_number``: import one Dinero voucher by its number now (troubleshooting).

Each voucher is a transfer of ``transfers/kinds/from_dinero.py``, so it is imported once.
"""

from rackdinero_app.transfers.invoice_import.by_number import ImportRequest
from rackdinero_app.transfers.invoice_import.by_number import request_import_by_number
from rackdinero_app.transfers.invoice_import.run import run_import
from rackdinero_app.transfers.invoice_import.runs import importing_connections
from rackdinero_app.transfers.invoice_import.runs import imports
from rackdinero_app.transfers.invoice_import.runs import request_run
from rackdinero_app.transfers.invoice_import.status import ImportStatus
from rackdinero_app.transfers.invoice_import.status import import_status

__all__ = [
    "ImportRequest",
    "ImportStatus",
    "import_status",
    "importing_connections",
    "imports",
    "request_import_by_number",
    "request_run",
    "run_import",
]
