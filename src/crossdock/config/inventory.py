"""Inventory reconciliation settings: pull ERP and WMS positions on a schedule and compare them.

```yaml
inventory_reconciliation:
  enabled: true
  every_seconds: 300          # how often both systems are pulled and compared
  grace_seconds: 600          # drift younger than this raises no exception yet
  confirm_runs: 2             # ... nor drift seen in fewer consecutive runs
  in_flight_seconds: 300      # a movement this young, not yet in the ERP, is in flight
  sites: [DC-ATL]             # empty: every site either system lists
  compare: [on_hand]          # add `available` when both systems state it
  erp: {url: http://127.0.0.1:9200/api/inventory, map: sandbox_erp.inventory_positions}
  wms: {url: http://127.0.0.1:9201/wms/v1/inventory, map: sandbox_wms.inventory_positions}
```

Off by default: a hub that only routes documents pulls nothing. Map names are checked here,
at the setting that names them, so `config check` reports a typo with its line.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SecretStr,
    model_validator,
)


def _position_map(name: str) -> str:
    """The map must exist and produce ``inventory_position`` (like route maps in
    `config.references`, with the likeliest intended name)."""
    from crossdock.mapping.systems.positions import POSITION_TYPE, position_maps

    maps = position_maps()
    found = maps.get(name)
    if found is None:
        close = difflib.get_close_matches(name, list(maps), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(maps))}"
        raise ValueError(f"unknown position map {name!r} ({hint})")
    if found.document_type != POSITION_TYPE:
        raise ValueError(f"map {name!r} makes {found.document_type}, not {POSITION_TYPE}")
    return name


PositionMapName = Annotated[str, AfterValidator(_position_map)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PositionSourceConfig(_Section):
    """Where one system lists its positions, and the map that reads the listing."""

    url: HttpUrl
    map: PositionMapName
    timeout: float = Field(10, gt=0, description="seconds for the whole GET")
    source: str | None = Field(
        None,
        description="the message source the pulled positions are recorded under "
        "(default: the side, erp or wms); for wms also the source of its stock movements",
    )
    token: SecretStr | None = Field(None, description="sent as a bearer token")


Quantity = Literal["on_hand", "available"]


class InventoryReconciliationConfig(_Section):
    """The ``inventory_reconciliation:`` section."""

    enabled: bool = False
    every_seconds: float = Field(300, gt=0, le=7 * 86400)
    grace_seconds: float = Field(600, ge=0, le=30 * 86400)
    confirm_runs: int = Field(2, ge=1, le=100, description="consecutive runs before raising")
    in_flight_seconds: float = Field(
        300,
        ge=0,
        le=7 * 86400,
        description="a stock movement received this recently and not yet delivered to the ERP "
        "makes its item's difference 'in flight', not drift (0: never)",
    )
    sites: list[str] = Field(default_factory=list, description="empty: every site listed")
    compare: list[Quantity] = Field(
        default_factory=lambda: list[Quantity](["on_hand"]), min_length=1
    )
    tolerance: Decimal = Field(Decimal(0), ge=0, description="absolute difference allowed")
    lag_window_hours: float = Field(24, gt=0, le=24 * 90, description="sync lag statistics")
    owner_role: str = Field("inventory_control", min_length=1)
    erp: PositionSourceConfig | None = None
    wms: PositionSourceConfig | None = None

    @model_validator(mode="after")
    def _sources_when_enabled(self) -> InventoryReconciliationConfig:
        if self.enabled:
            missing = [side for side in ("erp", "wms") if getattr(self, side) is None]
            if missing:
                raise ValueError(f"enabled reconciliation needs {' and '.join(missing)}")
        return self

    def source_name(self, side: Literal["erp", "wms"]) -> str:
        config = self.erp if side == "erp" else self.wms
        return (config.source if config is not None else None) or side
