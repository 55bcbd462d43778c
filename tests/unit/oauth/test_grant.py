"""The client credentials grant (RFC 6749 §4.4) decided without HTTP: errors per §5.2."""

from __future__ import annotations

import pytest

from crossdock.hub.identity import INVENTORY_READ, PURCHASE_ORDERS_READ
from crossdock.hub.oauth import OAuthError, client_credentials
from tests.unit.oauth.fakes import ACME, FakeClients


@pytest.fixture
def clients() -> FakeClients:
    return FakeClients()


def _error(
    form: dict[str, list[str]], basic: tuple[str, str] | None, clients: FakeClients
) -> OAuthError:
    with pytest.raises(OAuthError) as caught:
        client_credentials(form, basic, clients)
    return caught.value


def test_basic_or_form_credentials_grant_every_scope_the_client_holds(clients: FakeClients) -> None:
    secret = clients.add("k1", ACME)
    by_basic = client_credentials({"grant_type": ["client_credentials"]}, ("k1", secret), clients)
    by_form = client_credentials(
        {"grant_type": ["client_credentials"], "client_id": ["k1"], "client_secret": [secret]},
        None,
        clients,
    )
    assert by_basic == by_form
    assert by_basic.principal == ACME and by_basic.client_id == "k1"
    assert by_basic.scopes == ACME.scopes


def test_a_requested_subset_narrows_the_token(clients: FakeClients) -> None:
    secret = clients.add("k1", ACME)
    grant = client_credentials(
        {"grant_type": ["client_credentials"], "scope": [INVENTORY_READ]}, ("k1", secret), clients
    )
    assert grant.scopes == {INVENTORY_READ}


@pytest.mark.parametrize("scope", ["admin", f"{PURCHASE_ORDERS_READ} operations", "   "])
def test_a_scope_the_client_does_not_hold_is_invalid_scope(
    clients: FakeClients, scope: str
) -> None:
    secret = clients.add("k1", ACME)
    error = _error(
        {"grant_type": ["client_credentials"], "scope": [scope]}, ("k1", secret), clients
    )
    assert (error.error, error.status) == ("invalid_scope", 400)


@pytest.mark.parametrize("grant_type", ["password", "authorization_code", "refresh_token"])
def test_another_grant_type_is_unsupported(clients: FakeClients, grant_type: str) -> None:
    secret = clients.add("k1", ACME)
    error = _error({"grant_type": [grant_type]}, ("k1", secret), clients)
    assert (error.error, error.status) == ("unsupported_grant_type", 400)


def test_missing_or_repeated_parameters_are_invalid_request(clients: FakeClients) -> None:
    secret = clients.add("k1", ACME)
    assert _error({}, ("k1", secret), clients).error == "invalid_request"
    repeated = {"grant_type": ["client_credentials"], "scope": [INVENTORY_READ, "admin"]}
    assert _error(repeated, ("k1", secret), clients).error == "invalid_request"
    both = {"grant_type": ["client_credentials"], "client_id": ["k1"], "client_secret": [secret]}
    assert _error(both, ("k1", secret), clients).error == "invalid_request"


@pytest.mark.parametrize(
    ("form", "basic"),
    [
        ({}, None),  # no credentials at all
        ({"client_id": ["k1"]}, None),  # no secret
        ({}, ("k1", "cdk_k1_wrong")),  # wrong secret
        ({}, ("k2", "cdk_k1_s3cr3t-k1")),  # the right secret under another id
        ({}, ("nobody", "cdk_nobody_x")),  # unknown client
    ],
)
def test_missing_or_wrong_client_credentials_are_invalid_client_401(
    clients: FakeClients, form: dict[str, list[str]], basic: tuple[str, str] | None
) -> None:
    clients.add("k1", ACME)
    error = _error({"grant_type": ["client_credentials"], **form}, basic, clients)
    assert (error.error, error.status) == ("invalid_client", 401)


def test_a_revoked_client_gets_no_new_token(clients: FakeClients) -> None:
    secret = clients.add("k1", ACME)
    client_credentials({"grant_type": ["client_credentials"]}, ("k1", secret), clients)
    clients.revoke("k1")
    error = _error({"grant_type": ["client_credentials"]}, ("k1", secret), clients)
    assert error.error == "invalid_client"
