"""Everything the start sync tells the user, by code: English templates whose ``%(name)s``
parameters come from the records. The code and parameters are stored (on the record's row or
on the run) and translated when a page shows them (``sync/translation.py``).

A parameter may itself be a message, ``{"code": …, "params": …}``; a client error's message
is found under ``client.<code>`` in ``clients/errors.py``.
"""

from __future__ import annotations

CLIENT = "client."


def N_(template: str) -> str:
    """Marks a template for ``pybabel extract``; it is translated where it is shown."""
    return template


TEMPLATES = {
    # Skipped: not eligible (S2), or the match in Rackbeat already belongs to another record.
    "no_email": N_("It has no e-mail address in Dinero."),
    "no_product_number": N_("It has no product number in Dinero."),
    "contact_not_used": N_(
        "It is neither a customer nor a supplier in Dinero yet (no invoice or purchase names "
        "it), so the app cannot tell which to create."
    ),
    "email_taken": N_(
        "Rackbeat no. %(number)s has the same e-mail address (%(email)s) and already stands "
        "for another Dinero contact."
    ),
    "number_taken": N_(
        "Rackbeat already has product number %(number)s, and it already stands for another "
        "Dinero product."
    ),
    # Failed: Rackbeat refused the record.
    "rejected_by_rackbeat": N_("Rackbeat did not accept it: %(details)s"),
    # Created or linked (kept for support and the CSV).
    "created": N_("Created in Rackbeat as no. %(number)s."),
    "matched_email": N_("Linked to Rackbeat no. %(number)s, which has the same e-mail address."),
    "matched_number": N_("Linked to Rackbeat product %(number)s, which has the same number."),
    "already_linked": N_("Already linked to Rackbeat no. %(number)s."),
    # The run or its preview stopped.
    "stopped": N_(
        "The start synchronisation stopped: %(error)s Start it again to continue; nothing is "
        "created twice."
    ),
    "stopped_unexpectedly": N_(
        "The start synchronisation stopped because of an unexpected error; the app's support "
        "can see it in the log. Start it again to continue; nothing is created twice."
    ),
    "stopped_for_now": N_(
        "The start synchronisation stopped because Rackbeat or Dinero did not answer properly "
        "for a while. Start it again to continue; nothing is created twice."
    ),
    "preview_stopped": N_("The preview stopped: %(error)s Try again."),
    "preview_stopped_for_now": N_(
        "The preview stopped because Rackbeat or Dinero did not answer properly for a while. "
        "Try again."
    ),
    "preview_stopped_unexpectedly": N_(
        "The preview stopped because of an unexpected error; the app's support can see it in "
        "the log. Try again."
    ),
    "connection_not_active": N_("The Dinero integration is not active for this Rackbeat account."),
}

# How the preview names each reason for skipping, counted over many records.
SUMMARIES = {
    "no_email": N_("No e-mail address in Dinero"),
    "no_product_number": N_("No product number in Dinero"),
    "contact_not_used": N_("Neither a customer nor a supplier in Dinero yet"),
    "email_taken": N_("The e-mail address belongs to a Rackbeat record linked to another contact"),
    "number_taken": N_("The product number belongs to a Rackbeat product linked to another one"),
}
