"""Enumerations of the workspace: case kinds, priorities, sides, channels, visibility."""

from django.db import models


class CaseKind(models.TextChoices):
    ORDER_EXCEPTION = "order_exception", "Order exception"
    ALLOCATION = "allocation", "Demand and allocation"
    TRADE_DOCUMENT = "trade_document", "Trade document"
    DROPSHIP = "dropship", "Drop-ship order"
    CLAIM = "claim", "Return or claim"
    LAUNCH = "launch", "Launch readiness"
    ESCALATION = "escalation", "Service escalation"
    MILESTONE = "milestone", "B2B order milestones"
    GENERAL = "general", "General question"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class Side(models.TextChoices):
    """Whose turn it is: the SLA clock runs against this side; NONE means paused."""

    PARTNER = "partner", "Partner"
    RETAILER = "retailer", "Retailer"
    NONE = "none", "Nobody"


class Channel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    SFCC = "sfcc", "SFCC"
    TRADING_GRID = "tradinggrid", "Trading Grid"
    SYSTEM = "system", "System"


class Visibility(models.TextChoices):
    PARTNER = "partner", "Shared with partner"
    INTERNAL = "internal", "Internal note"


class SlaState(models.TextChoices):
    OK = "ok", "On track"
    DUE_SOON = "due_soon", "Due soon"
    BREACHED = "breached", "Breached"
    PAUSED = "paused", "Paused"
