"""The ``system`` route transform: a canonical document becomes a system's request body through
the route's map, a bad route fails `config check`, and the HTTP endpoint fills the document's
key into URLs that name it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from crossdock.adapters.endpoints.http import HttpEndpoint
from crossdock.bootstrap import build_routes
from crossdock.config import Settings, check_config
from crossdock.hub.ports import OutboundRequest
from crossdock.hub.routing import Router
from crossdock.hub.system_transform import SystemEncoder
from tests.conftest import EXAMPLES, SqlStore
from tests.unit.test_routing import stored

ROOT = Path(__file__).resolve().parents[2]
PO = (EXAMPLES / "purchase_order.json").read_bytes()


def settings(**deliver: Any) -> dict[str, Any]:
    return {
        "endpoints": {"portal": {"type": "http", "url": "http://127.0.0.1:9/portal/api/orders"}},
        "routes": [
            {
                "name": "po-to-portal",
                "when": {"document_type": "purchase_order"},
                "deliver": {"endpoint": "portal", **deliver},
            }
        ],
    }


def router(**deliver: Any) -> Router:
    routes = build_routes(Settings(**settings(**deliver)))
    return Router(routes, {"system": SystemEncoder()})


def test_a_route_renders_the_systems_body_with_its_map(store: SqlStore) -> None:
    r = router(transform="system", map="sandbox_supplier.order")
    message = replace(stored(), canonical=PO)
    (delivery,) = r.plan(message, replay=0)
    assert delivery.content_type == "application/json"
    with store.uow() as uow:
        body = orjson.loads(r._finishers[delivery.id](uow, delivery))
    assert body["poNumber"] == "HP-PO-2024-018734"
    assert body["supplierId"] == "V-10023"
    assert body["lines"][0] == {
        "lineNumber": 1, "partNumber": "CP-MF250W", "buyerPartNumber": "HP-100231",
        "description": "Multifold paper towel, white, 16 x 250 sheets", "quantity": 120,
        "unitOfMeasure": "CS", "price": "24.85"}  # fmt: skip


def test_a_document_the_map_cannot_render_fails_that_message_alone() -> None:
    r = router(transform="system", map="sandbox_supplier.order")
    with pytest.raises(ValueError, match="needs lines"):
        r.plan(replace(stored(), canonical=b'{"po_number": "PO-1"}'), replay=0)


@pytest.mark.parametrize(
    ("deliver", "problem"),
    [
        ({"transform": "system"}, "transform 'system' needs deliver.map"),
        ({"transform": "system", "map": "nope"}, "unknown map 'nope'"),
        ({"transform": "system", "map": "sandbox_erp.confirmation"}, "renders purchase_order_ack"),
        ({"map": "sandbox_supplier.order"}, "map is only used with transform 'system'"),
    ],
)
def test_config_check_names_a_bad_system_route(
    tmp_path: Path, deliver: dict[str, Any], problem: str
) -> None:
    path = tmp_path / "crossdock.yaml"
    path.write_text(yaml.safe_dump(settings(**deliver)))
    problems = check_config(path)
    assert any(problem in p.message for p in problems), problems


def test_the_sandbox_sample_configuration_is_valid() -> None:
    assert check_config(ROOT / "crossdock.sandbox.yaml") == []


def test_the_http_endpoint_fills_the_documents_key_into_its_url() -> None:
    config = Settings(
        endpoints={
            "erp": {
                "type": "http",
                "url": "http://127.0.0.1:9/api/purchase-orders/{correlation_key}/confirmations",
            }
        }
    )
    endpoint = HttpEndpoint(name="erp", url=str(config.endpoints["erp"].url))
    request = OutboundRequest(
        delivery_id="d", message_id="m", idempotency_key="k", correlation_key="PO 7/A",
        content_type="application/json", body=b"{}", headers={},
    )  # fmt: skip
    assert endpoint.url_for(request) == (
        "http://127.0.0.1:9/api/purchase-orders/PO%207%2FA/confirmations"
    )
    plain = HttpEndpoint(name="wms", url="http://127.0.0.1:9/wms/v1/expected-receipts")
    assert plain.url_for(request) == "http://127.0.0.1:9/wms/v1/expected-receipts"
