"""`/openapi.json`: security schemes, scopes read off `require(...)`, public operations, and one
problem schema behind every error (built in process; the live answers are checked against it
in tests/integration/test_openapi_responses.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI

from crossdock.bootstrap import HubServices
from crossdock.config import Settings
from crossdock.config.auth import DEFAULT_PUBLIC_PATHS
from crossdock.entrypoints.api import oauth
from crossdock.entrypoints.api.app import create_app
from crossdock.entrypoints.api.auth import PublicPaths
from crossdock.entrypoints.api.openapi import PROBLEM_REF, SCOPE_DESCRIPTIONS, install_openapi
from crossdock.entrypoints.api.problems import PROBLEM_JSON, install_problem_handlers
from crossdock.entrypoints.api.security import PRINCIPAL_STATE, require
from crossdock.hub import identity
from crossdock.hub.identity import Principal


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    hub = SimpleNamespace(settings=Settings())  # the app's routes only; no store is opened
    return create_app(cast(HubServices, hub)).openapi()


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, ops in doc["paths"].items() for m, op in ops.items()]


def test_the_document_is_openapi_3_1_with_bearer_and_client_credentials(
    doc: dict[str, Any],
) -> None:
    assert doc["openapi"] == "3.1.0"
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    flow = schemes["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/oauth/token"
    assert set(flow["scopes"]) == set(identity.ALL_SCOPES)
    assert doc["security"] == [{"bearerAuth": []}, {"oauth2": []}]


def test_every_scope_is_described() -> None:
    assert set(SCOPE_DESCRIPTIONS) == set(identity.ALL_SCOPES)


def test_public_operations_need_no_credentials_and_the_rest_document_401_and_429(
    doc: dict[str, Any],
) -> None:
    public = {p for m, p, op in operations(doc) if op.get("security") == []}
    expected = PublicPaths([*DEFAULT_PUBLIC_PATHS, *oauth.PUBLIC_PATHS])
    assert public == {p for p in doc["paths"] if p in expected}
    assert {"/healthz", "/asyncapi.json"} <= public
    for method, path, op in operations(doc):
        if path not in public:
            assert {"401", "429"} <= set(op["responses"]), (method, path)


def test_every_answer_is_documented_with_a_schema_and_every_error_is_a_problem(
    doc: dict[str, Any],
) -> None:
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    assert doc["components"]["schemas"]["Problem"]["required"] == [
        "type",
        "title",
        "status",
        "detail",
    ]
    for method, path, op in operations(doc):
        successes = [s for s in op["responses"] if s.startswith("2")]
        assert successes, (method, path)
        for status, response in op["responses"].items():
            content = response.get("content", {})
            if status == "204":  # no content, by definition
                assert content == {}, (method, path)
            elif status.startswith("2"):
                assert content and all(c.get("schema") for c in content.values()), (path, status)
            elif path == "/oauth/token":  # RFC 6749 §5.2 errors, and problems
                assert content[PROBLEM_JSON] == {"schema": PROBLEM_REF}, (method, path, status)
                assert set(content) <= {PROBLEM_JSON, "application/json"}, (path, status)
            else:
                assert content == {PROBLEM_JSON: {"schema": PROBLEM_REF}}, (method, path, status)


def _scoped_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    router = APIRouter(dependencies=[Depends(require(identity.OPERATIONS))])

    @router.post("/v1/things")
    async def things() -> dict[str, str]:
        return {"ok": "yes"}

    @router.get("/v1/stuff", dependencies=[Depends(require(identity.ADMIN))])
    async def stuff() -> dict[str, str]:
        return {"ok": "yes"}

    app.include_router(router)
    install_openapi(app, ())
    return app


def test_the_documented_scopes_are_the_ones_require_enforces() -> None:
    app = _scoped_app()
    paths = app.openapi()["paths"]
    things, stuff = paths["/v1/things"]["post"], paths["/v1/stuff"]["get"]
    assert things["x-required-scopes"] == ["operations"]
    assert things["security"] == [{"bearerAuth": ["operations"]}, {"oauth2": ["operations"]}]
    assert stuff["x-required-scopes"] == ["operations", "admin"]
    assert {"401", "403", "429"} <= set(stuff["responses"])
    assert "`admin`" in stuff["description"]


async def test_the_same_requirement_is_enforced() -> None:
    app = _scoped_app()
    operator = Principal("operator:a", "operator", frozenset({identity.OPERATIONS}))

    async def as_operator(scope: Any, receive: Any, send: Any) -> None:
        scope.setdefault("state", {})[PRINCIPAL_STATE] = operator
        await app(scope, receive, send)

    transport = httpx.ASGITransport(app=as_operator)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        assert (await client.post("/v1/things")).status_code == 200
        refused = await client.get("/v1/stuff")
        assert refused.status_code == 403
        assert refused.json()["required_scope"] == "admin"


def test_an_operation_whose_body_fastapi_parses_documents_400_for_a_body_that_is_not_json(
    doc: dict[str, Any],
) -> None:
    # schemathesis found it: a resolve with a binary body answered an undocumented 400
    for path in ("/v1/replay", "/v1/dlq/retry", "/v1/exceptions/{exception_id}/resolve"):
        assert "400" in doc["paths"][path]["post"]["responses"], path


def test_the_security_page_lists_every_scope() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    for scope in identity.ALL_SCOPES:
        assert f"| `{scope}` |" in page, scope
