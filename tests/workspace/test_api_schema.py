"""The OpenAPI schema: valid, free of warnings, and describing every workspace route for real."""

import re

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from apps.workspace.api import urls as api_urls

WRITES = {"post", "patch", "put", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_validates_and_fails_on_any_warning(tmp_path):
    # --fail-on-warn turns every generator warning (an unknown field type, a path parameter
    # without a type, an enum naming clash) into an error.
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/cases/" in yaml.safe_load(out.read_text())["paths"]


def openapi_path(regex: str) -> str:
    path = regex.lstrip("^").rstrip("$").replace("\\.", ".")
    path = re.sub(r"\(\?P<pk>[^)]*\)", "{id}", path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", path)
    return "/api/v1/" + path


def test_every_route_and_method_is_described(schema):
    for pattern in api_urls.router.urls:
        path = openapi_path(pattern.pattern.regex.pattern)
        assert path in schema["paths"], path
        described = set(schema["paths"][path])
        methods = set(pattern.callback.actions) - {"head", "options"}
        assert methods <= described, (path, methods - described)


def test_operations_use_real_serializers_and_document_errors(schema):
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/cases"):
            continue
        for method, operation in operations.items():
            ok = next(code for code in operation["responses"] if code.startswith("2"))
            content = operation["responses"][ok]["content"]
            media = next(iter(content.values()))
            assert media["schema"], (method, path)
            assert "$ref" in str(media["schema"]) or media["schema"].get("format") == "binary", (method, path)
            for code in ("401", "404") if "{" in path else ("401",):
                error = operation["responses"][code]["content"]["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/Error"}, (method, path, code)
            if method in WRITES:
                assert "requestBody" in operation, (method, path)


def test_writes_document_the_idempotency_key_and_auth_is_a_bearer_key(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in WRITES and path.startswith("/api/v1/cases"):
                headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
                assert headers == ["Idempotency-Key"], (method, path)
            assert {"partnerApiKey": []} in operation["security"], (method, path)
    assert schema["components"]["securitySchemes"]["partnerApiKey"]["scheme"] == "bearer"


def test_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/cases/{case_pk}/transitions/" in response.content
