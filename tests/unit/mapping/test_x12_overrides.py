"""Partner overrides: a config change, not code, for a partner's own habits."""

from __future__ import annotations

from typing import Any

import pytest

from crossdock.mapping.x12 import MappingConfigError, X12Mapper
from crossdock.mapping.x12.registry import X12MapRegistry
from tests.unit.mapping.x12_support import transaction_of

SN_850 = """
BEG*00*SA*PO-2001**20241104~
N1*BY*Harbor Point*UL*0614141000012~
N1*SU*Cascade Paper*92*V-10023~
N1*SN*Store 42*92*ST-0042~
N3*12 Main St~
N4*Macon*GA*31201*US~
PO1*1*5*EA*2.5**BP*SKU-1~
"""


def test_ship_to_under_another_n1_qualifier_by_config() -> None:
    transaction = transaction_of("850", SN_850)

    plain = X12Mapper().to_canonical(transaction)
    assert plain.document is None
    assert [(e.field, e.reason) for e in plain.errors] == [("ship_to", "Field required")]

    partner = X12Mapper({"850": {"parties": {"ship_to": {"qualifier": "SN"}}}})
    result = partner.to_canonical(transaction)

    assert result.errors == ()
    assert result.document is not None
    ship_to = result.document.model_dump(mode="json")["ship_to"]
    assert ship_to["name"] == "Store 42"
    assert ship_to["role"] == "ship_to"
    assert ship_to["x12"] == {"qualifier": "92", "identifier": "ST-0042"}
    assert ship_to["address"]["city"] == "Macon"


def test_override_applies_outbound_too() -> None:
    partner = X12Mapper({"850": {"parties": {"ship_to": {"qualifier": ["SN", "ST"]}}}})
    document = partner.to_canonical(transaction_of("850", SN_850)).document
    assert document is not None

    segments = partner.from_canonical(document).segments

    assert [s.elements[0] for s in segments if s.tag == "N1"] == ["BY", "SU", "SN"]


def test_code_table_default_and_timezone_overrides() -> None:
    body = SN_850.replace("BEG*00*SA", "BEG*07*SA").replace("N1*SN", "N1*ST")
    overrides = {
        "850": {
            "codes": {"purpose": {"07": "replace"}},
            "defaults": {"currency": "CAD"},
            "options": {"timezone": "-05:00"},
        }
    }

    result = X12Mapper(overrides).to_canonical(transaction_of("850", body))

    assert result.errors == ()
    dumped = result.document.model_dump(mode="json") if result.document else {}
    assert dumped["purpose"] == "replace"
    assert dumped["currency"] == "CAD"
    assert dumped["lines"][0]["unit_price"]["currency"] == "CAD"
    assert dumped["issued_at"] == "2024-11-04T00:00:00-05:00"


def test_generic_rule_patch_moves_a_field() -> None:
    """A partner sending the contract number as REF*KT instead of REF*CT."""
    body = SN_850.replace("N1*SN", "N1*ST") + "REF*KT*C-77~\n"
    body = body.replace(
        "BEG*00*SA*PO-2001**20241104~\n", "BEG*00*SA*PO-2001**20241104~\nREF*KT*C-77~\n"
    )
    overrides = {"850": {"rules": {"contract_number": {"when": {"1": "KT"}}}}}

    result = X12Mapper(overrides).to_canonical(transaction_of("850", body))

    assert result.document is not None
    assert result.document.model_dump()["contract_number"] == "C-77"


