"""What the month-end reconciliation (RC1) says about each invoice, by message code; part of the
transfer message catalogue (``catalogue.TEMPLATES``), so it is shown in the reader's language
like a transfer's message."""

from __future__ import annotations


def N_(template: str) -> str:
    """Marks a template for ``pybabel extract``; it is translated where it is shown."""
    return template


RECONCILE_TEMPLATES = {
    "rc_deleted_in_dinero": N_(
        "The app created it in Dinero (%(voucher)s), but Dinero no longer has it: it was "
        "deleted there. Send it again to create it anew."
    ),
    "rc_deleted_booked_voucher": N_(
        "The app created it in Dinero as voucher %(voucher)s, which was deleted in Dinero "
        "after it was booked (its ledger entries are offset). Send it again to book it anew."
    ),
    "rc_not_in_ledger": N_(
        "The app created it in Dinero as a booked voucher (%(voucher)s), but the month's "
        "ledger has no entries for it: it was deleted in Dinero, or its date is now in another "
        "month. Look it up in Dinero before sending it again."
    ),
    "rc_not_sent_skipped": N_("Not sent: %(reason)s"),
    "rc_not_sent_failed": N_("The transfer failed: %(reason)s"),
    "rc_on_its_way": N_("Its transfer is waiting or running now."),
    "rc_never_sent": N_(
        "The app has no record of this invoice (no notice of its booking reached the app). "
        "Send it now."
    ),
    "rc_draft_amount_unread": N_(
        "In Dinero as a draft. Drafts have no ledger entries, so its amount is compared once it "
        "is booked."
    ),
    "rc_other_currency": N_(
        "In %(currency)s: Dinero's ledger shows Danish kroner, so the amounts are not compared."
    ),
    "rc_amount_differs_draft": N_(
        "The draft in Dinero has a different total. Replace it with Rackbeat's version, or "
        "correct it in Dinero."
    ),
    "rc_amount_differs_booked": N_(
        "Booked in Dinero with a different total. A booked voucher is never changed by the "
        "app: check it in Dinero and, if Rackbeat is right, credit it there and correct the "
        "books by hand."
    ),
    "rc_total_unknown": N_(
        "Rackbeat's total of this invoice cannot be read (%(reason)s), so the amounts are not "
        "compared."
    ),
    "rc_stray_draft": N_(
        "A draft the app created (reference %(reference)s) that no Rackbeat invoice is linked "
        "to, e.g. left by an interrupted transfer. It can be deleted."
    ),
    "rc_stray_booked": N_(
        "A booked voucher the app created (reference %(reference)s) that no Rackbeat invoice is "
        "linked to. Booked vouchers are never deleted by the app: check it in Dinero and credit "
        "it there if it should not be in the books."
    ),
    "rc_linked_elsewhere": N_(
        "Linked to Rackbeat invoice %(number)s, which is not among this month's booked "
        "invoices in Rackbeat (it was unbooked, or its date changed). Check both in Rackbeat "
        "and Dinero."
    ),
    "rc_twice": N_(
        "This invoice is in Dinero %(count)s times (%(vouchers)s). Keep one: delete the other "
        "drafts, or credit the extra booked ones in Dinero."
    ),
    "rc_fix_sent": N_(
        "%(count)s missing invoice(s) sent to Dinero; follow them in the transfer log."
    ),
    "rc_fix_kept": N_("Not sent, because Dinero has them after all: %(numbers)s."),
    "rc_fix_deleted": N_("The draft was deleted in Dinero."),
    "rc_fix_replaced": N_(
        "The draft was deleted in Dinero and invoice %(number)s is sent again from Rackbeat."
    ),
    "rc_fix_booked_since": N_(
        "The draft has been booked in Dinero since the reconciliation, so it was not deleted."
    ),
    "rc_fix_failed": N_("Dinero could not be reached to do it: %(reason)s"),
    "rc_failed_reading": N_("The reconciliation could not finish: %(reason)s"),
    "rc_stopped": N_("The reconciliation stopped before it finished (its worker stopped)."),
}
