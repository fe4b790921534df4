"""The month-end reconciliation (RC1): does Dinero hold every invoice Rackbeat booked in a
month, once, with the same amount? ``runs`` starts one, ``runner`` (a job) reads both systems
with list endpoints (``reading``, ``ledger``) and judges (``compare``), ``fixes`` offers the
one-click fixes and ``export`` the CSV."""
