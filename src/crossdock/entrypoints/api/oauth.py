"""OAuth2 endpoints: the token endpoint (client credentials), the JWKS and the RFC 8414
metadata. All three are public: the token endpoint authenticates the client itself.

Token errors are RFC 6749 §5.2 JSON (``{"error": ..., "error_description": ...}``), not
problem+json: OAuth client libraries parse that shape. Every token response carries
``Cache-Control: no-store``.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any, Literal
from urllib.parse import parse_qs, unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from crossdock.bootstrap.oauth import (
    TOKEN_ISSUED,
    KeyUnreadable,
    OAuthServices,
    record_credential_event,
    refuse_client,
)
from crossdock.entrypoints.api.problems import Problem
from crossdock.hub.identity import ALL_SCOPES
from crossdock.hub.oauth import OAuthError, client_credentials

router = APIRouter()
log = logging.getLogger(__name__)
FORM = "application/x-www-form-urlencoded"
#: Answered without a bearer credential: the token endpoint authenticates the client itself.
PUBLIC_PATHS = ("/oauth/token", "/.well-known/jwks.json", "/.well-known/oauth-authorization-server")
#: A token request is a few hundred bytes; more is refused before it is read.
MAX_TOKEN_REQUEST_BYTES = 16 * 1024
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _services(request: Request) -> OAuthServices:
    oauth: OAuthServices | None = getattr(request.app.state.hub, "oauth", None)
    if oauth is None:
        raise Problem(404, "OAuth is not configured on this hub")
    return oauth


def _error(exc: OAuthError) -> JSONResponse:
    headers = dict(_NO_STORE)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="crossdock", error="invalid_client"'
    return JSONResponse(
        {"error": exc.error, "error_description": exc.description},
        status_code=exc.status,
        headers=headers,
    )


def _basic(request: Request) -> tuple[str, str] | None:
    """``Authorization: Basic`` credentials, form-decoded as RFC 6749 §2.3.1 says."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise OAuthError("invalid_client", "use HTTP Basic or form fields", status=401)
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError("invalid_client", "malformed Basic credentials", status=401) from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise OAuthError("invalid_client", "malformed Basic credentials", status=401)
    return unquote_plus(client_id), unquote_plus(secret)


async def _form(request: Request) -> dict[str, list[str]]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != FORM:
        raise OAuthError("invalid_request", f"the body must be {FORM}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_TOKEN_REQUEST_BYTES:
            raise OAuthError("invalid_request", "the request body is too large")
    try:
        return parse_qs(
            body.decode("utf-8"), keep_blank_values=False, strict_parsing=False, max_num_fields=32
        )
    except (UnicodeDecodeError, ValueError):
        raise OAuthError("invalid_request", "the body is not a valid form") from None


class TokenResponse(BaseModel):
    """RFC 6749 §5.1."""

    access_token: str = Field(description="an RFC 9068 JWT; send it as `Authorization: Bearer`")
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="seconds until it expires")
    scope: str = Field(description="the scopes it carries, space-separated")


class TokenError(BaseModel):
    """RFC 6749 §5.2."""

    error: Literal["invalid_request", "invalid_client", "invalid_scope", "unsupported_grant_type"]
    error_description: str


class JwkSet(BaseModel):
    """RFC 7517 §5: the public halves of the live signing keys."""

    keys: list[dict[str, Any]]


class ServerMetadata(BaseModel):
    """RFC 8414 §2 (the fields this hub fills)."""

    issuer: str
    token_endpoint: str
    jwks_uri: str
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    response_types_supported: list[str]
    scopes_supported: list[str]


_TOKEN_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": TokenResponse},
    400: {
        "model": TokenError,
        "description": "invalid_request, invalid_scope, unsupported_grant_type",
    },
    401: {"model": TokenError, "description": "invalid_client"},
}
_TOKEN_REQUEST: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                        "scope": {"type": "string", "description": "space-separated scopes"},
                        "client_id": {"type": "string", "description": "the API key id"},
                        "client_secret": {"type": "string", "description": "the whole API key"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/oauth/token",
    summary="OAuth2 token endpoint (client credentials)",
    openapi_extra=_TOKEN_REQUEST,
    response_model=None,
    responses=_TOKEN_RESPONSES,
)
async def token(request: Request) -> JSONResponse:
    """Exchange client credentials (an API key) for a short-lived access token."""
    oauth = _services(request)
    if oauth.issuer is None:
        raise Problem(404, "the hub's own token issuer is disabled (oauth.enabled)")
    source = request.client.host if request.client else None
    claimed: str | None = None
    try:
        form = await _form(request)
        basic = _basic(request)
        claimed = basic[0] if basic else next(iter(form.get("client_id", [])), None)
        # the key store hashes the secret: off the event loop
        grant = await run_in_threadpool(client_credentials, form, basic, oauth.clients)
    except OAuthError as exc:
        if exc.error == "invalid_client":
            auth = getattr(request.app.state, "auth", None)
            refuse_client(auth.refusals if auth is not None else None, claimed, source)
        return _error(exc)
    try:
        issued = await run_in_threadpool(oauth.issuer.issue, grant)  # may read the store, sign
    except KeyUnreadable as exc:  # oauth.key_encryption_secret missing or changed
        log.error("cannot issue access tokens: %s", exc)
        raise Problem(503, "the token signing key cannot be read; see the hub's log") from None
    auth = getattr(request.app.state, "auth", None)
    await run_in_threadpool(
        record_credential_event,
        auth.audit if auth is not None else None,
        grant.principal.subject,
        TOKEN_ISSUED,
        f"key:{grant.client_id}",
        source,
        {"jti": issued.jti, "scope": issued.scope, "expires_in": issued.expires_in},
    )
    return JSONResponse(issued.response(), headers=_NO_STORE)


@router.get(
    "/.well-known/jwks.json",
    summary="The hub's token signing keys (JWK Set)",
    response_model=None,
    responses={200: {"model": JwkSet}},
)
def jwks(request: Request) -> JSONResponse:
    """Public keys of every live signing key; cacheable for the keyring's refresh period."""
    oauth = _services(request)
    max_age = int(oauth.config.key_cache_seconds)
    return JSONResponse(
        oauth.keyring.jwks(), headers={"Cache-Control": f"public, max-age={max_age}"}
    )


@router.get(
    "/.well-known/oauth-authorization-server",
    summary="RFC 8414 metadata",
    response_model=None,
    responses={200: {"model": ServerMetadata}},
)
def metadata(request: Request) -> JSONResponse:
    oauth = _services(request)
    base = str(request.base_url).rstrip("/")
    body: dict[str, Any] = {
        "issuer": oauth.config.issuer,
        "token_endpoint": f"{base}/oauth/token",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "response_types_supported": [],
        "scopes_supported": sorted(ALL_SCOPES),
    }
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=3600"})
