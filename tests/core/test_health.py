"""The health probe: 200 only when the database, cache, storage and broker all work."""

import pytest

from apps.core import health

pytestmark = pytest.mark.django_db


def test_health_reports_every_component(client):
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 200, body
    assert set(body["checks"]) == {"database", "cache", "storage", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_health_is_503_when_a_component_fails(client, monkeypatch):
    def broken():
        raise OSError("disk full")

    monkeypatch.setitem(health.CHECKS, "storage", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == {"ok": False, "error": "OSError: disk full", "ms": pytest.approx(0, abs=50)}
