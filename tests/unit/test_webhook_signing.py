"""Standard Webhooks signatures: the spec's published vector, the reference package's own
verifier, rotation (several signatures), and every refusal of the inbound check."""

from __future__ import annotations

import base64
import json
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from crossdock.config.carriers import SignatureConfig
from crossdock.hub.webhook_signing import (
    InvalidWebhook,
    StandardWebhookCheck,
    decode_secret,
    new_secret,
    sign_headers,
    signature,
)

# The example of the Standard Webhooks specification (and of every reference library's tests).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_spec_test_vector() -> None:
    key = decode_secret(SPEC_SECRET)
    assert signature(key, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE
    headers = sign_headers([key], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    assert headers == {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": "1614265330",
        "webhook-signature": SPEC_SIGNATURE,
    }


def test_generated_secrets_verify_with_the_reference_package() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    assert new_secret() != secret
    body = json.dumps({"type": "purchase_order.created", "data": {"x": "é"}}).encode()
    now = int(time.time())
    headers = sign_headers([decode_secret(secret)], "msg_1", now, body)
    assert Webhook(secret).verify(body, headers) == json.loads(body)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)


def test_rotation_carries_one_signature_per_key_and_either_key_verifies() -> None:
    old, new = new_secret(), new_secret()
    now = int(time.time())
    headers = sign_headers([decode_secret(new), decode_secret(old)], "msg_2", now, b"{}")
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(b"{}", headers)
    Webhook(new).verify(b"{}", headers)


def check(*secrets: str, tolerance: float = 300.0) -> StandardWebhookCheck:
    return StandardWebhookCheck(tuple(decode_secret(s) for s in secrets), tolerance)


def test_inbound_check_accepts_the_spec_request_at_its_time() -> None:
    headers = sign_headers([decode_secret(SPEC_SECRET)], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    proved = check(SPEC_SECRET).verify(headers, SPEC_BODY, SPEC_TIMESTAMP + 10)
    assert (proved.msg_id, proved.timestamp) == (SPEC_ID, SPEC_TIMESTAMP)
    # a second, older key configured during the sender's rotation still verifies
    assert check(new_secret(), SPEC_SECRET).verify(headers, SPEC_BODY, SPEC_TIMESTAMP)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"webhook-signature": SPEC_SIGNATURE[:-4] + "AAA="}, "no webhook-signature matches"),
        ({"webhook-id": "msg_other"}, "no webhook-signature matches"),
        ({"webhook-signature": ""}, "missing header(s): webhook-signature"),
        ({"webhook-timestamp": "16142653.0"}, "not unix seconds"),
        ({"webhook-timestamp": str(SPEC_TIMESTAMP - 301)}, "stale or replayed"),
        ({"webhook-timestamp": str(SPEC_TIMESTAMP + 301)}, "stale or replayed"),
    ],
)
def test_inbound_check_refuses(change: dict[str, str], reason: str) -> None:
    headers = sign_headers([decode_secret(SPEC_SECRET)], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    with pytest.raises(InvalidWebhook, match=reason.replace("(", r"\(").replace(")", r"\)")):
        check(SPEC_SECRET).verify({**headers, **change}, SPEC_BODY, SPEC_TIMESTAMP)


def test_inbound_check_refuses_a_changed_body_and_a_wrong_key() -> None:
    headers = sign_headers([decode_secret(SPEC_SECRET)], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    with pytest.raises(InvalidWebhook):
        check(SPEC_SECRET).verify(headers, SPEC_BODY + b" ", SPEC_TIMESTAMP)
    with pytest.raises(InvalidWebhook):
        check(new_secret()).verify(headers, SPEC_BODY, SPEC_TIMESTAMP)


def test_configured_keys_are_checked_when_loaded() -> None:
    good = SignatureConfig(scheme="standard-webhooks", secret=SPEC_SECRET)  # type: ignore[arg-type]
    assert good.tolerance_seconds == 300
    for bad, why in (("not-whsec", "must start with whsec_"), ("whsec_%%%", "not base64")):
        with pytest.raises(ValueError, match=why):
            SignatureConfig(scheme="standard-webhooks", secret=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="previous_secrets is for scheme"):
        SignatureConfig(secret="x", previous_secrets=[SPEC_SECRET])  # type: ignore[arg-type, list-item]
