"""Schema versions: stock_movement v2 (putaway, order line) read from stored v1 documents
through its upcaster, and handed to a receiver pinned to v1 through its downcaster — on the
real routing path (`Router.plan`) and the flows' event reader (`message_event`)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from tests.unit.flows.helpers import example

from crossdock.canonical.inventory import StockMovement, downcast_v2_to_v1, upcast_v1_to_v2
from crossdock.canonical.versions import VersionError, convert, current_version, upcast
from crossdock.hub.flows.advance import message_event
from crossdock.hub.records import MessageSummary, StoredMessage
from crossdock.hub.routing import Route, Router

NOW = datetime(2026, 12, 7, tzinfo=UTC)


def putaway() -> dict[str, Any]:
    doc = copy.deepcopy(example("stock_movement"))
    doc.update(movement_type="putaway", po_number="PO-1", po_line_number=2)
    del doc["from_location"]
    return doc


def stored(doc: dict[str, Any], version: int) -> StoredMessage:
    summary = MessageSummary("01M" + "0" * 23, "stock_movement", "wms", "http", "DC-ATL/X",
                             "accepted", NOW)  # fmt: skip
    return StoredMessage(summary, version, None, None, "application/json", b"", "0" * 64,
                         "bulk", orjson.dumps(doc), [])  # fmt: skip


def test_stock_movement_is_version_2() -> None:
    assert StockMovement.schema_version == 2 == current_version("stock_movement")


def test_a_stored_v1_movement_reads_as_v2_unchanged() -> None:
    v1 = example("stock_movement")
    assert upcast("stock_movement", copy.deepcopy(v1), 1) == v1
    assert upcast_v1_to_v2(copy.deepcopy(v1)) == v1
    StockMovement.model_validate(upcast("stock_movement", v1, 1))


def test_a_putaway_downcast_to_v1_is_the_transfer_it_is_physically() -> None:
    v1 = convert("stock_movement", putaway(), 2, 1)
    assert v1["movement_type"] == "transfer"
    assert v1["from_location"] == "RECEIVING" and v1["to_location"] == "A-14-02-C"
    assert v1["reason_code"] == "PUTAWAY"
    assert "po_number" not in v1 and "po_line_number" not in v1
    moved = StockMovement.model_validate(v1)  # what a v1 reader gets is a valid movement
    assert moved.on_hand_delta == 0  # a put-away never changed the on-hand: neither does this


def test_a_v1_movement_round_trips_through_v2_and_back() -> None:
    v1 = example("stock_movement")
    assert convert("stock_movement", convert("stock_movement", v1, 1, 2), 2, 1) == v1
    assert downcast_v2_to_v1(copy.deepcopy(v1)) == v1


def test_a_version_with_no_step_is_an_error_never_a_silent_pass() -> None:
    with pytest.raises(VersionError, match="no downcaster"):
        convert("purchase_order", example("purchase_order"), 2, 1)
    with pytest.raises(VersionError, match="no upcaster"):
        convert("stock_movement", putaway(), 2, 3)


def test_a_route_pinned_to_v1_receives_v1_others_the_current_version() -> None:
    routes = [
        Route("wms-v1", "stock_movement", "old-erp", transform="envelope", schema_version=1),
        Route("wms-now", "stock_movement", "new-erp", transform="envelope"),
    ]
    planned = Router(routes).plan(stored(putaway(), 2), replay=0)
    bodies = {d.route: orjson.loads(d.body) for d in planned}
    assert bodies["wms-v1"]["schema_version"] == 1
    assert bodies["wms-v1"]["document"]["movement_type"] == "transfer"
    assert bodies["wms-now"]["schema_version"] == 2
    assert bodies["wms-now"]["document"]["movement_type"] == "putaway"


def test_a_stored_v1_message_is_delivered_and_read_by_flows_as_v2() -> None:
    v1 = example("stock_movement")
    [delivery] = Router([Route("r", "stock_movement", "e", transform="envelope")]).plan(
        stored(v1, 1), replay=0
    )
    assert orjson.loads(delivery.body)["schema_version"] == 2
    event = message_event("m", "stock_movement", "wms", orjson.dumps(v1), NOW, NOW,
                          schema_version=1)  # fmt: skip
    assert event.canonical == v1


def test_a_pin_to_a_version_that_cannot_be_delivered_is_a_config_error() -> None:
    from pydantic import ValidationError

    from crossdock.config import Settings

    def pinned(kind: str, version: int) -> Settings:
        return Settings(
            endpoints={"erp": {"type": "folder", "path": "/tmp/x"}},
            routes=[{"name": "r", "when": {"document_type": kind},
                     "deliver": {"endpoint": "erp", "schema_version": version}}],
        )  # fmt: skip

    assert pinned("stock_movement", 1).routes[0].deliver.schema_version == 1
    assert pinned("purchase_order", 1).routes[0].deliver.schema_version == 1
    with pytest.raises(ValidationError, match="stock_movement has no schema version 3"):
        pinned("stock_movement", 3)
    with pytest.raises(ValidationError, match=r"greater than or equal"):
        pinned("stock_movement", 0)
