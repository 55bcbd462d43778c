"""Settings: what the hub listens on, where it stores, which lanes it runs, where it delivers.

Settings come from a YAML file (``./crossdock.yaml``, the file named by ``CROSSDOCK_CONFIG``,
or an explicit path), then files in ``CROSSDOCK_SECRETS_DIR`` (one file per setting, named
like ``endpoints__erp__token``), then environment variables ``CROSSDOCK_<SECTION>__<KEY>``;
later sources win (see ``crossdock.config_sources``). Every section forbids unknown
keys, so a typo is an error with a line number rather than a silently ignored setting.

Relative paths (``hub.data_dir``, folder endpoints) are relative to the working directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
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
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from crossdock.config_carriers import CarrierConfig
from crossdock.config_endpoints import (
    CircuitConfig,
    EndpointConfig,
    FolderEndpointConfig,
    HttpEndpointConfig,
    RetryConfig,
)
from crossdock.config_file import ConfigError, ConfigProblem, Loc
from crossdock.config_flows import FlowsConfig
from crossdock.config_inventory import InventoryReconciliationConfig
from crossdock.config_partners import PartnerConfig, X12IdentityConfig
from crossdock.config_references import partial_references, reference_problems
from crossdock.config_sources import read_sources
from crossdock.config_systems import SystemConfig

__all__ = [
    "CircuitConfig",
    "ConfigError",
    "ConfigProblem",
    "EndpointConfig",
    "FolderEndpointConfig",
    "HttpEndpointConfig",
    "Lane",
    "PartnerConfig",
    "RetryConfig",
    "RouteConfig",
    "Settings",
    "check_config",
    "load_settings",
]

ENV_PREFIX = "CROSSDOCK_"
ENV_NESTED_DELIMITER = "__"
DEFAULT_CONFIG_FILE = Path("crossdock.yaml")

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
    transform: Literal["canonical", "envelope", "fields", "x12", "system"] = "canonical"
    fields: dict[str, str] = Field(
        default_factory=dict, description="for transform 'fields': output name -> dotted path"
    )
    partner: str | None = Field(
        None, description="for transform 'x12': the partner whose envelope and maps to use"
    )
    map: str | None = Field(
        None, description="for transform 'system': the map rendering the system's request body"
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


class Settings(BaseSettings):
    """Everything configurable about one hub. Build it with :func:`load_settings`.

    ``Settings(...)`` takes values from its arguments only (tests: exactly what they pass);
    either way the values are validated and their cross-references checked.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        extra="forbid",
        frozen=True,
    )

    hub: HubConfig = Field(default_factory=HubConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    lanes: LanesConfig = Field(default_factory=LanesConfig)
    document_lanes: dict[str, Lane] = Field(
        default_factory=lambda: {"inventory_position": _BULK},
        description="document type -> lane; types not listed use the critical lane",
    )
    endpoints: dict[Name, EndpointConfig] = Field(default_factory=dict)
    routes: list[RouteConfig] = Field(default_factory=list)
    unrouted: list[UnroutedConfig] = Field(
        default_factory=list,
        description="document types (and sources) left unrouted on purpose: no exception",
    )
    x12: X12IdentityConfig = Field(default_factory=X12IdentityConfig)
    partners: dict[Name, PartnerConfig] = Field(default_factory=dict)
    carriers: dict[Name, CarrierConfig] = Field(default_factory=dict)
    flows: FlowsConfig = Field(default_factory=FlowsConfig)
    systems: dict[Name, SystemConfig] = Field(default_factory=dict)
    inventory_reconciliation: InventoryReconciliationConfig = Field(
        default_factory=InventoryReconciliationConfig
    )

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL: ``store.url``, or the SQLite file in ``hub.data_dir``."""
        if self.store.url is not None:
            return self.store.url.get_secret_value()
        return f"sqlite:///{(self.hub.data_dir / 'crossdock.db').as_posix()}"

    def lane_for(self, document_type: str) -> Lane:
        """The lane that processes a document type when a route does not say otherwise."""
        return self.document_lanes.get(document_type, "critical")

    def lane_for_route(self, route: RouteConfig) -> Lane:
        """The lane a route's deliveries run in: its own, else its document type's."""
        return route.lane or self.lane_for(route.when.document_type)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the arguments: :func:`load_settings` reads and merges the real sources itself.

        That keeps ``Settings(...)`` in tests independent of the developer's environment, and
        lets :func:`load_settings` read an environment other than ``os.environ``.
        """
        return (init_settings,)

    @model_validator(mode="after")
    def _check_references(self) -> Settings:
        """Reject dangling names, as errors located at the setting that names them."""
        problems = reference_problems(self)
        if problems:
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("reference", "{problem}", {"problem": text}),
                        loc=loc,
                        input=None,
                    )
                    for loc, text in problems
                ],
            )
        return self


def load_settings(path: Path | None = None, *, env: Mapping[str, str] | None = None) -> Settings:
    """Load the settings from a YAML file, secrets files and the environment.

    Args:
        path: The YAML file. Default: ``$CROSSDOCK_CONFIG``, else ``./crossdock.yaml`` if it
            exists, else no file (defaults, secrets and environment only).
        env: The environment to read instead of ``os.environ`` (for tests and tools).

    Returns:
        Validated settings whose cross-references all resolve.

    Raises:
        ConfigError: Every problem found, each with its file, line and column, or the
            environment variable or secrets file that caused it.
    """
    environ = dict(os.environ if env is None else env)
    data, sources = read_sources(Settings, _config_path(path, environ), environ)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = sources.validation_problems(exc, data)
        if not any(e["type"] == "reference" for e in exc.errors()):
            # The fields did not all validate, so the cross-reference checks did not run:
            # run them over what did, so one run reports every problem.
            problems += [
                sources.problem(loc, text)
                for loc, text in reference_problems(partial_references(data))
            ]
        raise ConfigError(list(dict.fromkeys(problems))) from exc


def _config_path(path: Path | None, environ: Mapping[str, str]) -> Path | None:
    """The file to read: `path`, else ``$CROSSDOCK_CONFIG``, else ``./crossdock.yaml``."""
    if path is not None:
        return path
    named = next((v for k, v in environ.items() if k.upper() == f"{ENV_PREFIX}CONFIG"), "")
    default = DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None
    return Path(named) if named else default


def locate_problems(
    path: Path | None, items: Sequence[tuple[Loc, str]], *, env: Mapping[str, str] | None = None
) -> list[ConfigProblem]:
    """(setting path, message) pairs found on valid settings (e.g. warnings), located like
    the errors: file, line and column, or the variable or secrets file that set them."""
    environ = dict(os.environ if env is None else env)
    _, sources = read_sources(Settings, _config_path(path, environ), environ)
    return [sources.problem(loc, text) for loc, text in items]


def check_config(path: Path | None = None) -> list[ConfigProblem]:
    """Every problem with a configuration (empty when it is fine), for ``config check``."""
    try:
        load_settings(path)
    except ConfigError as exc:
        return exc.problems
    return []
