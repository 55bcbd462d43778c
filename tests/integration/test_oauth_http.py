"""`POST /oauth/token`, the JWKS and the metadata over real HTTP on loopback, on a real
SQLite store; clients are real API keys in that store."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.auth import key_service
from crossdock.bootstrap.oauth import OAuthServices, build_oauth
from crossdock.bootstrap.store import make_engine
from crossdock.config import Settings
from crossdock.config.oauth import OAuthConfig
from crossdock.entrypoints.api import oauth as oauth_api
from crossdock.entrypoints.api.oauth import JwkSet, ServerMetadata, TokenError, TokenResponse
from crossdock.entrypoints.api.problems import install_problem_handlers
from crossdock.hub.credentials import Client
from crossdock.hub.identity import INVENTORY_READ
from crossdock.hub.oauth import KeyClients
from crossdock.sandbox.serving import ServerThread
from tests.unit.oauth.fakes import ACME

ISSUER = "https://hub.example"


class OAuthServer:
    def __init__(self, tmp_path: Path, **config: Any) -> None:
        self.engine = make_engine(sqlite_url(tmp_path))
        self.keys = key_service(self.engine)  # real API keys on the real store
        issued = self.keys.issue(Client("partner", "acme", "supplier"), sorted(ACME.scopes))
        self.client_id, self.secret = issued.key.key_id, issued.token
        settings = Settings(oauth=OAuthConfig(issuer=ISSUER, **config))
        self.oauth: OAuthServices = build_oauth(settings, self.engine, KeyClients(self.keys.keys))
        app = FastAPI()
        install_problem_handlers(app)
        app.include_router(oauth_api.router)
        app.state.hub = SimpleNamespace(oauth=self.oauth)
        self.server = ServerThread(app)
        self.url = self.server.url

    def token(self, form: dict[str, str] | str, **headers: str) -> httpx.Response:
        if isinstance(form, dict):
            return httpx.post(f"{self.url}/oauth/token", data=form, headers=headers, timeout=10)
        headers.setdefault("content-type", "application/x-www-form-urlencoded")
        return httpx.post(f"{self.url}/oauth/token", content=form, headers=headers, timeout=10)

    def basic(self, client_id: str | None = None, secret: str | None = None) -> str:
        raw = f"{client_id or self.client_id}:{secret or self.secret}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    def close(self) -> None:
        self.server.stop()
        self.engine.dispose()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[OAuthServer]:
    server = OAuthServer(tmp_path)
    yield server
    server.close()


def test_client_credentials_by_basic_give_a_bearer_token_the_hub_accepts(hub: OAuthServer) -> None:
    response = hub.token({"grant_type": "client_credentials"}, authorization=hub.basic())
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    assert set(body["scope"].split()) == ACME.scopes
    [authenticator] = hub.oauth.authenticators
    principal = authenticator.authenticate(body["access_token"])
    assert principal is not None and principal.partner == "acme" and principal.via == "oauth"


def test_form_credentials_and_a_narrower_scope(hub: OAuthServer) -> None:
    response = hub.token(
        {
            "grant_type": "client_credentials",
            "client_id": hub.client_id,
            "client_secret": hub.secret,
            "scope": INVENTORY_READ,
        }
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == INVENTORY_READ
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["scope"] == INVENTORY_READ and claims["iss"] == ISSUER


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        (
            {"grant_type": "password", "username": "a", "password": "b"},
            400,
            "unsupported_grant_type",
        ),
        ({"grant_type": "client_credentials", "scope": "admin"}, 400, "invalid_scope"),
        ({"scope": INVENTORY_READ}, 400, "invalid_request"),
    ],
)
def test_rfc_6749_errors(hub: OAuthServer, form: dict[str, str], status: int, error: str) -> None:
    response = hub.token(form, authorization=hub.basic())
    assert (response.status_code, response.json()["error"]) == (status, error)
    assert response.json()["error_description"]
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "authorization",
    [None, "Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode(), "Bearer x"],
)
def test_missing_malformed_or_wrong_client_auth_is_invalid_client_401_with_a_challenge(
    hub: OAuthServer, authorization: str | None
) -> None:
    headers = {"authorization": authorization} if authorization else {}
    response = hub.token({"grant_type": "client_credentials"}, **headers)
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic ")
    wrong = hub.token({"grant_type": "client_credentials"}, authorization=hub.basic(secret="x"))
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")


def test_a_body_that_is_no_form_or_too_large_is_invalid_request(hub: OAuthServer) -> None:
    as_json = httpx.post(
        f"{hub.url}/oauth/token",
        json={"grant_type": "client_credentials"},
        headers={"authorization": hub.basic()},
    )
    assert (as_json.status_code, as_json.json()["error"]) == (400, "invalid_request")
    huge = hub.token("grant_type=client_credentials&x=" + "a" * 20_000, authorization=hub.basic())
    assert (huge.status_code, huge.json()["error"]) == (400, "invalid_request")


def test_a_revoked_client_gets_no_token_and_its_issued_token_lasts_until_exp(
    hub: OAuthServer,
) -> None:
    token = hub.token({"grant_type": "client_credentials"}, authorization=hub.basic()).json()
    hub.keys.revoke(hub.client_id)
    again = hub.token({"grant_type": "client_credentials"}, authorization=hub.basic())
    assert (again.status_code, again.json()["error"]) == (401, "invalid_client")
    # documented bound: the token already issued works until its exp (≤ access_token_seconds)
    [authenticator] = hub.oauth.authenticators
    assert authenticator.authenticate(token["access_token"]) is not None


def test_the_jwks_publishes_public_keys_only_and_is_cacheable(hub: OAuthServer) -> None:
    hub.token({"grant_type": "client_credentials"}, authorization=hub.basic())
    response = httpx.get(f"{hub.url}/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=30"
    [key] = response.json()["keys"]
    assert key["alg"] == "RS256" and key["use"] == "sig" and "d" not in key
    token = hub.token({"grant_type": "client_credentials"}, authorization=hub.basic()).json()
    # an outside resource server can verify the token with nothing but the JWKS
    public = jwt.PyJWK(key).key
    claims = jwt.decode(
        token["access_token"],
        public,
        algorithms=["RS256"],
        audience="urn:crossdock:api",
        issuer=ISSUER,
    )
    assert claims["client_id"] == hub.client_id


def test_the_metadata_names_the_token_endpoint_and_the_jwks(hub: OAuthServer) -> None:
    body = httpx.get(f"{hub.url}/.well-known/oauth-authorization-server").json()
    assert body["issuer"] == ISSUER
    assert body["token_endpoint"] == f"{hub.url}/oauth/token"
    assert body["jwks_uri"] == f"{hub.url}/.well-known/jwks.json"
    assert body["grant_types_supported"] == ["client_credentials"]


def test_an_unreadable_signing_key_is_a_503_problem_without_the_key(tmp_path: Path) -> None:
    first = OAuthServer(tmp_path, key_encryption_secret=SecretStr("one"))
    try:
        assert (
            first.token(
                {"grant_type": "client_credentials"}, authorization=first.basic()
            ).status_code
            == 200
        )
    finally:
        first.close()
    second = OAuthServer(tmp_path, key_encryption_secret=SecretStr("two"))
    try:
        response = second.token({"grant_type": "client_credentials"}, authorization=second.basic())
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert "PRIVATE" not in response.text
    finally:
        second.close()


def test_the_openapi_document_describes_the_token_request_form(hub: OAuthServer) -> None:
    operation = httpx.get(f"{hub.url}/openapi.json").json()["paths"]["/oauth/token"]["post"]
    form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form["required"] == ["grant_type"] and "scope" in form["properties"]


def test_the_answers_match_the_documented_models(hub: OAuthServer) -> None:
    ok = hub.token({"grant_type": "client_credentials"}, authorization=hub.basic())
    TokenResponse.model_validate(ok.json())
    TokenError.model_validate(hub.token({"grant_type": "password"}).json())
    JwkSet.model_validate(httpx.get(f"{hub.url}/.well-known/jwks.json").json())
    ServerMetadata.model_validate(
        httpx.get(f"{hub.url}/.well-known/oauth-authorization-server").json()
    )
    spec = httpx.get(f"{hub.url}/openapi.json").json()
    responses = spec["paths"]["/oauth/token"]["post"]["responses"]
    assert {"200", "400", "401"} <= set(responses)


def test_the_middleware_authenticator_judges_jwts_only_and_accepts_the_hubs_tokens(
    hub: OAuthServer,
) -> None:
    bearer = hub.oauth.bearer
    assert bearer is not None
    token = hub.token({"grant_type": "client_credentials"}, authorization=hub.basic()).json()
    assert bearer.claims(token["access_token"]) and not bearer.claims(hub.secret)
    principal = asyncio.run(bearer.authenticate(token["access_token"]))
    assert principal is not None and principal.partner == "acme"
    assert asyncio.run(bearer.authenticate(token["access_token"][:-4] + "AAAA")) is None


def test_only_a_live_key_under_its_own_id_is_a_client(hub: OAuthServer) -> None:
    other = hub.keys.issue(Client("partner", "globex", "customer"), [INVENTORY_READ])
    swapped = hub.token(
        {"grant_type": "client_credentials"}, authorization=hub.basic(other.key.key_id)
    )
    assert (swapped.status_code, swapped.json()["error"]) == (401, "invalid_client")
    lapsed = hub.keys.issue(Client("partner", "acme", "supplier"), [INVENTORY_READ], expires_at=1.0)
    expired = hub.token(
        {"grant_type": "client_credentials"},
        authorization=hub.basic(lapsed.key.key_id, lapsed.token),
    )
    assert (expired.status_code, expired.json()["error"]) == (401, "invalid_client")
    own = hub.token(
        {"grant_type": "client_credentials"}, authorization=hub.basic(other.key.key_id, other.token)
    )
    assert own.status_code == 200 and own.json()["scope"] == INVENTORY_READ


def test_an_operator_key_gets_an_operator_token(hub: OAuthServer) -> None:
    operator = hub.keys.issue(Client("operator", "ops"), None)
    body = hub.token(
        {"grant_type": "client_credentials", "scope": "operations"},
        authorization=hub.basic(operator.key.key_id, operator.token),
    ).json()
    [authenticator] = hub.oauth.authenticators
    principal = authenticator.authenticate(body["access_token"])
    assert principal is not None and principal.is_operator
    assert principal.scopes == {"operations"} and principal.partner is None
