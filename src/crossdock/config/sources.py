"""Merging the sources of settings, and blaming the right one when a value is wrong.

Settings come from the YAML file, then a secrets directory (``$CROSSDOCK_SECRETS_DIR``, one
file per setting named like ``endpoints__erp__token``: the Docker and Kubernetes secrets
layout), then ``CROSSDOCK_*`` environment variables; later sources win. pydantic-settings
parses the variables and secrets files; this module remembers which variable or file set
which setting, so a problem names ``CROSSDOCK_HUB__PORT`` rather than a line of a file that
does not contain the bad value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NestedSecretsSettingsSource,
    SecretsSettingsSource,
    SettingsError,
)

from crossdock.config.file import (
    ConfigError,
    ConfigProblem,
    Loc,
    YamlDocument,
    format_path,
    located,
    read_yaml,
)

# Variables that choose where settings come from rather than being settings themselves.
_META_VARIABLES = frozenset({"config", "secrets_dir", "database_url", "admin_key"})
#: ``CROSSDOCK_DATABASE_URL``, the conventional name, sets ``store.url`` (as
#: ``CROSSDOCK_STORE__URL`` does, which wins when both are set).
_DATABASE_URL = "database_url"
#: ``CROSSDOCK_ADMIN_KEY``, the issue's name, sets ``auth.admin_key`` (``CROSSDOCK_AUTH__ADMIN_KEY``
#: wins when both are set).
_ADMIN_KEY = "admin_key"


@dataclass(frozen=True)
class SourceMap:
    """Where each setting came from: the YAML file, an environment variable or a secrets file.

    Attributes:
        document: The YAML file (possibly empty).
        env_vars: Setting path (lowercase keys) -> the environment variable that set it.
        secret_files: Setting path (lowercase keys) -> the secrets file that set it.
    """

    document: YamlDocument = field(default_factory=YamlDocument)
    env_vars: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    secret_files: Mapping[tuple[str, ...], str] = field(default_factory=dict)

    def problem(self, path: Loc, message: str, *, at_key: bool = False) -> ConfigProblem:
        """A problem with the setting at ``path``, located in the source that set it.

        Args:
            path: Keys and indexes from the top of the settings.
            message: What is wrong.
            at_key: Point at the key rather than its value (for an unknown key).
        """
        text = format_path(path)
        if variable := self._origin(self.env_vars, path):
            return ConfigProblem(text, message, env_var=variable)
        if secret := self._origin(self.secret_files, path):
            return ConfigProblem(text, message, file=secret)
        mark = self.document.mark(path, at_key=at_key)
        return located(ConfigProblem(text, message), mark, self.document.file)

    def validation_problems(self, error: ValidationError, data: Any) -> list[ConfigProblem]:
        """pydantic's errors for ``data`` as located problems, without repeats.

        Repeats happen because pydantic reports one error per member of a union.
        """
        return list(dict.fromkeys(self._translate(details, data) for details in error.errors()))

    def _translate(self, error: ErrorDetails, data: Any) -> ConfigProblem:
        """One pydantic error, with the path as written and the message a person needs."""
        kind = error["type"]
        if kind == "reference":  # ours (crossdock.config): its loc is exact, maybe a default
            path: Loc = tuple(error["loc"])
        else:
            path = _input_path(error["loc"], data, missing=kind == "missing")
        message = error["msg"].removeprefix("Value error, ")
        if kind == "extra_forbidden" and path:
            message = f"unknown key {path[-1]!r}"
        elif kind == "missing":
            message = "required"
        elif kind == "union_tag_not_found":
            message = "'type' is required (http or folder)"
        elif kind == "union_tag_invalid":
            path, message = (*path, "type"), "type must be 'http' or 'folder'"
        on_key = kind in {"extra_forbidden", "union_tag_not_found"} or "[key]" in error["loc"]
        return self.problem(path, message, at_key=on_key)

    def _origin(self, origins: Mapping[tuple[str, ...], str], path: Loc) -> str | None:
        """The variable or file that set ``path`` or a value enclosing it, if any.

        Also blames one that set something *below* a path the YAML file does not have:
        ``CROSSDOCK_ENDPOINTS__FTP__TOKEN`` alone makes an endpoint ``ftp`` with no type.
        """
        key = tuple(str(part).lower() for part in path)
        for length in range(len(key), 0, -1):
            if key[:length] in origins:
                return origins[key[:length]]
        if self.document.has(path):
            return None
        return next((name for p, name in origins.items() if p[: len(key)] == key), None)


def read_sources(
    settings_cls: type[BaseSettings], path: Path | None, environ: Mapping[str, str]
) -> tuple[dict[str, Any], SourceMap]:
    """Read and merge every source of settings: environment over secrets over the file.

    Args:
        settings_cls: The settings model; its ``env_prefix`` and ``env_nested_delimiter``
            name the variables (``CROSSDOCK_HUB__PORT``) and secrets files (``hub__port``).
        path: The YAML file, or None for none.
        environ: The environment variables.

    Returns:
        The merged raw data, ready for validation, and where each part of it came from.

    Raises:
        ConfigError: A source cannot be read, or a ``CROSSDOCK_`` variable names no setting.
    """
    prefix = str(settings_cls.model_config.get("env_prefix", ""))
    delimiter = str(settings_cls.model_config.get("env_nested_delimiter", "__"))
    document = read_yaml(path) if path is not None else YamlDocument()
    variables = {  # lowercase setting name ("hub__port") -> variable as written
        name[len(prefix) :].lower(): name for name in environ if name.upper().startswith(prefix)
    }
    unknown = [
        ConfigProblem("", "no such setting", env_var=variable)
        for name, variable in sorted(variables.items())
        if name.split(delimiter)[0] not in {*settings_cls.model_fields, *_META_VARIABLES}
    ]
    if unknown:  # a typo in a variable name would otherwise be silently ignored
        raise ConfigError(unknown)
    try:
        env_data = _MappingEnvSource(settings_cls, environ)()
    except SettingsError as exc:  # only complex values (JSON) can fail to parse
        match = re.search(r'field "(\w+)"', str(exc))
        name = match.group(1) if match else ""
        problem = ConfigProblem(name, "not valid JSON", env_var=variables.get(name.lower()))
        raise ConfigError([problem]) from exc
    database_variable = variables.get(_DATABASE_URL)
    store_env = env_data.get("store")
    if database_variable is not None and not (
        isinstance(store_env, Mapping) and "url" in store_env
    ):
        env_data = {**env_data, "store": {**(store_env or {}), "url": environ[database_variable]}}
        variables["store__url"] = database_variable  # a bad value is blamed on this variable
    admin_variable = variables.get(_ADMIN_KEY)
    auth_env = env_data.get("auth")
    if admin_variable is not None and not (
        isinstance(auth_env, Mapping) and "admin_key" in auth_env
    ):
        env_data = {**env_data, "auth": {**(auth_env or {}), "admin_key": environ[admin_variable]}}
        variables["auth__admin_key"] = admin_variable
    secrets_variable = variables.get("secrets_dir", "")
    secrets_dir = environ.get(secrets_variable)
    try:
        secret_data = _read_secrets(settings_cls, secrets_dir) if secrets_dir else {}
    except (SettingsError, OSError) as exc:
        raise ConfigError([ConfigProblem("", str(exc), env_var=secrets_variable)]) from exc
    secret_files = {}
    if secrets_dir:
        secret_files = {p.name.lower(): str(p) for p in Path(secrets_dir).iterdir() if p.is_file()}
    sources = SourceMap(
        document,
        env_vars={tuple(name.split(delimiter)): var for name, var in variables.items()},
        secret_files={tuple(name.split(delimiter)): f for name, f in secret_files.items()},
    )
    # Settings(**data) needs string keys; a stray `1:` then reports as an unknown key.
    file_data = {str(key): value for key, value in document.data.items()}
    return _deep_merge(_deep_merge(file_data, secret_data), env_data), sources


class _MappingEnvSource(EnvSettingsSource):
    """pydantic-settings' parsing of variables, over a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        """Names are case-insensitive, as pydantic-settings treats ``os.environ``."""
        return {name.lower(): value for name, value in self._environ.items()}


def _read_secrets(settings_cls: type[BaseSettings], secrets_dir: str) -> dict[str, Any]:
    """Settings from files named like the variables, without the ``CROSSDOCK_`` prefix."""
    return NestedSecretsSettingsSource(
        SecretsSettingsSource(settings_cls),
        secrets_dir=secrets_dir,
        secrets_prefix="",
        secrets_dir_missing="error",
    )()


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` on top, merging nested mappings key by key."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _input_path(loc: Iterable[int | str], data: Any, *, missing: bool) -> Loc:
    """The part of a pydantic ``loc`` that is written in the input.

    pydantic also puts union tags (``http``), validator names and ``[key]`` in ``loc``;
    those are not in the file. A missing setting keeps its own name at the end.
    """
    parts = list(loc)
    path: list[str | int] = []
    for index, part in enumerate(parts):
        in_list = isinstance(data, list) and isinstance(part, int) and part < len(data)
        if in_list or (isinstance(data, Mapping) and part in data):
            data = data[part]
        elif not (missing and index == len(parts) - 1):
            continue
        path.append(part)
    return tuple(path)
