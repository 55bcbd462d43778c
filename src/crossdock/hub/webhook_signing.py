"""Standard Webhooks signatures (standardwebhooks.com), both ways.

A signed request carries ``webhook-id`` (the message id: the same on every attempt, so the
receiver can drop repeats), ``webhook-timestamp`` (unix seconds of this attempt) and
``webhook-signature``: space-separated ``v1,<base64 HMAC-SHA256>`` entries, each over
``"{id}.{timestamp}.{body}"`` with one base64-decoded ``whsec_`` key. While a secret is being
rotated a request carries one signature per valid key, so a receiver holding either verifies.

Written out rather than taken from the `standardwebhooks` package: it is thirty lines of
stdlib (`hmac`, `base64`), and the tests check it against the spec's published vector and
the package's own verifier.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SECRET_PREFIX = "whsec_"
#: Bytes of a generated key: 32, as the reference libraries generate.
SECRET_BYTES = 32
#: What a receiver holds at most in `webhook-signature` before we stop reading (hostile input).
MAX_SIGNATURES = 16


def new_secret() -> str:
    """A fresh ``whsec_`` key (shown once to whoever creates the subscription)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def decode_secret(secret: str) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret; ValueError when it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"a Standard Webhooks secret starts with {SECRET_PREFIX}")
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (ValueError, binascii.Error):
        raise ValueError("the part after whsec_ is not base64") from None
    if not key:
        raise ValueError("the secret is empty")
    return key


def signature(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` entry."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def sign_headers(keys: Sequence[bytes], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers of one attempt, signed with every key in `keys` (current first)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(k, msg_id, timestamp, body) for k in keys),
    }


class InvalidWebhook(ValueError):
    """A request that does not prove it comes from the holder of the secret, or is stale;
    the message says which, without revealing anything about the secret."""


@dataclass(frozen=True, slots=True)
class VerifiedWebhook:
    """What a verified request proved: its id and the timestamp it was signed at."""

    msg_id: str
    timestamp: int


@dataclass(frozen=True, slots=True)
class StandardWebhookCheck:
    """Inbound verification for a sender that signs the Standard Webhooks way.

    `keys` are the decoded secrets accepted (the current one and any still valid during the
    sender's rotation); `tolerance` is how far (seconds) the timestamp may be from now either
    way, against replays of captured requests. The replay cache of seen ids within that
    window is the store's (`WebhookStore.claim_inbound`), claimed where the request is
    recorded, so a replay is refused across processes.
    """

    keys: tuple[bytes, ...]
    tolerance: float = 300.0
    header: str = "webhook-signature"

    def verify(self, headers: Mapping[str, str], body: bytes, now: float) -> VerifiedWebhook:
        """Check one request (`headers` with lower-case names); raises InvalidWebhook."""
        msg_id = headers.get("webhook-id", "")
        stamp = headers.get("webhook-timestamp", "")
        signed = headers.get("webhook-signature", "")
        missing = [
            name
            for name, value in (
                ("webhook-id", msg_id),
                ("webhook-timestamp", stamp),
                ("webhook-signature", signed),
            )
            if not value
        ]
        if missing:
            raise InvalidWebhook(f"missing header(s): {', '.join(missing)}")
        if len(msg_id) > 256:
            raise InvalidWebhook("webhook-id is longer than 256 characters")
        if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
            raise InvalidWebhook("webhook-timestamp is not unix seconds")
        timestamp = int(stamp)
        if abs(now - timestamp) > self.tolerance:
            raise InvalidWebhook(
                f"webhook-timestamp is {int(now - timestamp)} s from now "
                f"(tolerance {int(self.tolerance)} s): stale or replayed"
            )
        given = [s for s in signed.split(" ") if s][:MAX_SIGNATURES]
        for key in self.keys:
            expected = signature(key, msg_id, timestamp, body).encode()
            if any(hmac.compare_digest(expected, s.encode()) for s in given):
                return VerifiedWebhook(msg_id, timestamp)
        raise InvalidWebhook("no webhook-signature matches a configured secret")
