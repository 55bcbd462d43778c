"""The hub's X12 intake takes 820, 832 and 852 as mapped sets: recorded as their canonical
documents with their keys and accepted in the 997, even for a partner that rejects sets
without a map (before these maps, each was refused as not supported)."""

from __future__ import annotations

import pytest

from crossdock.hub.records import MessageFilter
from tests.conftest import ROOT, SqlStore
from tests.unit.edi.test_unknown_sets import partner, receive

GOLDEN = ROOT / "tests" / "fixtures" / "x12" / "finance"
CASES = {
    "820": ("remittance_advice", "HP-EFT-20241202-0042"),
    "832": ("price_catalog", "0860001000016/CP-2025-Q1"),
    "852": ("product_activity", "0856412000011/2024-11-17..2024-11-23"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_set_is_recorded_as_its_document_and_accepted(store: SqlStore, code: str) -> None:
    document_type, key = CASES[code]

    data = (GOLDEN / f"{code}.edi").read_bytes()
    [interchange] = receive(store, data, [partner("reject")]).interchanges

    [message] = interchange.messages
    assert (message.status, message.correlation_key) == ("accepted", key)
    assert interchange.ack is not None
    assert f"AK2*{code}*0001~\nAK5*A~" in interchange.ack.text
    with store.uow() as uow:
        [row] = uow.messages.find(MessageFilter(document_type=document_type), 10, 0)
        assert uow.messages.find(MessageFilter(document_type="x12_transaction"), 10, 0) == []
    assert row.id == message.message_id
