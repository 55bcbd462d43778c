"""Credentials for the demos: the operator's admin key and one API key per sandbox system.

The hub runs with authentication on, as in production; the demo gives it an admin key
(``CROSSDOCK_ADMIN_KEY`` from the environment, else a fresh one) and issues each sandbox
system its own key in the store before the hub starts: the ERP, WMS and TMS as systems, the
carriers as carriers, the supplier portal as the partner ``supplier`` — so what the hub records
is attributed to who sent it, exactly as with real systems.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from crossdock.hub.credentials import Client, new_key
from crossdock.hub.identity import EDI_WRITE, MESSAGES_WRITE

SANDBOX_CLIENTS: dict[str, tuple[Client, tuple[str, ...]]] = {
    "erp": (Client("system", "erp"), (MESSAGES_WRITE,)),
    "wms": (Client("system", "wms"), (MESSAGES_WRITE,)),
    "tms": (Client("system", "tms"), (MESSAGES_WRITE,)),
    "parcelwave": (Client("carrier", "parcelwave"), (MESSAGES_WRITE,)),
    "ridgeline": (Client("carrier", "ridgeline"), (MESSAGES_WRITE,)),
    "supplier": (Client("partner", "supplier", "supplier"), (MESSAGES_WRITE, EDI_WRITE)),
}


def demo_admin_key(environ: Mapping[str, str] | None = None) -> str:
    """The operator key the demo hub starts with: the environment's, else a fresh one."""
    env = os.environ if environ is None else environ
    return env.get("CROSSDOCK_ADMIN_KEY") or env.get("CROSSDOCK_AUTH__ADMIN_KEY") or new_key()


def issue_sandbox_keys(database_url: str) -> dict[str, str]:
    """A key per sandbox system, issued into the (new) store; service name -> key."""
    from crossdock.bootstrap.auth import key_service  # the store, only when the demo runs
    from crossdock.bootstrap.store import make_engine

    engine = make_engine(database_url)
    try:
        keys = key_service(engine)
        return {
            name: keys.issue(client, scopes, label="sandbox").token
            for name, (client, scopes) in SANDBOX_CLIENTS.items()
        }
    finally:
        engine.dispose()


def curl_hint(hub_url: str, admin_key: str) -> str:
    return f'curl -H "Authorization: Bearer {admin_key}" {hub_url}/v1/flows'
