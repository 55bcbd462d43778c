"""Build Transactions from compact X12 text for validator tests ('~' ends segments, '*' elements)."""

from __future__ import annotations

from crossdock.x12.model import Delimiters, GroupHeader, InterchangeHeader, Segment, Transaction


def transaction(text: str, *, version: str = "004010", component: str = ">") -> Transaction:
    """A Transaction holding the ST..SE segments of ``text`` (ST = position 1)."""
    raw = [part.strip() for part in text.strip().split("~") if part.strip()]
    segments = [
        Segment(fields[0], fields[1:], position)
        for position, fields in enumerate((part.split("*") for part in raw), start=1)
    ]
    delimiters = Delimiters(component=component)
    interchange = InterchangeHeader(
        "00", "", "00", "", "ZZ", "SENDER", "ZZ", "RECEIVER", "240101", "1200", "^",
        "00401", "000000077", "0", "T", delimiters,
    )  # fmt: skip
    group = GroupHeader("PO", "SENDER", "RECEIVER", "20240101", "1200", "88", "X", version)
    st = segments[0]
    return Transaction(st.element(1), st.element(2), "", segments, interchange, group)


PO_850 = """
ST*850*0001~
BEG*00*SA*PO123**20240115~
REF*DP*038~
DTM*002*20240120~
N1*ST*STORE 12*92*0012~
N3*1 MAIN ST~
N4*SOLON*OH*44139~
PO1*1*12*EA*9.25*PE*UP*012345678905*VN*AB-1~
PID*F****WIDGET~
PO1*2*6*CA*13.79**VN*RD5322~
CTT*2~
SE*12*0001~
"""

ASN_856 = """
ST*856*0001~
BSN*00*SHIP1*20240115*1200~
HL*1**S~
TD1*CTN*2****G*24*LB~
TD5**2*UPSN~
REF*BM*BOL1~
N1*ST*STORE*92*0012~
HL*2*1*O~
PRF*PO123~
HL*3*2*P~
MAN*GM*00000715670002152360~
HL*4*3*I~
LIN**UP*012345678905~
SN1**12*EA~
CTT*4~
SE*16*0001~
"""


def replace(text: str, old: str, new: str) -> str:
    """``text`` with one segment line changed (fails loudly if ``old`` is not there)."""
    assert old in text, old
    return text.replace(old, new, 1)
