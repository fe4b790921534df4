"""Everything a transfer tells the Rackbeat user, by message code: English templates whose
``%(name)s`` parameters are filled in from the records, translated when the transfer log shows
them (``transfers/translation.py``).

Client errors' messages are written next to the errors, in ``clients/errors.py``, since the
clients know nothing of the transfers; the transfer log finds them under ``client.<code>``.
"""

from __future__ import annotations

from rackdinero_app.transfers.catalogue_reconcile import RECONCILE_TEMPLATES


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
    # Dinero → Rackbeat (C5's second direction): the hourly import and its transfers.
    "invoices_to_dinero": N_(
        "Customer invoices are created in Rackbeat and sent to Dinero (Settings > Sales: "
        "direction of customer invoices), so Dinero's invoices are not imported."
    ),
    "invoice_from_dinero": N_(
        "This invoice was imported from Dinero (%(document)s), so it is not sent back."
    ),
    "came_from_rackbeat": N_("%(document)s was sent from Rackbeat, so it is not imported back."),
    "already_in_rackbeat": N_("%(document)s is already in Rackbeat as invoice %(number)s."),
    "dinero_draft": N_("%(document)s is a draft; only booked invoices are imported."),
    "imported_invoice": N_("Created in Rackbeat as booked invoice no. %(number)s."),
    "imported_credit_note": N_("Created in Rackbeat as booked credit note no. %(number)s."),
    "imported_credit_note_for": N_(
        "Created in Rackbeat as booked credit note no. %(number)s for invoice %(invoice)s."
    ),
    "document_dinero_invoice": N_("Dinero invoice %(number)s"),
    "document_dinero_credit_note": N_("Dinero credit note %(number)s"),
    "dinero_line_without_product": N_(
        "%(document)s: %(line)s has no product. Every line of a Rackbeat invoice needs a "
        "product, so enter this invoice in Rackbeat by hand."
    ),
    "dinero_product_without_number": N_(
        'The Dinero product "%(name)s" has no product number, so it cannot be found or created '
        "in Rackbeat. Give it a product number in Dinero, then retry."
    ),
    "contact_without_email": N_(
        'The Dinero contact "%(name)s" has no e-mail address, so the app cannot tell whether '
        "the customer is in Rackbeat already. Add the e-mail address in Dinero, then retry."
    ),
    "map_group_for_new_product": N_(
        'Dinero product %(number)s ("%(name)s") is not in Rackbeat, and no product group has '
        "revenue account %(account)s. Create product %(number)s in Rackbeat, or map a product "
        "group to account %(account)s in Settings > Sales and customers > Revenue accounts."
    ),
    "credited_invoice_not_imported": N_(
        "%(credit_note)s credits Dinero invoice %(invoice)s, which is not in Rackbeat. Import "
        "invoice %(invoice)s first (Troubleshooting), then retry."
    ),
    "waiting_for_credited_invoice": N_(
        "%(credit_note)s waits until Dinero invoice %(invoice)s is in Rackbeat."
    ),
    "imported_total_differs": N_(
        "%(document)s: the lines add up to %(lines)s excl. VAT, but Dinero's total is "
        "%(dinero)s. Enter this invoice in Rackbeat by hand."
    ),
    # What an import run reports about the Dinero vouchers it saw but did not import.
    "deleted_in_dinero": N_(
        "%(document)s was deleted in Dinero. It was never imported, and nothing was changed in "
        "Rackbeat."
    ),
    "deleted_in_dinero_kept": N_(
        "%(document)s was deleted in Dinero. Rackbeat invoice %(number)s was kept: the app "
        "never deletes in Rackbeat; credit it there if it should go."
    ),
    "created_before_import": N_(
        "%(document)s was created in Dinero before invoices were set to come from Dinero, so "
        "it is not imported. Import it by its number in Troubleshooting if it should be."
    ),
    "not_stored": N_("%(document)s could not be recorded for import; the next run tries it again."),
    "import_stopped": N_(
        "The import stopped before it finished (its worker stopped); the next run takes over."
    ),
    "dinero_invoice_not_found": N_("Dinero has no booked invoice or credit note no. %(number)s."),
    # Rackbeat records as they may come: fields no public model shows, countries as names, lots.
    "vat_total_missing": N_(
        "%(document)s has neither a VAT total nor a total incl. VAT in Rackbeat (total_vat, "
        "total_total), so the totals Dinero calculates cannot be checked against Rackbeat's. "
        "Enter this invoice in Dinero by hand."
    ),
    "total_incl_vat_of": N_("The total incl. VAT of %(document)s"),
    "subtotal_of": N_("The subtotal of %(document)s"),
    "document_without_date": N_(
        "%(document)s has no date in Rackbeat (none of %(fields)s is set). Enter this invoice "
        "in Dinero by hand."
    ),
    "unknown_country": N_(
        '"%(name)s" (%(number)s) has the country "%(country)s" in Rackbeat, which the app does '
        "not recognise as a country. Set its country in Rackbeat to a country name or a "
        "two-letter code (e.g. Norge or NO), then retry."
    ),
    "lot_line": N_(
        "%(document)s: %(line)s is the lot %(lot)s. Lots are not transferred, because the "
        "products in a lot may belong to different product groups and so to different "
        "accounts. Invoice the lot's products on lines of their own, or enter this invoice in "
        "Dinero by hand."
    ),
    # The dry run of an invoice (PV1): what stops it besides the transfer's own reasons.
    "connection_paused": N_(
        "Support has paused the transfers for this account: the invoice waits and is sent "
        "when they resume."
    ),
    "preview_not_found": N_(
        "%(document)s was not found in Rackbeat. Check the number and the kind of invoice."
    ),
    "preview_customer_not_found": N_("Customer %(number)s was not found in Rackbeat."),
    "preview_supplier_not_found": N_("Supplier %(number)s was not found in Rackbeat."),
}

# The month-end reconciliation's reasons (RC1).
TEMPLATES |= RECONCILE_TEMPLATES