def test_added_rule_maps_a_partner_only_segment() -> None:
    """A partner puts each line's note in NTE*LIN: a new rule in the PO1 loop, by config."""
    body = SN_850.replace("N1*SN", "N1*ST") + "NTE*LIN*Fragile, top load only~\n"
    overrides = {
        "850": {
            "add": {
                "lines": [
                    {
                        "name": "line_note",
                        "tag": "NTE",
                        "when": {"1": "LIN"},
                        "elements": {"2": "note"},
                    }
                ]
            }
        }
    }
    mapper = X12Mapper(overrides)

    result = mapper.to_canonical(transaction_of("850", body))

    assert result.document is not None
    assert result.document.model_dump()["lines"][0]["note"] == "Fragile, top load only"
    written = mapper.from_canonical(result.document).segments
    assert [s.elements for s in written if s.tag == "NTE"] == [["LIN", "Fragile, top load only"]]


def test_registry_keys_by_partner_set_and_version() -> None:
    registry = X12MapRegistry({"acme": {"850": {"parties": {"ship_to": {"qualifier": "SN"}}}}})

    acme = registry.lookup("acme", "850", "004010")
    default = registry.lookup("someone-else", "850", "005010")

    assert acme is not None and default is not None
    assert acme.rules["ship_to"].when[0][1] == frozenset({"SN"})
    assert default.rules["ship_to"].when[0][1] == frozenset({"ST"})
    assert registry.lookup("acme", "997") is None
    assert registry.mapper("acme") is registry.mapper("acme")
    assert registry.partners == ["acme"]


def test_version_specific_map_wins() -> None:
    from crossdock.mapping.x12.maps import BUILTIN_MAPS

    special = {**BUILTIN_MAPS[("850", "*")], "defaults": {"currency": "EUR"}}
    mapper = X12Mapper(maps={**BUILTIN_MAPS, ("850", "005010"): special})
    body = SN_850.replace("N1*SN", "N1*ST")

    old = mapper.to_canonical(transaction_of("850", body, "004010")).document
    new = mapper.to_canonical(transaction_of("850", body, "005010")).document

    assert old is not None and new is not None
    assert old.model_dump()["currency"] == "USD"
    assert new.model_dump()["currency"] == "EUR"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"851": {}}, "unknown transaction set '851'"),
        ({"850": {"partys": {}}}, "unknown key 'partys'"),
        ({"850": {"parties": {"shipto": {"qualifier": "SN"}}}}, "no party 'shipto'"),
        ({"850": {"parties": {"ship_to": {"qualifer": "SN"}}}}, "unknown key 'qualifer'"),
        ({"850": {"parties": {"ship_to": {"qualifier": 7}}}}, "ship_to'].qualifier"),
        ({"850": {"codes": {"purpos": {"07": "replace"}}}}, "no code table 'purpos'"),
        ({"850": {"rules": {"nope": {}}}}, "no rule 'nope'"),
        ({"850": {"rules": {"BEG": {"elementz": {}}}}}, "key 'elementz' cannot be patched"),
        (
            {"850": {"rules": {"BEG": {"elements": {"3": {"path": "x", "type": "money"}}}}}},
            "unknown type 'money'",
        ),
        ({"850": {"options": {"timezone": "Mars"}}}, "options.timezone"),
        ({"850": {"options": {"tz": "UTC"}}}, "unknown key 'tz'"),
        ({"850": {"envelope": {"buyer": "isa"}}}, "unknown source 'isa'"),
        ({"850": {"hooks": ["magic"]}}, "unknown hook 'magic'"),
        ({"850": "SN"}, "expected a mapping"),
        ({"850": {"add": {"PO2": []}}}, "no loop 'PO2'"),
        (
            {"850": {"add": {"": [{"tag": "NTE", "elements": {"2": {"type": "x"}}}]}}},
            "unknown type",
        ),
    ],
)
def test_bad_overrides_fail_at_construction_naming_the_key(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(MappingConfigError, match=None) as raised:
        X12Mapper(overrides)
    assert message in str(raised.value)


def test_registry_validates_every_partner_up_front() -> None:
    with pytest.raises(MappingConfigError, match="no party 'shipto'"):
        X12MapRegistry({"acme": {"850": {"parties": {"shipto": {"qualifier": "SN"}}}}})
