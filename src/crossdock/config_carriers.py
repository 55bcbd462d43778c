"""Carrier webhook settings: which payload shape each carrier posts, and how it signs it.

The shape is configured, never guessed from the payload: ``POST /v1/webhooks/carriers/<name>``
reads the body with ``carriers.<name>.format``. The signing secret belongs in a secrets file
(``carriers__<name>__signature__secret``) or ``CROSSDOCK_CARRIERS__<NAME>__SIGNATURE__SECRET``,
never in the YAML file.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from crossdock.mapping.carriers import CarrierFormat


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SignatureConfig(_Section):
    """A shared-secret HMAC of the raw body in a header; the defaults are EasyPost's.

    EasyPost sends ``X-Hmac-Signature: hmac-sha256-hex=<hex digest>``; other carriers send
    a bare hex or base64 digest, so ``prefix`` may be empty and ``encoding`` base64.
    """

    secret: SecretStr
    header: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9-]+$")] = "X-Hmac-Signature"
    prefix: str = Field("hmac-sha256-hex=", description="text before the digest in the header")
    algorithm: Literal["sha256", "sha512"] = "sha256"
    encoding: Literal["hex", "base64"] = "hex"

    @field_validator("secret")
    @classmethod
    def _not_empty(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value():
            raise ValueError("an empty secret would accept anyone's signature")
        return value


class CarrierConfig(_Section):
    """One carrier posting tracking webhooks to the hub."""

    format: CarrierFormat = Field(
        description="the payload shape: easypost, track_v1, flat_events, flat_214"
    )
    display_name: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        None, description="the carrier's name when its payload does not carry one"
    )
    scac: Annotated[str, Field(pattern=r"^[A-Z]{2,4}$")] | None = None
    signature: SignatureConfig | None = Field(
        None, description="verify an HMAC of each request; unsigned requests get 401"
    )
