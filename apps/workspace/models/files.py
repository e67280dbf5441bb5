"""Files on cases and messages, with versions: a re-upload supersedes, never overwrites."""

import uuid

from django.conf import settings
from django.db import models

from ..choices import Channel, Visibility
from .case import Case, CaseScopedQuerySet


def version_key(instance: "FileVersion", filename: str) -> str:
    # Server-made keys: the client's name is metadata only, never part of the storage path.
    return f"cases/{instance.attachment.case_id}/{uuid.uuid4().hex}"


class AttachmentQuerySet(CaseScopedQuerySet):
    def for_actor(self, actor):
        from apps.partners.tenancy import scope_of

        qs = super().for_actor(actor)
        return qs if scope_of(actor).internal else qs.filter(visibility=Visibility.PARTNER)


class Attachment(models.Model):
    """A logical file on a case: its versions hold the bytes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        "workspace.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    name = models.CharField(max_length=255)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PARTNER)
    current_version = models.ForeignKey(
        "workspace.FileVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class FileVersionQuerySet(AttachmentQuerySet):
    case_path = "attachment__case"

    def for_actor(self, actor):
        from apps.partners.tenancy import scope_of

        qs = CaseScopedQuerySet.for_actor(self, actor)
        return qs if scope_of(actor).internal else qs.filter(attachment__visibility=Visibility.PARTNER)


class FileVersion(models.Model):
    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=version_key, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, help_text="Detected from the content.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_label = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WEB)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FileVersionQuerySet.as_manager()

    class Meta:
        ordering = ["attachment", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["attachment", "number"], name="unique_file_version")
        ]

    def __str__(self) -> str:
        return f"{self.original_name} v{self.number}"

    @property
    def previewable(self) -> bool:
        return self.content_type.startswith("image/") or self.content_type == "application/pdf"

    @property
    def download_url(self) -> str:
        from django.urls import reverse

        return reverse("workspace:file_download", args=[self.pk])

    @property
    def preview_url(self) -> str:
        from django.urls import reverse

        return reverse("workspace:file_preview", args=[self.pk]) if self.previewable else ""
