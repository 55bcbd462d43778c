"""Pure parts of the products: who is a document's party, and If-None-Match evaluation."""

from __future__ import annotations

from datetime import UTC, datetime

from crossdock.entrypoints.api.conditional import deprecation_headers, etag_of, none_match
from crossdock.hub.identity import Principal
from crossdock.hub.products.ownership import is_party, partner_of
from crossdock.hub.products.purchase_orders import BadCursor, decode_cursor, encode_cursor

SUPPLIER = {"role": "supplier", "name": "Cascade Paper Products, Inc.", "gln": "0860001000016",
            "x12": {"qualifier": "ZZ", "identifier": "CASCADEPAPER"},
            "codes": [{"scheme": "netsuite", "value": "V-10023"}]}  # fmt: skip
KNOWN = {"cascade": frozenset({"CASCADEPAPER"}), "acme": frozenset({"ACME"})}


def partner(name: str | None, kind: str = "partner") -> Principal:
    return Principal(f"partner:{name}", kind, partner=name)  # type: ignore[arg-type]


def test_a_partner_is_a_party_by_a_configured_identifier_or_its_name() -> None:
    assert is_party(partner("cascade"), SUPPLIER, KNOWN)
    assert not is_party(partner("acme"), SUPPLIER, KNOWN)
    assert is_party(partner("v-10023"), SUPPLIER, {})  # its own name is one of the party's codes
    assert not is_party(partner(None), SUPPLIER, KNOWN)
    assert not is_party(partner("cascade"), None, KNOWN)
    assert is_party(Principal("operator:x", "operator"), SUPPLIER, KNOWN)
    assert partner_of(SUPPLIER, KNOWN) == "cascade" and partner_of({"name": "x"}, KNOWN) is None


def test_if_none_match_uses_the_weak_comparison() -> None:
    tag = etag_of(b"body")
    assert none_match(tag, tag) and none_match(f"W/{tag}", tag) and none_match("*", tag)
    assert none_match(f'"a", {tag}', tag)
    assert none_match(tag, etag_of(b"body", weak=True))
    assert not none_match('"a"', tag) and not none_match(None, tag) and not none_match("", tag)


def test_deprecation_headers_use_the_rfc_forms() -> None:
    headers = deprecation_headers(
        datetime(2026, 12, 7, tzinfo=UTC), datetime(2027, 6, 30, tzinfo=UTC), "docs/x.md"
    )
    assert headers == {
        "Deprecation": "@1796601600",
        "Sunset": "Wed, 30 Jun 2027 00:00:00 GMT",
        "Link": '<docs/x.md>; rel="deprecation"',
    }


def test_cursors_round_trip_and_refuse_forgeries() -> None:
    assert decode_cursor(encode_cursor("PO-1/ä")) == "PO-1/ä"
    for forged in ("!!", "e30", "eyJhZnRlciI6MX0"):  # junk, {}, {"after":1}
        try:
            decode_cursor(forged)
        except BadCursor:
            continue
        raise AssertionError(f"{forged} was taken")
