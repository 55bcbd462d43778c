"""OAuth2 settings: the hub's own access-token issuer, and an external identity provider.

Algorithms are allow-lists of asymmetric JWS algorithms only: ``none`` and the HMAC family
cannot be configured, so a token can never be "verified" with a public key used as an HMAC
secret (the RS/HS confusion) or with no signature at all.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

#: What the hub itself signs with (one algorithm per key).
SigningAlgorithm = Literal["RS256", "ES256", "EdDSA"]
#: What an external provider's tokens may be signed with: asymmetric algorithms only.
VerifyAlgorithm = Literal[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"
]

#: Scopes an external provider may grant a partner by default (never operations or admin).
PARTNER_SCOPES = (
    "purchase-orders:read",
    "purchase-orders:acknowledge",
    "inventory:read",
    "shipments:read",
    "messages:write",
    "edi:write",
)


def _rs256() -> list[VerifyAlgorithm]:
    return ["RS256"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExternalIdpConfig(_Section):
    """Tokens of another issuer (Keycloak, Entra ID, Auth0...) accepted next to the hub's."""

    issuer: str = Field(min_length=1, description="the `iss` its tokens carry, compared exactly")
    audience: str = Field(min_length=1, description="the `aud` a token must name (this hub)")
    jwks_url: str = Field(description="where its public keys are published (http or https)")
    algorithms: list[VerifyAlgorithm] = Field(
        default_factory=_rs256,
        min_length=1,
        description="accepted JWS algorithms; asymmetric only (`none` and HS* are refused)",
    )
    partner_claim: str = Field(
        "sub",
        min_length=1,
        description="the claim whose value names the caller (client or subject)",
    )
    scope_claim: str = Field(
        "scope",
        min_length=1,
        description="the claim holding scopes: a space-separated string or a list",
    )
    partners: dict[str, str] = Field(
        default_factory=dict,
        description="value of `partner_claim` -> partner name; a token of an unmapped caller is refused",
    )
    allowed_scopes: list[str] = Field(
        default_factory=lambda: list(PARTNER_SCOPES),
        description="the only scopes taken from its tokens (the others are dropped)",
    )
    required_typ: str | None = Field(
        None, description="a `typ` header its tokens must carry (e.g. `at+jwt`); unset: any"
    )
    jwks_cache_seconds: float = Field(
        300.0, gt=0, description="how long fetched keys are used before they are fetched again"
    )
    jwks_min_refresh_seconds: float = Field(
        30.0,
        ge=0,
        description="at most one fetch per this interval, however many unknown `kid`s arrive",
    )
    jwks_timeout_seconds: float = Field(5.0, gt=0, description="timeout of one JWKS fetch")
    leeway_seconds: int = Field(
        30, ge=0, le=300, description="clock skew allowed on exp, nbf and iat"
    )

    @field_validator("jwks_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http:// or https:// URL")
        return value


class OAuthConfig(_Section):
    """`POST /oauth/token` (client credentials), the hub's signing keys and JWKS."""

    enabled: bool = Field(
        True, description="serve `/oauth/token` and accept the hub's access tokens"
    )
    issuer: str = Field(
        "urn:crossdock:hub",
        min_length=1,
        description="the `iss` of the hub's tokens; set it to the hub's public URL",
    )
    audience: str = Field(
        "urn:crossdock:api", min_length=1, description="the `aud` of the hub's tokens"
    )
    access_token_seconds: int = Field(
        300, ge=30, le=3600, description="lifetime of an access token (`expires_in`)"
    )
    signing_algorithm: SigningAlgorithm = Field(
        "RS256", description="algorithm of new signing keys: RS256, ES256 or EdDSA"
    )
    key_cache_seconds: float = Field(
        30.0,
        gt=0,
        le=300,
        description="how long a process uses the signing keys it read before reading them again",
    )
    leeway_seconds: int = Field(
        30, ge=0, le=300, description="clock skew allowed on exp, nbf and iat"
    )
    key_encryption_secret: SecretStr | None = Field(
        None,
        description="encrypts the signing keys' private halves in the store; unset: stored unencrypted",
    )
    external_idp: ExternalIdpConfig | None = Field(
        None, description="accept another issuer's tokens too"
    )
