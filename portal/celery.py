"""The Celery application: configured from Django settings under the CELERY_ namespace."""

import os

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

# The embedded broker (filesystem://) with messages written whole before they are visible.
TRANSPORT_ALIASES["filesystem"] = "apps.core.broker:Transport"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("crossdock")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
