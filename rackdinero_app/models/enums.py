"""The domain's fixed value sets, named in the article's words."""

from __future__ import annotations

import enum


class ConnectionState(enum.StrEnum):
    INSTALLED = "installed"  # OAuth done, Dinero not yet activated
    ACTIVE = "active"
    PAUSED = "paused"
    UNINSTALLED = "uninstalled"


class VatZone(enum.StrEnum):
    DOMESTIC = "domestic"
    EU = "eu"
    ABROAD = "abroad"


class MappingDirection(enum.StrEnum):
    """Which accounting matrix a row belongs to: revenue (C6) or supplier invoices (P4)."""

    SALES = "sales"
    PURCHASE = "purchase"


class DineroInvoiceStatus(enum.StrEnum):
    """How an invoice or voucher is left in Dinero (P2, C4)."""

    DRAFT = "draft"
    BOOKED = "booked"


class InvoiceDirection(enum.StrEnum):
    """Where customer invoices are created (C5)."""

    RACKBEAT_TO_DINERO = "rackbeat_to_dinero"
    DINERO_TO_RACKBEAT = "dinero_to_rackbeat"


class StartSyncChoice(enum.StrEnum):
    """The one-time Dinero → Rackbeat import offered after activation (S1)."""

    UNDECIDED = "undecided"
    DECLINED = "declined"
    REQUESTED = "requested"


class DineroUnit(enum.StrEnum):
    """Dinero's fixed set of 19 units (case-sensitive on the wire)."""

    HOURS = "hours"
    PARTS = "parts"
    KM = "km"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    KILOGRAM = "kilogram"
    CUBIC_METRE = "cubicMetre"
    SET = "set"
    LITRE = "litre"
    BOX = "box"
    CASE = "case"
    CARTON = "carton"
    METRE = "metre"
    PACKAGE = "package"
    SHIPMENT = "shipment"
    SQUARE_METRE = "squareMetre"
    SESSION = "session"
    TONNE = "tonne"


class DineroLanguage(enum.StrEnum):
    DANISH = "da-DK"
    ENGLISH = "en-GB"


class EntityKind(enum.StrEnum):
    """What a link or a transfer is about."""

    CUSTOMER = "customer"
    SUPPLIER = "supplier"
    PRODUCT = "product"
    CUSTOMER_INVOICE = "customer_invoice"
    CREDIT_NOTE = "credit_note"
    SUPPLIER_INVOICE = "supplier_invoice"
    GOODS_CONSUMPTION = "goods_consumption"


class TransferState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


class TransferDirection(enum.StrEnum):
    RACKBEAT_TO_DINERO = "rackbeat_to_dinero"
    DINERO_TO_RACKBEAT = "dinero_to_rackbeat"


class SyncKind(enum.StrEnum):
    START_SYNC = "start_sync"  # S1: one-time import Dinero → Rackbeat
    HOURLY_INVOICE_IMPORT = "hourly_invoice_import"  # C5: Dinero → Rackbeat at :13


class SyncState(enum.StrEnum):
    """A sync run's life: a start sync is previewed first (previewing → ready), then started
    (pending → running → succeeded | failed | cancelled); an hourly import starts at pending."""

    PREVIEWING = "previewing"
    READY = "ready"
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SyncOutcome(enum.StrEnum):
    """What a sync run did with one Dinero record (S2: everything skipped has a reason)."""

    CREATED = "created"  # made in Rackbeat
    LINKED = "linked"  # the same record was already in Rackbeat
    SKIPPED = "skipped"  # not eligible (e.g. no product number, no e-mail), with the reason
    FAILED = "failed"  # Rackbeat refused it, with the reason


class StaffRole(enum.StrEnum):
    """What a support staff member may do: a viewer reads, an operator also acts on
    connections (and must sign in with a one-time code)."""

    VIEWER = "viewer"
    OPERATOR = "operator"


class ActorType(enum.StrEnum):
    STAFF = "staff"
    RACKBEAT_USER = "rackbeat_user"
    SYSTEM = "system"
