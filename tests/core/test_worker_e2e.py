"""A real worker process picks up a task queued by the test process, through the broker."""

import pytest

from apps.partners.models import Invitation
from apps.partners.tasks import expire_invitations
from tests.support.worker import wait_for

pytestmark = pytest.mark.slow


def test_worker_runs_queued_task_against_the_shared_database(celery_worker_process, partner_a):
    from datetime import timedelta

    from django.utils import timezone

    invitation = Invitation.objects.create(
        organization=partner_a, email="late@x.test", role="partner_member",
        expires_at=timezone.now() - timedelta(hours=1),
    )
    expire_invitations.delay()
    wait_for(
        lambda: Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=False).exists(),
        message="the worker to expire the invitation",
    )
