"""``carriers.<name>.pod``: the POD pull's URL template, shape, retry and API key, checked with
the line of each mistake, and turned into the hub's POD sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.bootstrap.pod import build_pod_sources
from crossdock.config import ConfigError, load_settings
from crossdock.mapping.carriers.pod import PodContext

YAML = """
carriers:
  parcelwave:
    format: easypost
    pod:
      url: http://127.0.0.1:9203/v2/shipments/{carrier_reference}/pod
      timeout_seconds: 3
      retry: {max_attempts: 5, initial_backoff_seconds: 0.5}
      auth: {header: X-Api-Key, prefix: ""}
  ridgeline:
    format: flat_214
    pod: {url: "http://127.0.0.1:9204/api/bookings/{tracking_number}/pod"}
  fedex: {format: track_v1}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "crossdock.yaml"
    path.write_text(text)
    return path


def test_pod_sources_from_the_settings(tmp_path: Path) -> None:
    env = {"CROSSDOCK_CARRIERS__PARCELWAVE__POD__AUTH__SECRET": "k3y"}
    settings = load_settings(write(tmp_path, YAML), env=env)
    pod = settings.carriers["parcelwave"].pod
    assert pod is not None and pod.retry.max_attempts == 5 and pod.timeout_seconds == 3
    assert "k3y" not in repr(settings)
    sources = build_pod_sources(settings)
    assert sorted(sources) == ["parcelwave", "ridgeline"]  # fedex has no POD API
    parcel, ridge = sources["parcelwave"], sources["ridgeline"]
    assert parcel.headers == {"X-Api-Key": "k3y"} and ridge.headers == {}
    assert (parcel.retry.max_attempts, parcel.retry.initial_backoff, parcel.timeout) == (5, 0.5, 3)
    url = parcel.url_for({"carrier_reference": "shp_a/b", "shipment_id": "PW1"})
    assert url == "http://127.0.0.1:9203/v2/shipments/shp_a%2Fb/pod"
    with pytest.raises(KeyError):
        ridge.url_for({"shipment_id": "S-1"})  # no tracking number to name the PRO
    body = {"pro": "RL1", "deliveredAt": "2024-11-15T09:47:00-05:00"}
    carrier = {"role": "carrier", "name": "Ridgeline"}
    assert ridge.mapper(body, PodContext("S-1", carrier, "RL1")).tracking_number == "RL1"


def test_the_sandbox_configuration_declares_both_pod_apis() -> None:
    root = Path(__file__).resolve().parents[2]
    settings = load_settings(root / "crossdock.sandbox.yaml", env={})
    assert {n for n, c in settings.carriers.items() if c.pod} == {"parcelwave", "ridgeline"}


@pytest.mark.parametrize(
    ("pod", "fragment"),
    [
        ("{url: 'ftp://x/{tracking_number}'}", "yaml:4:16: carriers.ups.pod.url: must be an http(s) URL"),
        ("{url: 'http://x/{bogus}'}", "carriers.ups.pod.url: unknown placeholder(s) ['bogus']"),
        ("{url: 'http://x/pod'}", "carriers.ups.pod.url: names no shipment"),
        ("{url: 'http://x/{tracking_number'}", "carriers.ups.pod.url: bad placeholder braces"),
        ("{url: 'http://x/{tracking_number}', timeout_seconds: 0}",
         "carriers.ups.pod.timeout_seconds: Input should be greater than 0"),
        ("{url: 'http://x/{tracking_number}', retry: {max_attempts: 0}}",
         "carriers.ups.pod.retry.max_attempts"),
        ("{url: 'http://x/{tracking_number}', format: ups_xml}", "carriers.ups.pod.format"),
        ("{url: 'http://x/{tracking_number}', colour: brown}", "unknown key 'colour'"),
        ("{url: 'http://x/{tracking_number}', auth: {secret: ''}}", "empty API key"),
    ],
)  # fmt: skip
def test_mistakes_are_located(tmp_path: Path, pod: str, fragment: str) -> None:
    text = f"carriers:\n  ups:\n    format: flat_214\n    pod: {pod}\n"
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text), env={})
    assert fragment in str(info.value)


def test_a_format_without_a_pod_shape_needs_one_named(tmp_path: Path) -> None:
    text = "carriers:\n  ups:\n    format: track_v1\n    pod: {url: 'http://x/{tracking_number}'}\n"
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text), env={})
    assert "carriers.ups: pod: no POD response shape for format 'track_v1'" in str(info.value)
    fixed = text.replace("'}", "', format: flat_214}")
    assert load_settings(write(tmp_path, fixed), env={}).carriers["ups"].pod is not None
