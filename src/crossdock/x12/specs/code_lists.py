"""Code lists for the qualifiers the mappings read, and for the acknowledgment codes.

Plain data. X12 code lists run to hundreds of values; these are the values distribution
partners actually send (taken from the 004010/005010 lists), so a real document validates and
a typo in a qualifier the hub depends on is rejected with AK403 code 7 instead of being mapped
wrongly. A segment attaches a list to one element position (``M98:entity``), which is why the
unit-of-measure list applies to PO103/SN103/IT103 and not to every 355 in a document.
"""

from __future__ import annotations


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


CODE_LISTS: dict[str, frozenset[str]] = {
    # 353 transaction set purpose
    "purpose": _codes(
        "00 01 03 04 05 06 07 08 10 11 12 13 14 15 16 18 22 24 25 26 27 30 35 44 46 49 51 52 53 54 77 CN CO EX GR PR RH RV SU ZZ"
    ),
    # 92 purchase order type
    "po_type": _codes(
        "BK BE BL CF CN CO CP DR DS EO IN KA KB KC KD KE KN KO KT LB NE NP OS PR RC RE RL RO RR SA SD SP SS ST SW TP UD UE WO ZZ"
    ),
    # 587 acknowledgment type (BAK02)
    "ack_type": _codes("AC AD AE AH AK AP AT NA RD RF RJ RO RV ZZ"),
    # 668 line item status (ACK01)
    "line_status": _codes("AC AR BP DR IA IB IC ID IE IF IH IP IQ IR IS IW R1 R2 R3 R4 SP"),
    # 98 entity identifier (N101 and friends)
    "entity": _codes(
        "AK BE BO BS BT BY CA CN CS CT DA DE EN FW II IM LW MA MF MI MP OB OT PD PE PF PJ PR PW "
        "RE RI RL RT SB SE SF SH SN SO SS ST SU SV TO UC UP VN WD WH WR Z7 ZZ 1T 2L 31 40 41 "
        "BM BK CB DS EX FR LC LN OP OR PK PN RP TC TP TS VC VS"
    ),
    # 128 reference identification qualifier (LU: location number, e.g. a putaway bin)
    "ref": _codes(
        "01 02 06 11 12 14 19 23 2I 4N 8M 97 86 AH AN AO AP AU BM BL BR CA CI CN CO CR CT DJ DK "
        "DO DP EI FJ FN GT IA IB IK IL IN IT IV IX JB KK L1 LI LO LT MA MB MK MR OC OI OQ P8 PC PD "
        "PG PJ PK PM PO PR PS PY Q1 QY RA RB RE RU SA SC SE SI SN SO SS ST SU TN TO TX UC VN VR WH "
        "WS XY YB ZH ZZ MU 72 47 08 0L RT 2H LU 18 D2 FR RC SCA TJ"
    ),
    # 374 date/time qualifier (814: payment due date, the 810's DTM for the due date)
    "date": _codes(
        "001 002 003 004 005 006 007 008 009 010 011 012 017 018 019 035 036 037 038 039 040 043 "
        "044 050 055 056 063 064 065 066 067 068 069 070 071 072 073 074 075 076 077 078 079 080 "
        "081 085 086 092 093 094 095 096 097 098 099 102 106 109 110 118 119 139 140 141 150 151 "
        "152 168 170 171 172 174 175 178 186 191 193 194 196 197 198 200 202 219 238 239 248 318 "
        "322 323 367 368 369 370 371 372 382 405 472 509 514 586 626 636 655 690 804 814 AA1 AA2 "
        "BHD "
        "LEA MRR PKP RFF ZZZ"
    ),
    # 735 hierarchical level code (856)
    "hl_level": _codes("S O T P I F Q D E V X Z"),
    # 235 product/service id qualifier
    "prod_id": _codes(
        "A1 A2 A3 AB AP B1 B2 B3 B4 B5 B6 B7 B8 B9 BL BO BP C3 CB CG CH CL CN CR CT DR EA EC EM EN "
        "EO GS HD IB IN IS IT IZ LT MF MG MN MS N1 N2 N3 N4 N5 N6 ND NH OT PD PI PL PN PO PR PT "
        "PW RC RO SH SK SM SN ST SV SZ TP UA UC UD UI UK UN UP UX VA VC VN VP VS WR ZZ"
    ),
    # 355 unit or basis for measurement, the common distribution subset (PO103, SN103, IT103...)
    "uom": _codes(
        "01 BA BD BG BO BX BE C2 CA CF CH CN CQ CR CS CT CU CY DA DR DZ EA FO FT FZ GA GL GR GS HR "
        "HU IN JR KE KG KT LB LF LO LR LT M2 M3 MI ML MR MT OZ PA PC PD PF PH PK PL PN PR PT QT RL RM "
        "SF SH SO SP SQ SS ST SY SX TB TK TN TY UN UZ YD Z2 Z3 AS BF BR CC CG CL CM CO CP DC DP EV "
        "FL GT HC HT KT MC MM NS OT P1 PP RE RO SC SR SV TH TU UL WK XC"
    ),
    # 91 transportation method/type
    "transport": _codes(
        "A AC AE AF AR B BP BU C CE D DA DW E F FL GG H HH I L LT M MB MP N O P PA PG PL PP Q R RC S SB SD SE SR SS T TA TC TL TT U W WP X Y ZZ"
    ),
    # 133 routing sequence
    "routing_seq": _codes("1 2 3 4 5 6 7 8 9 A B O Z"),
    # 66 identification code qualifier
    "id_qual": _codes(
        "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 24 25 27 28 29 30 31 32 33 34 91 92 93 94 A1 A2 AC BC BD BP BS C1 C5 CI D DG DN EH EP EQ FA FI HN IA LC LE NA NI PC PI PP RC SB SI SL SP TC UC UL US ZZ"
    ),
    # 1650/1651 shipment status / reason (AT701/AT702, AT703/AT704)
    "status": _codes(
        "A3 A7 A9 AA AB AC AD AE AF AG AH AI AJ AL AM AN AP AR AV B6 BA BB BC C1 CA CB CD CL CP D1 "
        "DO E1 EC F1 I1 J1 K1 L1 OA OO P1 PR R1 RL S1 SD X1 X2 X3 X4 X5 X6 X8 XB"
    ),
    "status_reason": _codes(
        "A1 A2 A3 A5 A6 AA AB AC AD AE AF AG AH AI AJ AK AL AM AN AO AP AQ AR AS AT AU AV AW AX AY "
        "AZ B1 B2 B4 B5 B8 B9 BB BC BD BE BF BG BH BI BJ BK BL BM BN BO BP BQ BR BS BT BU BV BW BX "
        "BY BZ C1 C2 C3 C4 C5 C6 C7 C8 C9 CA CB CC CD D1 D2 NA NS P1 P2 P3 P4 T1 T2 T3 T4 T5 T6 T7"
    ),
    # 368 shipment/order status (W12, ISS)
    "order_status": _codes("AC BK BP CA CC CL CM CP DE IC IS PR PS RA RC RE SH SP ST"),
    # 473 order status (W05/W06/W17 reporting)
    "w_status": _codes("C F I J N O R S"),
    # acknowledgment code lists
    "func_id": _codes(
        "AG AR BE CA CT FA GF HB HC HI HN HP HR HS IB IM IN IO LS ME NC OG OW PC PD PO PR PS QM RF RG "
        "RA RE RN RS SC SH SM SO SW TX UW"
    ),
    "ak3_error": _codes("1 2 3 4 5 6 7 8 I4 I6 I7 I8 I9"),
    "ak4_error": _codes("1 2 3 4 5 6 7 8 9 10 12 13 I10 I11 I12 I13 I6 I9"),
    "ak5_ack": _codes("A E M R W X"),
    "ak5_error": _codes("1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 17 18 19 23 24 25 26 27 I5 I6"),
    "ak9_ack": _codes("A E M P R W X"),
    "ak9_error": _codes("1 2 3 4 5 6 16 17 18 19 20 21 22 23 24 25 26"),
}
