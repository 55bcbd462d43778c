"""Who may subscribe what (hub/webhook_subscriptions on a real SQLite store): a partner's URL
may not point the hub into its own network; operators are trusted with it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crossdock.hub.identity import Principal
from crossdock.hub.webhook_subscriptions import (
    InvalidSubscription,
    NewSubscription,
    SubscriptionRefused,
    create,
    private_host,
)
from tests.conftest import SqlStore

PARTNER = Principal("partner:cascade", "partner", partner="cascade", partner_role="supplier")
OPERATOR = Principal("operator:ops", "operator")
NOW = datetime(2026, 12, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://api.localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.9/hook",
        "http://169.254.169.254/latest/meta-data",  # a cloud's metadata service
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_a_partner_cannot_point_the_hub_into_its_network(store: SqlStore, url: str) -> None:
    with store.uow() as uow, pytest.raises(InvalidSubscription, match="private or loopback"):
        create(uow, PARTNER, NewSubscription(url, ["invoice.approved"]), NOW)
    with (
        store.uow() as uow
    ):  # an operator may (an internal system), and so may a hub that allows it
        create(uow, OPERATOR, NewSubscription(url, ["invoice.approved"]), NOW)
    with store.uow() as uow:
        create(uow, PARTNER, NewSubscription(url, ["invoice.approved"]), NOW, private_urls=True)


def test_public_urls_and_the_partner_rules() -> None:
    assert not private_host("partner.example.com") and not private_host("8.8.8.8")
    assert private_host("LOCALHOST.") and private_host("[::ffff:127.0.0.1]")


def test_a_partner_subscribes_for_itself_only(store: SqlStore) -> None:
    new = NewSubscription("https://p.example/h", ["invoice.approved"], partner="acme")
    with store.uow() as uow, pytest.raises(SubscriptionRefused):
        create(uow, PARTNER, new, NOW)
    with store.uow() as uow:
        sub, _ = create(uow, OPERATOR, new, NOW)  # on acme's behalf
    assert sub.partner == "acme" and sub.created_by == "operator:ops"
    nobody = Principal("system:erp", "system")
    with store.uow() as uow, pytest.raises(SubscriptionRefused):
        create(uow, nobody, NewSubscription("https://p.example/h", ["invoice.approved"]), NOW)
