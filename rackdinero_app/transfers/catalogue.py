"""Everything a transfer tells the Rackbeat user, by message code: English templates whose
``%(name)s`` parameters are filled in from the records, translated when the transfer log shows
them (``transfers/translation.py``).

Client errors' messages are written next to the errors, in ``clients/errors.py``, since the
clients know nothing of the transfers; the transfer log finds them under ``client.<code>``.
"""

from __future__ import annotations


def N_(template: str) -> str:
    """Marks a template for ``pybabel extract``; it is translated where it is shown."""
    return template


TEMPLATES = {
    # The engine and the transfer rows.
    "connection_not_active": N_("The Dinero integration is not active for this Rackbeat account."),
    "unexpected_error": N_(
        "The app met an unexpected error; the app's support has been told in the log."
    ),
    "retrying": N_("%(reason)s Trying again automatically."),
    "gave_up": N_(
        "The transfer did not succeed after %(attempts)s attempts (%(reason)s). "
        "Use Retry when the cause is fixed."
    ),
    "gave_up_abandoned": N_(
        "The transfer did not succeed after %(attempts)s attempts (the worker running it "
        "stopped before it finished each time). Use Retry when the cause is fixed."
    ),
    "queued_again": N_("Queued again."),
    "app_uninstalled": N_("The Dinero app was removed from Rackbeat before this transfer ran."),
    # Skipped: the settings or the record's state exclude the transfer.
    "customers_off": N_("Customer integration is off (Settings > Sales and customers)."),
    "suppliers_off": N_("Supplier integration is off (Settings > Purchases and suppliers)."),
    "products_off": N_(
        "Customer and supplier integration are both off (Settings), so products are not sent "
        "to Dinero."
    ),
    "goods_consumption_off": N_("Automatic goods consumption is off."),
    "goods_consumption_setting_off": N_(
        "Automatic booking of goods consumption is off in Settings > Sales and customers > "
        "Goods consumption."
    ),
    "no_goods_consumption": N_(
        "%(document)s has no stock goods with a cost price: no goods consumption to book."
    ),
    "invoices_from_dinero": N_(
        "Customer invoices are created in Dinero and imported into Rackbeat (Settings > Sales: "
        "direction of customer invoices), so Rackbeat's invoices are not sent."
    ),
    "invoice_not_booked": N_("The invoice is not booked in Rackbeat yet."),
    "supplier_invoice_not_booked": N_(
        "The supplier invoice must be booked in Rackbeat before it is sent."
    ),
    # Succeeded.
    "contact_created": N_("Created the contact in Dinero."),
    "contact_updated": N_("Updated the contact in Dinero."),
    "product_created": N_("Created the product in Dinero."),
    "product_updated": N_("Updated the product in Dinero."),
    "goods_consumption_booked": N_("Booked the goods consumption in Dinero."),
    "goods_consumption_already_booked": N_("Goods consumption is booked in Dinero."),
    # created_<status>_<document>[_no][_for]: see kinds.common.created_in_dinero.
    "created_draft_invoice": N_("Created in Dinero as a draft invoice."),
    "created_booked_invoice": N_("Created in Dinero as a booked invoice."),
    "created_booked_invoice_no": N_("Created in Dinero as a booked invoice no. %(number)s."),
    "created_draft_credit_note": N_("Created in Dinero as a draft credit note."),
    "created_draft_credit_note_for": N_(
        "Created in Dinero as a draft credit note for invoice %(invoice)s."
    ),
    "created_booked_credit_note": N_("Created in Dinero as a booked credit note."),
    "created_booked_credit_note_for": N_(
        "Created in Dinero as a booked credit note for invoice %(invoice)s."
    ),
    "created_booked_credit_note_no": N_(
        "Created in Dinero as a booked credit note no. %(number)s."
    ),
    "created_booked_credit_note_no_for": N_(
        "Created in Dinero as a booked credit note no. %(number)s for invoice %(invoice)s."
    ),
    "created_draft_purchase_voucher": N_("Created in Dinero as a draft purchase voucher."),
    "created_booked_purchase_voucher": N_("Created in Dinero as a booked purchase voucher."),
    "created_booked_purchase_voucher_no": N_(
        "Created in Dinero as a booked purchase voucher no. %(number)s."
    ),
    # Failed: the fix is named.
    "uncertain_write": N_(
        "Dinero did not confirm whether the goods-consumption voucher was created. Look for a "
        "voucher with reference %(reference)s in Dinero before retrying."
    ),
    "missing_setting": N_("A setting is missing. %(fix)s"),
    "missing_settings": N_("Some settings are missing:\n- %(fixes)s"),
    "totals_mismatch": N_(
        "The totals in Dinero differ from Rackbeat (%(differences)s). Check that each mapped "
        "account has the right VAT code in Dinero and that the unit prices have at most two "
        "decimals."
    ),
    "totals_difference": N_("%(total)s: Rackbeat %(rackbeat)s, Dinero %(dinero)s"),
    "total_excl_vat": N_("excl. VAT"),
    "total_vat": N_("VAT"),
    "total_incl_vat": N_("incl. VAT"),
    "link_conflict": N_(
        "Dinero's %(noun)s for %(key)s is already linked to Rackbeat %(noun)s %(linked_key)s, "
        "and one Dinero record cannot stand for two Rackbeat records. Check whether %(key)s and "
        "%(linked_key)s are the same in Rackbeat; retrying will not help until one of them is "
        "changed."
    ),
    # noun_<kind>: what a transfer's kind is called inside a sentence.
    "noun_customer": N_("customer"),
    "noun_supplier": N_("supplier"),
    "noun_product": N_("product"),
    "noun_customer_invoice": N_("customer invoice"),
    "noun_credit_note": N_("credit note"),
    "noun_supplier_invoice": N_("supplier invoice"),
    "noun_goods_consumption": N_("goods consumption"),
    # The fixes of a missing mapping; %(group)s, %(unit)s and %(layout)s name the record.
    "map_revenue_account_domestic": N_(
        "Map product group %(group)s for the Domestic zone in Settings > Sales and customers > "
        "Revenue accounts."
    ),
    "map_revenue_account_eu": N_(
        "Map product group %(group)s for the EU zone in Settings > Sales and customers > "
        "Revenue accounts."
    ),
    "map_revenue_account_abroad": N_(
        "Map product group %(group)s for the Abroad zone in Settings > Sales and customers > "
        "Revenue accounts."
    ),
    "map_purchase_account_domestic": N_(
        "Map product group %(group)s for the Domestic zone in Settings > Purchase and "
        "suppliers > Accounts for supplier invoices."
    ),
    "map_purchase_account_eu": N_(
        "Map product group %(group)s for the EU zone in Settings > Purchase and suppliers > "
        "Accounts for supplier invoices."
    ),
    "map_purchase_account_abroad": N_(
        "Map product group %(group)s for the Abroad zone in Settings > Purchase and "
        "suppliers > Accounts for supplier invoices."
    ),
    "map_unit": N_(
        "Map the Rackbeat unit %(unit)s to a Dinero unit in Settings > Units and languages > Units."
    ),
    "choose_invoice_language": N_(
        "Choose the Dinero invoice language for the layout %(layout)s in Settings > Units and "
        "languages > Layouts and invoice language."
    ),
    "choose_goods_consumption_account": N_(
        "Choose the goods-consumption account in Settings > Sales and customers > Goods "
        "consumption."
    ),
    "choose_inventory_account": N_(
        "Choose the inventory account in Settings > Sales and customers > Goods consumption."
    ),
    # Failed: the Rackbeat record lacks something.
    "invoice_without_customer": N_("The invoice has no customer in Rackbeat."),
    "supplier_invoice_without_supplier": N_(
        "Supplier invoice %(number)s has no supplier in Rackbeat. Choose its supplier in "
        "Rackbeat, then retry."
    ),
    "credited_invoice_not_transferred": N_(
        "Credit note %(credit_note)s credits invoice %(invoice)s, which has not been "
        "transferred to Dinero. Transfer invoice %(invoice)s first, then retry."
    ),
    "unknown_vat_zone": N_(
        '"%(name)s" (%(number)s) has the VAT zone %(zone)s, which is not Domestic, EU or '
        "Abroad. Set its VAT zone in Rackbeat."
    ),
    "the_contact": N_("the contact"),
    "contact_without_name": N_(
        "Contact %(number)s has no name in Rackbeat. Give it a company name."
    ),
    "contact_without_country": N_(
        '"%(name)s" (%(number)s) has no valid country in Rackbeat. Set its country (two '
        "letters, e.g. DK)."
    ),
    "product_without_number": N_('The product "%(name)s" has no product number.'),
    "invoice_is_credit_note": N_("%(document)s adds up to less than zero: it is a credit note."),
    "credit_note_not_negative": N_("%(document)s does not add up to less than zero."),
    "supplier_credit_note": N_(
        "%(document)s adds up to less than zero. Supplier credit notes are not transferred; "
        "enter it in Dinero by hand."
    ),
    "invoice_without_lines": N_("%(document)s has no lines."),
    "line_without_product": N_(
        "%(document)s: %(line)s has no product. Every line needs a product."
    ),
    "line_product_not_found": N_(
        "%(document)s: %(line)s has product %(product)s, which was not found. Every line needs "
        "a product."
    ),
    "line_without_unit": N_("%(document)s: %(line)s has no unit."),
    "discount_out_of_range": N_("%(what)s must be between 0 and 100 %%, not %(discount)s."),
    "cost_price_missing": N_("%(what)s is missing. Set a cost price on the product."),
    "value_missing": N_("%(what)s is missing in Rackbeat."),
    "value_not_a_number": N_("%(what)s is not a number in Rackbeat: %(value)s."),
    "value_not_a_date": N_("%(what)s is not a valid date in Rackbeat: %(value)s."),
    # What those sentences are about: documents, lines and values on them.
    "document_invoice": N_("Rackbeat invoice %(number)s"),
    "document_credit_note": N_("Rackbeat credit note %(number)s"),
    "document_supplier_invoice": N_("Rackbeat supplier invoice %(number)s"),
    "line": N_('line %(position)s ("%(name)s")'),
    "line_without_name": N_("without a name"),
    "quantity_on_line": N_("The quantity on %(line)s of %(document)s"),
    "price_on_line": N_("The price on %(line)s of %(document)s"),
    "discount_on_line": N_("The discount on %(line)s of %(document)s"),
    "cost_price_on_line": N_("The cost price on %(line)s of %(document)s"),
    "sales_price_of_product": N_("The sales price of product %(number)s"),
    "vat_total_of": N_("The VAT total of %(document)s"),
    "date_of": N_("The date of %(document)s"),
    "due_date_of": N_("The due date of %(document)s"),
}
