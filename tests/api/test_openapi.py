"""The committed OpenAPI document is the app's, and it reads well."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.document import openapi_document, render_openapi, write_openapi

REGENERATE = "regenerate it with: whosaid openapi  (or python -m service.cli openapi)"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_committed_document_matches_the_app(repo_root: Path) -> None:
    committed = (repo_root / "openapi" / "openapi.json").read_text(encoding="utf-8")
    assert committed == render_openapi(), f"openapi/openapi.json is stale; {REGENERATE}"


def test_write_openapi_writes_the_rendered_document(tmp_path: Path) -> None:
    path = write_openapi(tmp_path / "nested" / "openapi.json")
    assert path.read_text(encoding="utf-8") == render_openapi()


def test_document_is_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")


def test_routes_are_the_documented_ones(document: dict[str, Any]) -> None:
    assert {(method, path) for method, path, _ in operations(document)} == {
        ("GET", "/v1/lookup"),
        ("POST", "/v1/lookup"),
        ("POST", "/v1/lookup/batch"),
        ("GET", "/v1/statements"),
        ("GET", "/v1/statements/{statement_id}"),
        ("GET", "/v1/speakers"),
        ("GET", "/v1/speakers/{speaker_id}"),
        ("GET", "/v1/outlets"),
        ("GET", "/v1/articles"),
        ("GET", "/v1/articles/{article_id}"),
        ("POST", "/v1/articles"),
        ("DELETE", "/v1/articles/{article_id}"),
        ("GET", "/v1/health/live"),
        ("GET", "/v1/health/ready"),
        ("GET", "/metrics"),
    }


def test_every_operation_is_documented(document: dict[str, Any]) -> None:
    ids = []
    for method, path, operation in operations(document):
        where = f"{method} {path}"
        ids.append(operation.get("operationId"))
        assert operation.get("operationId"), where
        assert operation.get("summary"), where
        assert operation.get("description"), where
        assert operation.get("tags"), where
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{where} {parameter['name']}"
        if "204" in operation["responses"]:
            assert "content" not in operation["responses"]["204"], where
        else:
            success = operation["responses"]["200"]
            for media in success["content"].values():
                assert media.get("examples"), f"{where}: no response example"
        if "requestBody" in operation:
            for media in operation["requestBody"]["content"].values():
                assert media["schema"].get("examples"), f"{where}: no request example"
    assert len(ids) == len(set(ids))


def test_every_error_is_problem_details(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert set(response["content"]) == {"application/problem+json"}, (
                    f"{method} {path} {status}"
                )
                media = response["content"]["application/problem+json"]
                assert media["schema"] == {"$ref": "#/components/schemas/Problem"}
                assert media["examples"]


def test_body_constraints_are_in_the_document(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    text = schemas["LookupRequest"]["properties"]["text"]
    assert (text["minLength"], text["maxLength"]) == (1, 1000)
    k = schemas["LookupRequest"]["properties"]["k"]
    assert (k["minimum"], k["maximum"]) == (1, 50)
    texts = schemas["BatchLookupRequest"]["properties"]["texts"]
    assert (texts["minItems"], texts["maxItems"]) == (1, 50)


def test_writes_need_the_api_key_and_reads_declare_none(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["ApiKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-API-Key")
    for method, path, operation in operations(document):
        where = f"{method} {path}"
        if method in {"POST", "DELETE"} and path.startswith("/v1/articles"):
            assert operation["security"] == [{"ApiKey": []}], where
            assert {"401", "403"} <= set(operation["responses"]), where
        else:
            assert "security" not in operation, where
    assert "security" not in document


def _request_schemas(document: dict[str, Any]) -> set[str]:
    """The component schemas that request bodies name (and the ones they hold)."""
    schemas = document["components"]["schemas"]
    bodies = [
        str(media["schema"])
        for _, _, operation in operations(document)
        for media in operation.get("requestBody", {}).get("content", {}).values()
    ]
    named: set[str] = set()
    while bodies:
        text = bodies.pop()
        for name in schemas:
            if f"#/components/schemas/{name}'" in text and name not in named:
                named.add(name)
                bodies.append(str(schemas[name]))
    return named


def test_every_field_the_server_always_sends_is_required(document: dict[str, Any]) -> None:
    # Problem details leave out absent members (RFC 9457); every other answer sends them all.
    requests = _request_schemas(document)
    for name, schema in document["components"]["schemas"].items():
        if name in requests or name == "Problem" or "properties" not in schema:
            continue
        missing = set(schema["properties"]) - set(schema.get("required", ()))
        assert not missing, f"{name}: {sorted(missing)} not required"


def test_lookups_name_the_outlet_filter_alike(document: dict[str, Any]) -> None:
    parameters = document["paths"]["/v1/lookup"]["get"]["parameters"]
    get_names = {p["name"] for p in parameters}
    schemas = document["components"]["schemas"]
    assert "outlet" in get_names
    assert "outlet" in schemas["LookupRequest"]["properties"]
    assert "outlet" in schemas["BatchLookupRequest"]["properties"]
    old = next(p for p in parameters if p["name"] == "outlets")
    assert old["schema"].get("deprecated") is True


def test_ingest_limits_are_in_the_document(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    articles = schemas["IngestRequest"]["properties"]["articles"]
    assert (articles["minItems"], articles["maxItems"]) == (1, 20)
    text = schemas["ArticleInput"]["properties"]["text"]
    assert (text["minLength"], text["maxLength"]) == (1, 100_000)
    assert "pattern" in text and "pattern" in schemas["ArticleInput"]["properties"]["id"]
