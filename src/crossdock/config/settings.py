"""Settings: what the hub listens on, where it stores, which lanes it runs, where it delivers.

Settings come from a YAML file (``./crossdock.yaml``, the file named by ``CROSSDOCK_CONFIG``,
or an explicit path), then files in ``CROSSDOCK_SECRETS_DIR`` (one file per setting, named
like ``endpoints__erp__token``), then environment variables ``CROSSDOCK_<SECTION>__<KEY>``;
later sources win (see ``crossdock.config.sources``). Every section forbids unknown
keys, so a typo is an error with a line number rather than a silently ignored setting.

Relative paths (``hub.data_dir``, folder endpoints) are relative to the working directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import (
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from crossdock.config.alerts import AlertsConfig
from crossdock.config.auth import AuthConfig
from crossdock.config.carriers import CarrierConfig
from crossdock.config.endpoints import (
    EndpointConfig,
)
from crossdock.config.file import ConfigError, ConfigProblem, Loc
from crossdock.config.flows import FlowsConfig
from crossdock.config.inventory import InventoryReconciliationConfig
from crossdock.config.oauth import OAuthConfig
from crossdock.config.onboarding import OnboardingConfig
from crossdock.config.partners import PartnerConfig, X12IdentityConfig
from crossdock.config.references import References, partial_references, reference_problems
from crossdock.config.retention import RetentionConfig
from crossdock.config.sections import (
    _BULK,
    HubConfig,
    Lane,
    LanesConfig,
    Name,
    RouteConfig,
    StoreConfig,
    TracingConfig,
    UnroutedConfig,
)
from crossdock.config.sources import read_sources
from crossdock.config.systems import SystemConfig
from crossdock.config.throttle import ThrottleConfig
from crossdock.config.webhooks import WebhooksConfig

ENV_PREFIX = "CROSSDOCK_"
ENV_NESTED_DELIMITER = "__"
DEFAULT_CONFIG_FILE = Path("crossdock.yaml")


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
    auth: AuthConfig = Field(default_factory=AuthConfig)
    webhooks: WebhooksConfig = Field(default_factory=WebhooksConfig)
    oauth: OAuthConfig = Field(default_factory=OAuthConfig)
    throttle: ThrottleConfig = Field(default_factory=ThrottleConfig)
    onboarding: OnboardingConfig = Field(default_factory=OnboardingConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    tracing: TracingConfig = Field(default_factory=TracingConfig)

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
        problems = reference_problems(
            References(
                document_lanes=list(self.document_lanes),
                endpoints=list(self.endpoints),
                routes=list(enumerate(self.routes)),
                partners=self.partners,
                partner_names=list(self.partners),
                supplier_routes=list(self.flows.procure_to_pay.supplier_routes or []),
            )
        )
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
