"""All models, importable from one place (Alembic reads the metadata from here)."""

from rackdinero_app.models.base import Base
from rackdinero_app.models.connection import Connection
from rackdinero_app.models.connection import WebhookSubscription
from rackdinero_app.models.reconciliation import LedgerSnapshot
from rackdinero_app.models.reconciliation import Reconciliation
from rackdinero_app.models.reconciliation import ReconciliationItem
from rackdinero_app.models.settings import AccountMapping
from rackdinero_app.models.settings import LayoutLanguage
from rackdinero_app.models.settings import Settings
from rackdinero_app.models.settings import UnitMapping
from rackdinero_app.models.staff import AuditEntry
from rackdinero_app.models.staff import StaffUser
from rackdinero_app.models.support_request import SupportRequest
from rackdinero_app.models.transfer import EntityLink
from rackdinero_app.models.transfer import InboxEvent
from rackdinero_app.models.transfer import SyncRecord
from rackdinero_app.models.transfer import SyncRun
from rackdinero_app.models.transfer import Transfer

__all__ = [
    "AccountMapping",
    "AuditEntry",
    "Base",
    "Connection",
    "EntityLink",
    "InboxEvent",
    "LayoutLanguage",
    "LedgerSnapshot",
    "Reconciliation",
    "ReconciliationItem",
    "Settings",
    "StaffUser",
    "SupportRequest",
    "SyncRecord",
    "SyncRun",
    "Transfer",
    "UnitMapping",
    "WebhookSubscription",
]
