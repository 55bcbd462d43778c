"""Business system settings: which JSON API shape each system posts to the hub.

``POST /v1/inbound/<name>`` reads the body with ``systems.<name>.format`` (a built-in map set,
``crossdock.mapping.systems``); the name is the source of every message it produces. Values
the system's events do not carry but the canonical model requires (the buyer's name, a default
currency or unit) come from the format's defaults, overridden here under ``defaults``. A signing
secret, if the system signs its requests, belongs in a secrets file
(``systems__<name>__signature__secret``), never in the YAML file.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from crossdock.config.carriers import SignatureConfig
from crossdock.mapping.systems import SystemFormatName


class SystemConfig(BaseModel):
    """One business system posting its own JSON events to the hub."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: SystemFormatName = Field(
        description="the payload shape: sandbox_erp, sandbox_wms, sandbox_tms, sandbox_supplier"
    )
    defaults: dict[str, str] = Field(
        default_factory=dict,
        description="map context values: buyer_name, currency, uom, vendor_scheme, country, ...",
    )
    signature: SignatureConfig | None = Field(
        None, description="verify an HMAC of each request; unsigned requests get 401"
    )
