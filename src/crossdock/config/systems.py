"""Business system settings: which JSON API shape each system posts to the hub.

``POST /v1/inbound/<name>`` reads the body with ``systems.<name>.format`` (a map set registered
under the ``crossdock.system_maps`` entry point, ``crossdock.mapping.systems.registry``); the name is the source of every message it produces. Values
the system's events do not carry but the canonical model requires (the buyer's name, a default
currency or unit) come from the format's defaults, overridden here under ``defaults``. A signing
secret, if the system signs its requests, belongs in a secrets file
(``systems__<name>__signature__secret``), never in the YAML file.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crossdock.config.carriers import SignatureConfig
from crossdock.mapping.systems import format_names


class SystemConfig(BaseModel):
    """One business system posting its own JSON events to the hub."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: str = Field(
        description="the payload shape: a registered system format (`crossdock.system_maps` "
        "entry points), e.g. sandbox_erp, sandbox_wms, sandbox_tms, sandbox_supplier"
    )
    defaults: dict[str, str] = Field(
        default_factory=dict,
        description="map context values: buyer_name, currency, uom, vendor_scheme, country, ...",
    )
    signature: SignatureConfig | None = Field(
        None, description="verify an HMAC of each request; unsigned requests get 401"
    )

    @field_validator("format")
    @classmethod
    def _registered(cls, value: str) -> str:
        known = format_names()
        if value not in known:
            listed = ", ".join(known) or "none: no package registers crossdock.system_maps"
            raise ValueError(f"unknown system format {value!r} (registered: {listed})")
        return value
