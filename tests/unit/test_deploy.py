"""deploy/: the compose file, the image and the systemd units, checked offline against the
real CLI (every command and option parses) and the real settings (every CROSSDOCK_* variable
is one the hub accepts: it refuses unknown ones). `systemd-analyze verify` runs when present;
`docker compose config` needs a compose plugin this machine lacks, hence the parsing here.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from crossdock.config import load_settings
from crossdock.entrypoints.cli import app
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
CLI = typer.main.get_command(app)
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[?-][^}]*)?\}")


def parses(args: list[str]) -> str:
    """The subcommand `args` name, once click accepted every option (nothing runs)."""
    command: Any = CLI
    rest = list(args)
    while rest and rest[0] in getattr(command, "commands", {}):
        command = command.commands[rest.pop(0)]
    assert command is not CLI, args
    command.make_context(args[0], rest)  # raises on an unknown option or a bad value
    return args[0]


def settings_from_env(env: dict[str, str]) -> None:
    """Load the settings these variables make (raises ConfigError on any unknown one)."""
    names = {k: v for k, v in env.items() if k.startswith("CROSSDOCK_") and k != "CROSSDOCK_CONFIG"}
    load_settings(DEPLOY / "crossdock.yaml", env=names)


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / "compose.yaml").read_text()))


def interpolated(value: str) -> str:
    return INTERPOLATION.sub("secret", value)


def test_compose_runs_postgres_a_migration_one_api_and_two_workers() -> None:
    services = compose()["services"]
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:16"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert parses(services["migrate"]["command"]) == "db"
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert parses(services["api"]["command"]) == "api"
    assert parses(services["worker"]["command"]) == "worker"
    assert services["worker"]["deploy"]["replicas"] == 2
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert "pgdata" in compose()["volumes"]


@pytest.mark.parametrize("service", ["migrate", "api", "worker"])
def test_compose_services_configure_a_valid_hub_on_postgresql(service: str) -> None:
    spec = compose()["services"][service]
    env = {k: interpolated(str(v)) for k, v in spec["environment"].items()}
    assert env["CROSSDOCK_STORE__URL"].startswith("postgresql+psycopg://")
    assert env["CROSSDOCK_CONFIG"] == "/etc/crossdock/crossdock.yaml"
    assert "./crossdock.yaml:/etc/crossdock/crossdock.yaml:ro" in spec["volumes"]
    settings_from_env(env)
    assert spec["build"]["dockerfile"] == "deploy/Dockerfile"


def test_the_env_example_names_only_real_settings() -> None:
    env = {}
    for line in (DEPLOY / "crossdock.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    assert "CROSSDOCK_STORE__URL" in env
    settings_from_env(env)


def test_the_image_is_built_from_the_lock_file_with_uv() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    assert "COPY pyproject.toml uv.lock" in text
    assert text.count("uv sync --locked --no-dev") == 2 and "--no-editable" in text
    assert 'ENTRYPOINT ["crossdock"]' in text
    assert "USER crossdock" in text
    ignored = [
        line
        for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert ignored[0] == "*" and "!uv.lock" in ignored and "!src/" in ignored


def unit(name: str) -> dict[str, list[str]]:
    """A unit file's keys (a key may repeat: EnvironmentFile=, Environment=)."""
    keys: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            keys.setdefault(key, []).append(value)
    return keys


@pytest.mark.parametrize(
    ("name", "command"),
    [("crossdock-api.service", "api"), ("crossdock-worker@.service", "worker"),
     ("crossdock-up.service", "up")],
)  # fmt: skip
def test_units_run_the_real_commands_as_a_dedicated_user(name: str, command: str) -> None:
    keys = unit(name)
    [start] = keys["ExecStart"]
    argv = shlex.split(start.replace("$WORKER_ARGS", "--lane bulk --group deliver."))
    assert argv[0] == "/opt/crossdock/.venv/bin/crossdock"
    assert parses(argv[1:]) == command
    assert keys["User"] == ["crossdock"] and keys["Restart"] == ["on-failure"]
    assert any(f.lstrip("-").startswith("/etc/crossdock/") for f in keys["EnvironmentFile"])
    env = dict(e.split("=", 1) for e in keys["Environment"])
    assert env["CROSSDOCK_CONFIG"] == "/etc/crossdock/crossdock.yaml"
    settings_from_env(env)
    sysusers = (UNITS / "crossdock.sysusers.conf").read_text()
    assert "u crossdock " in sysusers


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    """`systemd-analyze verify`, with ExecStart pointed at this checkout's crossdock (it
    checks the executable exists)."""
    crossdock = Path(shutil.which("crossdock") or ROOT / ".venv/bin/crossdock")
    for source in UNITS.glob("*.service"):
        name = source.name.replace("@.", "@1.")
        text = source.read_text().replace("/opt/crossdock/.venv/bin/crossdock", str(crossdock))
        (tmp_path / name).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.glob("*.service"))],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_the_deploy_config_is_valid() -> None:
    load_settings(DEPLOY / "crossdock.yaml", env={})
