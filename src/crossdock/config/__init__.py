"""The hub's settings, one module per concern.

``settings`` holds `Settings` and the loading functions; ``sections`` the hub, store, lane and
route sections; ``partners``, ``carriers``, ``systems``, ``flows``, ``inventory`` and
``endpoints`` their own sections; ``file`` and ``sources`` read YAML, secrets and the
environment; ``references`` checks names across sections. Imports run one way: sections
never import `settings`, so there is no cycle.
"""

from __future__ import annotations

from crossdock.config.file import ConfigError, ConfigProblem
from crossdock.config.partners import PartnerConfig
from crossdock.config.sections import (
    CircuitConfig,
    EndpointConfig,
    FolderEndpointConfig,
    HttpEndpointConfig,
    Lane,
    RetryConfig,
    RouteConfig,
)
from crossdock.config.settings import (
    DEFAULT_CONFIG_FILE,
    ENV_NESTED_DELIMITER,
    ENV_PREFIX,
    Settings,
    check_config,
    load_settings,
    locate_problems,
)

__all__ = [
    "DEFAULT_CONFIG_FILE",
    "ENV_NESTED_DELIMITER",
    "ENV_PREFIX",
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
    "locate_problems",
]
