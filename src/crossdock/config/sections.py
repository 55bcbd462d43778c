"""The settings' sections: hub, store, lanes, routes. Leaves of the settings package: they import
no other settings module, so the cross-reference checks (`references`) can import them without a
cycle back to `Settings`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    SecretStr,
)

from crossdock.config.endpoints import (
    CircuitConfig,
    EndpointConfig,
    FolderEndpointConfig,
    HttpEndpointConfig,
    RetryConfig,
)

__all__ = [
    "CircuitConfig",
    "EndpointConfig",
    "FolderEndpointConfig",
    "HttpEndpointConfig",
    "RetryConfig",
]

Lane = Literal["critical", "bulk"]
_BULK: Lane = "bulk"
_NAME = re.compile(r"[a-z0-9_-]+")


def _check_name(value: str) -> str:
    """Names appear in URLs, metrics labels and env variable names, so keep them plain."""
    if not _NAME.fullmatch(value):
        raise ValueError(f"{value!r}: use lowercase letters, digits, '-' and '_'")
    return value


Name = Annotated[str, AfterValidator(_check_name)]


class _Section(BaseModel):
    """Base of every section: unknown keys are errors and loaded settings never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class HubConfig(_Section):
    """The HTTP intake: where it listens, where it keeps its data, what it accepts."""

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    data_dir: Path = Path("var")
    max_body_bytes: int = Field(
        1_048_576,
        gt=0,
        description="one document on any channel (a message, a batch line, a system's event, a"
        " carrier webhook): larger ones get 413",
    )
    max_batch_documents: int = Field(5000, gt=0, le=1_000_000)
    max_batch_bytes: int | None = Field(
        None, gt=0, description="one NDJSON batch; unset: 64 x max_body_bytes"
    )
    max_header_bytes: int = Field(
        65_536, ge=1024, description="request line and headers together: more gets 431"
    )
    max_header_line_bytes: int = Field(
        16_384, ge=256, description="one header (name and value) or the request target"
    )
    max_headers: int = Field(100, ge=8, description="header fields in one request")
    prepare_workers: int | None = Field(
        None,
        ge=0,
        le=64,
        description="processes that validate NDJSON batches; unset: one per core (none on one"
        " core), 0: validate in the hub process",
    )
    max_edi_bytes: int = Field(
        256 * 1_048_576, gt=0, description="larger X12 bodies on /v1/edi get 413"
    )
    max_edi_findings_per_set: int = Field(
        100,
        ge=1,
        description="X12 errors listed per transaction set (and 997/999); the rest are counted",
    )
    max_edi_findings_per_interchange: int = Field(
        1000, ge=1, description="X12 errors listed in one interchange's 997/999 in all"
    )
    max_edi_segments_per_set: int = Field(
        500_000, ge=10, description="larger X12 transaction sets are rejected (raw text kept)"
    )
    folder_poll_seconds: float = Field(0.5, gt=0, description="how often drop folders are read")
    job_lease_seconds: float = Field(
        30.0,
        gt=0,
        description="how long a process holds a cluster-wide job's lease without renewing it",
    )


class TracingConfig(_Section):
    """Traces (OpenTelemetry): trace context always flows; spans are exported only to an
    OTLP endpoint named here."""

    otlp_endpoint: str | None = Field(
        None,
        pattern=r"^https?://[^\s]+$",
        description="OTLP/HTTP traces URL (e.g. http://collector:4318/v1/traces); unset: no"
        " spans are recorded or exported",
    )
    service_name: str = Field(
        "crossdock", min_length=1, max_length=128, description="the spans' service.name"
    )
    sample_ratio: float = Field(
        1.0,
        ge=0.0,
        le=1.0,
        description="share of new traces recorded; a caller's sampled flag decides for its own",
    )
    otlp_timeout_seconds: float = Field(
        10.0, gt=0, le=300, description="one export request's timeout"
    )


class StoreConfig(_Section):
    """The message store; the URL is secret because it usually carries a password."""

    url: SecretStr | None = None
    writers: int | None = Field(
        None,
        ge=1,
        le=64,
        description="PostgreSQL: units of work run at once per process (unset: 8); "
        "SQLite always writes from one thread",
    )
    notify: bool = Field(
        True,
        description="PostgreSQL: wake other hub processes with LISTEN/NOTIFY after a commit "
        "(off behind a pooler in transaction mode, which drops LISTEN: polling alone then)",
    )


class LaneConfig(_Section):
    """A worker pool. Defaults suit the critical lane: many workers, small batches, eager polls."""

    workers: int = Field(4, gt=0)
    batch_size: int = Field(100, gt=0)
    poll_interval_ms: int = Field(20, gt=0)


class BulkLaneConfig(LaneConfig):
    """The bulk lane's own defaults, so ``bulk: {workers: 2}`` keeps bulk-sized batches."""

    workers: int = Field(1, gt=0)
    batch_size: int = Field(200, gt=0)
    poll_interval_ms: int = Field(200, gt=0)


class LanesConfig(_Section):
    """Exactly two lanes, so large inventory snapshots never delay purchase orders."""

    critical: LaneConfig = Field(default_factory=LaneConfig)
    bulk: BulkLaneConfig = Field(default_factory=BulkLaneConfig)


def _as_list(value: Any) -> Any:
    """Let ``source: erp`` stand for ``source: [erp]``."""
    return [value] if isinstance(value, str) else value


class RouteCondition(_Section):
    """Which messages a route takes: all conditions must hold."""

    document_type: str
    source: Annotated[list[str], BeforeValidator(_as_list)] = Field(
        default_factory=list, description="any of these senders; empty means any sender"
    )
    where: dict[str, JsonValue] = Field(
        default_factory=dict, description="dotted path in the canonical JSON -> required value"
    )


class DeliverConfig(_Section):
    """Where a route sends its messages and in which shape."""

    endpoint: str
    transform: Literal["canonical", "envelope", "fields", "x12", "system", "csv"] = "canonical"
    fields: dict[str, str] = Field(
        default_factory=dict, description="for transform 'fields': output name -> dotted path"
    )
    partner: str | None = Field(
        None,
        description="for transform 'x12' or 'csv': the partner whose envelope and maps to use",
    )
    map: str | None = Field(
        None, description="for transform 'system': the map rendering the system's request body"
    )
    schema_version: int | None = Field(
        None,
        ge=1,
        description="pin the receiver to this document schema version (older documents are "
        "downcast for it); default: the current version",
    )


class RouteConfig(_Section):
    """One rule turning matching messages into deliveries to one endpoint."""

    name: Name
    when: RouteCondition
    deliver: DeliverConfig
    lane: Lane | None = Field(None, description="default: the document type's lane")


class UnroutedConfig(_Section):
    """Messages no route takes on purpose: `unrouted` without a `routing` exception."""

    document_type: str
    source: Annotated[list[str], BeforeValidator(_as_list)] = Field(
        default_factory=list, description="these senders only; empty means any sender"
    )
    reason: str | None = Field(None, description="why nobody needs them (for the next reader)")
