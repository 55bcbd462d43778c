"""The ``carriers`` settings: format per carrier, signature secret from secrets or env."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from crossdock.bootstrap import build_carriers
from crossdock.config import ConfigError, load_settings

YAML = """
carriers:
  easypost:
    format: easypost
    signature: {header: X-Hmac-Signature}
  fedex:
    format: track_v1
    display_name: FedEx Ground
    scac: FDEG
  northline: {format: flat_events}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "crossdock.yaml"
    path.write_text(text)
    return path


def test_carriers_with_a_secret_from_the_secrets_dir(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "carriers__easypost__signature__secret").write_text("wh-s3cret")
    settings = load_settings(write(tmp_path, YAML), env={"CROSSDOCK_SECRETS_DIR": str(secrets)})
    assert {n: c.format for n, c in settings.carriers.items()} == {
        "easypost": "easypost",
        "fedex": "track_v1",
        "northline": "flat_events",
    }
    signature = settings.carriers["easypost"].signature
    assert signature is not None and signature.secret.get_secret_value() == "wh-s3cret"
    assert "wh-s3cret" not in repr(settings)
    channels = build_carriers(settings)
    check = channels["easypost"].signature
    assert check is not None and channels["fedex"].signature is None
    expected = hmac.new(b"wh-s3cret", b"{}", hashlib.sha256).hexdigest()
    assert check.sign(b"{}") == f"hmac-sha256-hex={expected}"
    assert channels["fedex"].context.scac == "FDEG"
    assert channels["fedex"].context.display_name == "FedEx Ground"


def test_the_secret_may_come_from_the_environment(tmp_path: Path) -> None:
    env = {"CROSSDOCK_CARRIERS__EASYPOST__SIGNATURE__SECRET": "from-env"}
    settings = load_settings(write(tmp_path, YAML), env=env)
    signature = settings.carriers["easypost"].signature
    assert signature is not None and signature.secret.get_secret_value() == "from-env"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("carriers: {ups: {format: ups_xml}}", "carriers.ups.format"),
        ("carriers: {ups: {format: track_v1, scac: ups}}", "carriers.ups.scac"),
        ("carriers: {ups: {format: track_v1, signature: {secret: ''}}}", "empty secret"),
        ("carriers: {ups: {format: track_v1, colour: brown}}", "unknown key 'colour'"),
        ("carriers: {UPS: {format: track_v1}}", "lowercase"),
        (YAML, "carriers.easypost.signature.secret"),  # a signature without its secret
    ],
)
def test_mistakes_are_located(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text), env={})
    assert fragment in str(info.value)
