"""Authentication settings: which paths answer without credentials, the first operator key,
and how long a verified key is trusted from memory.

```yaml
auth:
  public_paths: [/healthz, /readyz, /openapi.json, /asyncapi.json, /docs, /redoc, /static-offline-docs/]
  key_cache_seconds: 5      # a revoked key stops working on every process within this
```

The admin key belongs in the environment (``CROSSDOCK_ADMIN_KEY`` or
``CROSSDOCK_AUTH__ADMIN_KEY``, which wins) or a secrets file (``auth__admin_key``), never in
the YAML file: at start-up it becomes an operator key with every scope.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

DEFAULT_PUBLIC_PATHS = (
    "/healthz",
    "/readyz",
    "/openapi.json",
    "/asyncapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/static-offline-docs/",
)


class AuthConfig(BaseModel):
    """Who may call the hub: every route needs credentials but the public paths."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    admin_key: SecretStr | None = Field(
        None,
        description="an operator key registered at start-up (cdk_…); a changed value revokes "
        "the previous one. Also read from CROSSDOCK_ADMIN_KEY",
    )
    public_paths: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PUBLIC_PATHS),
        description="paths answered without credentials; one ending in / covers everything "
        "under it",
    )
    key_cache_seconds: float = Field(
        5.0,
        ge=0,
        le=60,
        description="how long a verified key is trusted from memory: a key revoked elsewhere "
        "stops working on every process within this",
    )
    last_used_seconds: float = Field(
        60.0, gt=0, le=3600, description="a key's last-used time is written at most this often"
    )

    @field_validator("public_paths")
    @classmethod
    def _absolute(cls, value: list[str]) -> list[str]:
        for path in value:
            if not path.startswith("/"):
                raise ValueError(f"{path!r}: a public path starts with /")
        return value
