"""Property: canonical -> X12 text -> canonical is lossless for the mapped fields.

The X12 text is real: segments are rendered by ``crossdock.x12.writer`` inside an envelope
and read back by ``crossdock.x12.reader`` before mapping, as intake would receive them.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossdock.canonical import (
    AdvanceShipNotice,
    CanonicalDocument,
    FulfillmentOrder,
    Invoice,
    PurchaseOrder,
    PurchaseOrderAcknowledgment,
)
from crossdock.mapping.x12 import X12Mapper
from tests.unit.mapping import x12_documents as strategies
from tests.unit.mapping.x12_support import interchange, only

MAPPER = X12Mapper()
CASES: list[tuple[type[CanonicalDocument], st.SearchStrategy[dict[str, Any]]]] = [
    (PurchaseOrder, strategies.purchase_orders()),
    (PurchaseOrderAcknowledgment, strategies.acknowledgments()),
    (AdvanceShipNotice, strategies.ship_notices()),
    (Invoice, strategies.invoices()),
    (FulfillmentOrder, strategies.fulfillment_orders()),
]


def _round_trip(document: CanonicalDocument) -> CanonicalDocument:
    text = interchange(MAPPER.from_canonical(document))
    result = MAPPER.to_canonical(only(text))
    assert result.errors == (), "\n".join(str(e) for e in result.errors) + "\n" + text
    assert result.document is not None
    return result.document


@pytest.mark.parametrize(("model", "strategy"), CASES, ids=[m.__name__ for m, _ in CASES])
def test_canonical_x12_canonical_is_lossless(
    model: type[CanonicalDocument], strategy: st.SearchStrategy[dict[str, Any]]
) -> None:
    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(strategy)
    def check(data: dict[str, Any]) -> None:
        document = model.model_validate(data)
        back = _round_trip(document)
        assert type(back) is model
        assert back.model_dump() == document.model_dump()

    check()
