"""The `oauth` settings: secrets from the environment, algorithm allow-lists that cannot
name `none` or an HMAC algorithm."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crossdock.config import ConfigError, load_settings

IDP = {
    "issuer": "https://idp.example",
    "audience": "crossdock",
    "jwks_url": "https://idp.example/jwks",
}


def _load(tmp_path: Path, oauth: dict[str, object], **env: str) -> object:
    path = tmp_path / "crossdock.yaml"
    path.write_text(yaml.safe_dump({"oauth": oauth}))
    return load_settings(path, env=env)


def test_defaults_and_the_secret_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(None, env={"CROSSDOCK_OAUTH__KEY_ENCRYPTION_SECRET": "s3cret"})
    oauth = settings.oauth
    assert (oauth.access_token_seconds, oauth.signing_algorithm) == (300, "RS256")
    assert oauth.external_idp is None
    assert oauth.key_encryption_secret is not None
    assert oauth.key_encryption_secret.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize("alg", ["none", "HS256", "HS512"])
def test_an_external_idp_cannot_allow_none_or_hmac(tmp_path: Path, alg: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, {"external_idp": {**IDP, "algorithms": ["RS256", alg]}})
    assert "oauth.external_idp.algorithms" in str(caught.value.problems[0])


def test_the_hub_cannot_sign_with_hmac_and_the_jwks_url_must_be_http(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(
            tmp_path,
            {
                "signing_algorithm": "HS256",
                "external_idp": {**IDP, "jwks_url": "file:///etc/passwd"},
            },
        )
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "oauth.signing_algorithm" in text and "oauth.external_idp.jwks_url" in text
