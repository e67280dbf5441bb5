"""What only the SFCC connector keeps: the write-back state per order and the poll's watermark.

The order mirror itself lives in apps.orders (the connector writes it through that app's
services), and the exception rules and details in apps.exceptions.
"""

from django.db import models
from django.utils import timezone

from apps.orders.models import Order


class OrderWriteback(models.Model):
    """What the portal last told SFCC about an order, and the row writers lock.

    Every transaction that writes outbox rows for an order locks this row first, so for the
    order's key the outbox id order is the commit order, even when two of its cases change at
    once. It is not the mirror row: inbound applies lock that one before the cases, outbound
    writers hold a case before this one, and separate rows keep the lock order acyclic.
    """

    order = models.OneToOneField(
        Order, on_delete=models.CASCADE, primary_key=True, related_name="writeback"
    )
    external_status = models.CharField(max_length=256, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"write-back of {self.order_id}"


class PollCursor(models.Model):
    """The reconciliation poll's watermark, moved only after a page of orders is applied."""

    site_id = models.CharField(max_length=64, unique=True)
    watermark = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    orders_seen = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.site_id} @ {self.watermark}"
