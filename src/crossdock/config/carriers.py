"""Carrier webhook settings: which payload shape each carrier posts, and how it signs it.

The shape is configured, never guessed from the payload: ``POST /v1/webhooks/carriers/<name>``
reads the body with ``carriers.<name>.format``. The signing secret belongs in a secrets file
(``carriers__<name>__signature__secret``) or ``CROSSDOCK_CARRIERS__<NAME>__SIGNATURE__SECRET``,
never in the YAML file.

A carrier whose webhooks do not carry a proof of delivery may declare ``pod``: where its API
serves the POD of a delivered shipment, so the hub fetches it when a webhook says "delivered"
(``crossdock.hub.pod``). Its ``url`` names the shipment with placeholders the delivered
milestone fills: ``{shipment_id}``, ``{tracking_number}`` or ``{carrier_reference}`` (the
carrier's own shipment id, EasyPost's ``shp_…``). An API key goes in ``pod.auth.secret`` from
the secrets file (``carriers__<name>__pod__auth__secret``) or the environment, like the
signature secret.
"""

from __future__ import annotations

import base64
import binascii
from string import Formatter
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from crossdock.mapping.carriers import CarrierFormat
from crossdock.mapping.carriers.pod import POD_FORMATS, PodFormat, pod_format_for

#: What a delivered milestone can fill into a POD URL.
POD_PLACEHOLDERS = ("shipment_id", "tracking_number", "carrier_reference")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SignatureConfig(_Section):
    """A shared-secret HMAC of the raw body in a header; the defaults are EasyPost's.

    EasyPost sends ``X-Hmac-Signature: hmac-sha256-hex=<hex digest>``; other carriers send
    a bare hex or base64 digest, so ``prefix`` may be empty and ``encoding`` base64.

    ``scheme: standard-webhooks`` verifies the Standard Webhooks headers instead
    (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``; standardwebhooks.com):
    ``secret`` (and, while the sender rotates, ``previous_secrets``) are ``whsec_<base64>``
    keys, a timestamp further than ``tolerance_seconds`` from now is refused, and so is a
    request seen before (same id and timestamp) within that window, across processes.
    ``header``, ``prefix``, ``algorithm`` and ``encoding`` apply to the ``hmac`` scheme only.
    """

    scheme: Literal["hmac", "standard-webhooks"] = Field(
        "hmac", description="hmac: one digest header; standard-webhooks: webhook-* headers"
    )
    secret: SecretStr
    previous_secrets: list[SecretStr] = Field(
        default_factory=list,
        description="standard-webhooks: further whsec_ keys still accepted (rotation)",
    )
    tolerance_seconds: float = Field(
        300, gt=0, description="standard-webhooks: how far webhook-timestamp may be from now"
    )
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

    @model_validator(mode="after")
    def _standard_keys(self) -> SignatureConfig:
        if self.scheme == "standard-webhooks":
            for key in [self.secret, *self.previous_secrets]:
                problem = _whsec_problem(key.get_secret_value())
                if problem is not None:
                    raise ValueError(f"standard-webhooks secret: {problem}")
        elif self.previous_secrets:
            raise ValueError("previous_secrets is for scheme: standard-webhooks")
        return self


def _whsec_problem(value: str) -> str | None:
    """Why `value` is no Standard Webhooks key (``whsec_`` + base64 of 24 to 64 bytes)."""
    if not value.startswith("whsec_"):
        return "must start with whsec_"
    try:
        key = base64.b64decode(value.removeprefix("whsec_"), validate=True)
    except (ValueError, binascii.Error):
        return "the part after whsec_ is not base64"
    return None if 24 <= len(key) <= 64 else f"the key is {len(key)} bytes (24 to 64 expected)"


class PodRetryConfig(_Section):
    """How long to keep asking for a POD: "not delivered yet" (404), 5xx and network errors
    are retried with exponential backoff; the last failure raises an ``endpoint_unavailable``
    exception with the delivered milestone as evidence (its ``retry`` action fetches again)."""

    max_attempts: int = Field(12, gt=0)
    initial_backoff_seconds: float = Field(2.0, gt=0)
    multiplier: float = Field(2.0, ge=1)
    max_backoff_seconds: float = Field(600, gt=0)
    jitter: float = Field(0.2, ge=0, le=1, description="fraction of the backoff, randomized")


class PodAuthConfig(_Section):
    """An API key sent in one header: ``<header>: <prefix><secret>``."""

    secret: SecretStr
    header: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9-]+$")] = "Authorization"
    prefix: str = Field("Bearer ", description="text before the secret in the header")

    @field_validator("secret")
    @classmethod
    def _not_empty(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value():
            raise ValueError("an empty API key would be sent as no key at all")
        return value


class PodConfig(_Section):
    """Where and how to fetch a delivered shipment's proof of delivery from the carrier API."""

    url: Annotated[str, Field(min_length=1, max_length=2000)] = Field(
        description="GET URL with {shipment_id}, {tracking_number} or {carrier_reference}"
    )
    format: PodFormat | None = Field(
        None, description="the POD response shape; default: the carrier's webhook format"
    )
    timeout_seconds: float = Field(10, gt=0, le=300)
    concurrency: int = Field(4, gt=0, le=256, description="POD requests in flight")
    retry: PodRetryConfig = Field(default_factory=PodRetryConfig)
    headers: dict[str, str] = Field(default_factory=dict, description="static, no credentials")
    auth: PodAuthConfig | None = None

    @field_validator("url")
    @classmethod
    def _url_template(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL with a host")
        try:
            names = [name for _, name, _, _ in Formatter().parse(value) if name is not None]
        except ValueError as exc:
            raise ValueError(f"bad placeholder braces: {exc}") from None
        unknown = sorted({n for n in names if n not in POD_PLACEHOLDERS})
        if unknown:
            known = ", ".join("{" + n + "}" for n in POD_PLACEHOLDERS)
            raise ValueError(f"unknown placeholder(s) {unknown}; known: {known}")
        if not names:
            raise ValueError("names no shipment: use {tracking_number}, {shipment_id} or similar")
        return value


class CarrierConfig(_Section):
    """One carrier posting tracking webhooks to the hub (and, with ``pod``, serving PODs)."""

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
    pod: PodConfig | None = Field(
        None, description="fetch the proof of delivery from the carrier API once delivered"
    )

    @model_validator(mode="after")
    def _pod_shape_known(self) -> CarrierConfig:
        if self.pod is not None and pod_format_for(self.format, self.pod.format) is None:
            raise ValueError(
                f"pod: no POD response shape for format {self.format!r}; "
                f"set pod.format to one of {', '.join(POD_FORMATS)}"
            )
        return self
