"""The conversation on a case: messages from people, partner systems and the system itself."""

from django.conf import settings
from django.db import models

from ..choices import Channel, Visibility
from .case import Case, CaseScopedQuerySet


class MessageQuerySet(CaseScopedQuerySet):
    def for_actor(self, actor):
        qs = super().for_actor(actor)
        from apps.partners.tenancy import scope_of

        # Internal notes never reach a partner, whatever the page, API or export.
        return qs if scope_of(actor).internal else qs.filter(visibility=Visibility.PARTNER)


class Message(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who spoke when no person did: "Northwind ERP (API key)", "SFCC", "Crossdock".
    author_label = models.CharField(max_length=200, blank=True)
    author_organization = models.ForeignKey(
        "partners.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WEB)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PARTNER
    )
    body = models.TextField()
    body_html = models.TextField(help_text="The body rendered and sanitized once, on write.")
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at", "id"], name="message_case_idx")]

    def __str__(self) -> str:
        return f"Message {self.pk} on {self.case_id}"

    @property
    def is_internal(self) -> bool:
        return self.visibility == Visibility.INTERNAL

    @property
    def speaker(self) -> str:
        if self.author_id:
            return str(self.author)
        return self.author_label or "Crossdock"
