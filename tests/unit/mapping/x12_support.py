"""Helpers for the X12 mapping tests: one envelope, text <-> transactions via the x12 library."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from crossdock.x12.codes import FUNCTIONAL_IDS
from crossdock.x12.model import Delimiters, Segment, Transaction
from crossdock.x12.reader import read_transactions
from crossdock.x12.writer import EnvelopeSettings, TransactionBody, write_interchange

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
CORPUS_X12 = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "x12"

# Every golden file uses this envelope, so outbound text can be compared byte for byte.
SETTINGS = EnvelopeSettings(
    sender_qualifier="ZZ",
    sender_id="CROSSDOCKTEST",
    receiver_qualifier="ZZ",
    receiver_id="PARTNERTEST",
    gs_sender="CROSSDOCKTEST",
    gs_receiver="PARTNERTEST",
    usage="T",
    # '>' as component separator: canonical free text (times, notes) is full of ':'.
    delimiters=Delimiters(element="*", component=">", repetition=None, segment="~", suffix="\n"),
)
WHEN = datetime(2024, 11, 15, 9, 30)


def interchange(body: TransactionBody, version: str = "004010") -> str:
    """``body`` in a one-group, one-set interchange with the test envelope."""
    return write_interchange(
        SETTINGS,
        [(FUNCTIONAL_IDS.get(body.code, "ZZ"), version, [body])],
        interchange_control=1,
        group_controls=[1],
        transaction_controls=[[1]],
        when=WHEN,
    )


def transactions(text: str | bytes | Path) -> list[Transaction]:
    """Every transaction set in ``text`` (content, or a path to read)."""
    source = text.read_bytes() if isinstance(text, Path) else text
    return list(read_transactions(source))


def only(text: str | bytes | Path) -> Transaction:
    """The single transaction set in ``text``."""
    found = transactions(text)
    assert len(found) == 1, f"expected one transaction set, got {len(found)}"
    return found[0]


def transaction_of(code: str, body: str, version: str = "004010") -> Transaction:
    """A transaction from body text written by hand ('BEG*00*SA*PO1**20240101~' per line),
    enveloped by the writer and read back by the reader, as intake would see it."""
    segments = []
    for line in body.strip().splitlines():
        tag, *elements = line.strip().rstrip("~").split("*")
        segments.append(Segment(tag, elements))
    return only(interchange(TransactionBody(code, segments), version))
