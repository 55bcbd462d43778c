"""The X12 writer: segment formatting, envelopes, validation, and read(write(x)) round trips."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossdock.x12 import reader
from crossdock.x12.model import Delimiters, Segment
from crossdock.x12.writer import (
    EnvelopeSettings,
    Repeated,
    TransactionBody,
    format_segment,
    write_interchange,
)

WHEN = datetime(2024, 1, 2, 13, 45)
SETTINGS = EnvelopeSettings(
    sender_qualifier="ZZ",
    sender_id="CROSSDOCK",
    receiver_qualifier="01",
    receiver_id="123456789",
    gs_sender="CROSSDOCK",
    gs_receiver="PARTNER",
)
D = Delimiters()


def body(code: str = "850", *tags: str) -> TransactionBody:
    return TransactionBody(code, [Segment(tag, ["1", "A"]) for tag in tags or ("BEG",)])


def write(settings: EnvelopeSettings = SETTINGS, **kwargs: object) -> str:
    groups = kwargs.pop("groups", [("PO", "004010", [body()])])
    return write_interchange(
        settings,
        groups,  # type: ignore[arg-type]
        interchange_control=kwargs.pop("interchange_control", 12),  # type: ignore[arg-type]
        group_controls=kwargs.pop("group_controls", [7]),  # type: ignore[arg-type]
        transaction_controls=kwargs.pop("transaction_controls", [[1]]),  # type: ignore[arg-type]
        when=WHEN,
    )


def test_format_segment_trims_and_joins() -> None:
    assert format_segment("N1", ["ST", "", "", ""], D) == "N1*ST~\n"
    assert format_segment("SV1", [["HC", "99213", ""], "40"], D) == "SV1*HC:99213*40~\n"
    assert format_segment("REF", ["ZZ", Repeated(["A", "B"])], D) == "REF*ZZ*A^B~\n"
    assert format_segment("CTT", [], Delimiters(suffix="")) == "CTT~"


def test_format_segment_rejects_delimiters_in_values() -> None:
    with pytest.raises(ValueError, match=r"N102.*'\*'"):
        format_segment("N1", ["ST", "ACME*CORP"], D)
    with pytest.raises(ValueError, match="N102-2"):
        format_segment("N1", ["ST", ["A", "B~"]], D)
    with pytest.raises(ValueError, match="repetition separator"):
        format_segment("REF", [Repeated(["A"])], Delimiters(repetition=None))


def test_write_interchange_exact_text() -> None:
    text = write(
        groups=[("PO", "004010", [body("850", "BEG", "PO1"), body("850")])],
        transaction_controls=[[1, 2]],
    )
    lines = text.splitlines()
    assert (
        lines[0]
        == "ISA*00*          *00*          *ZZ*CROSSDOCK      *01*123456789      *240102*1345*U*00401*000000012*0*P*:~"
    )
    assert len(lines[0]) == 106
    assert lines[1:] == [
        "GS*PO*CROSSDOCK*PARTNER*20240102*1345*7*X*004010~",
        "ST*850*0001~",
        "BEG*1*A~",
        "PO1*1*A~",
        "SE*4*0001~",
        "ST*850*0002~",
        "BEG*1*A~",
        "SE*3*0002~",
        "GE*2*7~",
        "IEA*1*000000012~",
    ]
    parsed = reader.parse(text)
    assert parsed.all_issues() == []
    assert [t.control_number for t in parsed[0].transactions] == ["0001", "0002"]


def test_5010_uses_the_repetition_separator_in_isa11_and_st03() -> None:
    settings = EnvelopeSettings("ZZ", "A", "ZZ", "B", "AA", "BB", version="00501")
    implementation = TransactionBody("850", [Segment("BEG", ["00"])], "005010X999")
    text = write(settings, groups=[("PO", "005010", [implementation])])
    assert text.split("*")[11] == "^"
    assert "ST*850*0001*005010X999~" in text
    parsed = reader.parse(text)
    assert parsed[0].header.delimiters.repetition == "^"
    assert parsed[0].transactions[0].implementation == "005010X999"


def test_caret_is_data_before_00402() -> None:
    caret = TransactionBody("850", [Segment("MSG", ["A^B"])])
    text = write(groups=[("PO", "004010", [caret])])
    assert reader.parse(text)[0].transactions[0].segments[1].elements == ["A^B"]
    with pytest.raises(ValueError, match="MSG01"):
        settings = EnvelopeSettings("ZZ", "A", "ZZ", "B", "AA", "BB", version="00501")
        write(settings, groups=[("PO", "005010", [caret])])


def test_multiple_groups_and_counts() -> None:
    groups = [("PO", "004010", [body(), body()]), ("IN", "004010", [body("810")])]
    text = write(groups=groups, group_controls=[1, 2], transaction_controls=[[1, 2], [3]])
    parsed = reader.parse(text)
    assert [[t.code for t in g.transactions] for g in parsed[0].groups] == [["850", "850"], ["810"]]
    assert parsed.all_issues() == []
    assert text.endswith("IEA*2*000000012~\n")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sender_id": "X" * 16}, "ISA06"),
        ({"receiver_qualifier": "1"}, "ISA07"),
        ({"gs_receiver": ""}, "GS03"),
        ({"usage": "X"}, "ISA15"),
        ({"ack_requested": "2"}, "ISA14"),
        ({"version": "4010"}, "ISA12"),
        ({"delimiters": Delimiters(element="~", segment="~")}, "collide"),
        ({"delimiters": Delimiters(component="A")}, "component separator"),
        ({"delimiters": Delimiters(repetition=None), "version": "00501"}, "repetition"),
        ({"sender_id": "A*B"}, "ISA06"),
    ],
)
def test_invalid_settings(change: dict[str, object], message: str) -> None:
    fields = {name: getattr(SETTINGS, name) for name in SETTINGS.__dataclass_fields__}
    settings = EnvelopeSettings(**{**fields, **change})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        write(settings)


def test_invalid_control_numbers() -> None:
    with pytest.raises(ValueError, match="ISA13"):
        write(interchange_control=0)
    with pytest.raises(ValueError, match="one group control"):
        write(group_controls=[])
    with pytest.raises(ValueError, match="one transaction control"):
        write(transaction_controls=[[1, 2]])


def test_value_with_a_delimiter_names_the_segment() -> None:
    bad = TransactionBody("850", [Segment("N1", ["ST", "A~B"])])
    with pytest.raises(ValueError, match="N102"):
        write(groups=[("PO", "004010", [bad])])


# -- round trip -------------------------------------------------------------------------------

SPECIALS = "!\"&'()*+,-./:;?=%@[]_{}\\|<>~#$^`"
EXTENDED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 " + SPECIALS


@st.composite
def delimiters(draw: st.DrawFn) -> Delimiters:
    chosen = draw(st.lists(st.sampled_from(SPECIALS), min_size=4, max_size=4, unique=True))
    suffix = draw(st.sampled_from(["", "\n", "\r\n"]))
    return Delimiters(chosen[0], chosen[1], chosen[2], chosen[3], suffix)


@st.composite
def interchange_case(draw: st.DrawFn) -> tuple[Delimiters, list[list[Segment]], str]:
    d = draw(delimiters())
    version = draw(st.sampled_from(["00401", "00501"]))
    allowed = "".join(
        c for c in EXTENDED if c not in (d.element, d.component, d.repetition, d.segment)
    )
    value = st.text(alphabet=allowed, max_size=8)
    tag = st.from_regex(r"[A-Z][A-Z0-9]{1,2}", fullmatch=True).filter(
        lambda t: t not in {"ISA", "IEA", "GS", "GE", "ST", "SE"}
    )
    segment = st.builds(Segment, tag, st.lists(value, min_size=1, max_size=6))
    transactions = draw(st.lists(st.lists(segment, max_size=6), min_size=1, max_size=3))
    return d, transactions, version


def _trimmed(elements: list[str]) -> list[str]:
    out = list(elements)
    while out and not out[-1]:
        out.pop()
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interchange_case())
def test_read_write_round_trip(case: tuple[Delimiters, list[list[Segment]], str]) -> None:
    d, transactions, version = case
    settings_ = EnvelopeSettings(
        "ZZ", "SENDER", "ZZ", "RECEIVER", "SND", "RCV", version=version, delimiters=d
    )
    if version < "00402":
        settings_ = EnvelopeSettings(
            "ZZ",
            "SENDER",
            "ZZ",
            "RECEIVER",
            "SND",
            "RCV",
            version=version,
            delimiters=Delimiters(d.element, d.component, None, d.segment, d.suffix),
        )
    bodies = [TransactionBody("850", segments) for segments in transactions]
    text = write_interchange(
        settings_,
        [("PO", version + "0", bodies)],
        interchange_control=1,
        group_controls=[1],
        transaction_controls=[list(range(1, len(bodies) + 1))],
        when=WHEN,
    )
    parsed = reader.parse(text, lenient=False)
    assert parsed.all_issues() == []
    read_back = parsed[0].transactions
    assert len(read_back) == len(bodies)
    for original, got in zip(bodies, read_back, strict=True):
        assert [(s.tag, s.elements) for s in got.segments[1:-1]] == [
            (s.tag, _trimmed(s.elements)) for s in original.segments
        ]
    assert parsed[0].header.delimiters == settings_.delimiters
