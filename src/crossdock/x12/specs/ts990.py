"""990 Response to a Load Tender (004010, shared by 005010).

B1 carries the answer (B104 A accepted, D declined) to the tender named by B102; N9 adds
references, V9 the event, and K1 (005010) free-text remarks such as why a tender was
declined. Lines ending in ``*`` are the segments the ``load_tender_response`` map reads.
"""

from __future__ import annotations

CODE = "990"
NAME = "Response to a Load Tender"
STRUCTURE = """
ST M 1
B1 M 1 *
N9 O >1 *
V9 O 1
K1 O >1 *
SE M 1
"""
