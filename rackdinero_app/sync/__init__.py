"""The start synchronisation (S1, S2): Dinero's customers, suppliers and products copied into
Rackbeat once, Dinero → Rackbeat (the transfers go the other way, record by record).

Pure parts: ``rules`` (which records are eligible, how a Rackbeat record matches, what to do),
``mapping`` (Dinero record → Rackbeat body), ``progress`` (counts), ``reasons`` (what the user
reads, as codes). The I/O around them: ``sources`` (Dinero's lists, page by page), ``rackbeat``
(finding and creating the records), ``runs`` (the run row, its lease and heartbeat),
``records`` (one row per handled record, and the entity links), ``preview`` and ``runner``
(one slice of work each), ``report`` (the skip report and its CSV).
"""
