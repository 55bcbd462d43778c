"""The data element dictionary: element reference number -> (type, min length, max length).

Plain data, written as one ``ref type min max`` entry per field so the table reads like the X12
dictionary it comes from. 005010 changes only a few lengths; they are listed separately so the
differences between the versions stay visible. ``*`` is a wildcard slot for positions whose
exact element this dictionary does not carry (rarely used tails of long segments): checked
only as printable text up to 80 characters, so real documents that use them still validate.
"""

from __future__ import annotations

_TABLE_4010 = """
* AN 1 80; 19 AN 2 30; 22 AN 1 30; 23 ID 1 1; 24 ID 2 4; 26 ID 2 3; 40 ID 2 2; 54 ID 2 2;
59 ID 1 5; 65 R 1 8; 66 ID 1 2; 67 AN 2 80; 76 AN 1 22; 79 AN 1 50; 80 N0 1 7; 81 R 1 10;
82 R 1 8; 86 N0 1 10; 87 AN 1 48; 88 ID 1 2; 91 ID 1 2; 92 ID 2 2; 93 AN 1 60; 96 N0 1 10;
97 N0 1 6; 98 ID 2 3; 100 ID 3 3; 102 ID 1 1; 103 AN 3 5; 107 ID 1 2; 116 ID 3 15;
118 R 1 9; 127 AN 1 30; 128 ID 2 3; 133 ID 1 2; 140 ID 2 4; 143 ID 3 3; 146 ID 2 2;
152 ID 2 3; 156 ID 2 2; 166 AN 1 55; 183 R 1 8; 187 ID 1 2; 188 ID 1 1; 189 R 1 8;
206 AN 1 4; 207 AN 1 10; 208 ID 1 3; 209 AN 2 4; 212 R 1 17; 225 AN 2 15; 234 AN 1 48;
235 ID 2 2; 236 ID 3 3; 248 ID 1 1; 280 R 4 10; 283 R 1 8; 284 ID 1 2; 306 ID 1 2;
309 ID 1 2; 310 AN 1 30; 312 AN 1 30; 324 AN 1 22; 326 AN 1 45; 327 AN 1 8; 328 AN 1 30;
329 AN 4 9; 330 R 1 15; 331 ID 2 2; 332 R 1 6; 333 ID 1 2; 334 ID 2 2; 335 ID 3 3;
336 ID 2 2; 337 TM 4 8; 338 R 1 6; 342 R 1 5; 347 R 1 10; 349 ID 1 1; 350 AN 1 20;
351 N0 1 3; 352 AN 1 80; 353 ID 2 2; 354 N0 1 6; 355 ID 2 2; 356 N0 1 6; 357 R 1 8;
358 R 1 10; 362 N2 1 10; 364 AN 1 80; 365 ID 2 2; 366 ID 2 2; 367 AN 1 30; 368 ID 2 2;
369 AN 1 45; 370 DT 8 8; 373 DT 8 8; 374 ID 3 3; 378 ID 1 1; 380 R 1 15; 382 R 1 10;
384 R 1 9; 385 R 1 9; 386 N0 1 3; 387 AN 1 35; 388 DT 8 8; 389 N0 1 3; 395 ID 1 1;
396 AN 2 30; 398 N0 1 6; 406 N0 1 3; 407 ID 1 2; 412 R 1 9; 438 AN 1 12; 443 AN 1 20;
446 DT 8 8; 473 ID 1 1; 478 ID 1 1; 479 ID 2 2; 480 AN 1 12; 499 AN 1 10; 508 AN 1 35;
522 ID 1 3; 554 N0 1 6; 559 ID 2 2; 560 ID 2 10; 563 ID 1 2; 566 ID 1 2; 573 ID 1 2;
587 ID 2 2; 610 N2 1 15; 623 ID 2 2; 628 AN 1 12; 639 ID 2 2; 640 ID 2 2; 641 ID 3 3;
646 R 1 9; 648 ID 3 3; 649 R 1 10; 659 ID 1 3; 668 ID 2 2; 669 ID 3 3; 673 ID 2 2;
687 ID 2 2; 706 ID 2 2; 715 ID 1 1; 716 ID 1 3; 717 ID 1 1; 718 ID 1 3; 719 N0 1 6;
720 ID 1 3; 721 ID 2 3; 722 N0 1 2; 723 ID 1 3; 724 AN 1 99; 725 N0 1 4; 728 ID 1 2;
732 ID 2 2; 733 ID 2 3; 731 ID 2 2; 734 AN 1 12; 735 ID 1 2; 736 ID 1 1; 737 ID 2 2;
738 ID 1 3; 739 R 1 20; 740 R 1 20; 741 R 1 20; 750 ID 2 3; 751 AN 1 12; 752 ID 2 2;
753 ID 1 2; 754 AN 1 7; 765 N0 1 2; 770 AN 1 30; 782 R 1 18; 786 ID 1 2; 810 N0 1 6;
819 ID 2 3; 822 AN 1 15; 883 ID 1 2; 884 N0 1 3; 933 AN 1 264; 934 ID 2 2; 935 ID 1 2;
936 ID 2 2; 954 R 1 10; 1005 ID 4 4; 1018 R 1 15; 1019 ID 3 3; 1073 ID 1 1; 1082 ID 1 2;
1166 ID 2 2; 1232 ID 2 2; 1250 ID 2 3; 1251 AN 1 35; 1271 AN 1 30; 1300 ID 4 4;
1301 AN 1 10; 1470 N0 1 9; 1528 N0 1 2; 1686 N0 1 4; 1705 AN 1 35; 1715 ID 1 3;
2 N0 1 6; 28 N0 1 9; 61 AN 1 30; 71 N0 1 3; 123 N0 1 6; 145 AN 1 30; 176 ID 1 1;
184 ID 1 1; 363 ID 3 3; 432 ID 2 2; 447 AN 1 4; 461 AN 1 12; 534 AN 1 22; 618 ID 1 3;
620 ID 1 3; 621 ID 1 3; 755 ID 2 2; 1031 ID 1 1; 1280 ID 1 1; 1650 ID 2 2; 1651 ID 2 2;
1652 ID 2 2; 1653 ID 2 2; 1654 R 1 10; 1655 R 1 11; 9998 AN 1 35; 9999 AN 1 35;
289 N0 1 2; 441 ID 1 1; 955 ID 1 2; 956 AN 1 10; 963 ID 2 2; 1325 ID 1 1
"""

# Elements of the segments only the complete transaction-set tables use (see
# ``table_segments.TABLE_SEGMENTS``): lengths deliberately generous, never tighter than X12's.
# ``*L`` is the long free-text wildcard (MTX).
_TABLE_ADDITIONS = """
*L AN 1 4096; 1004 ID 1 3; 1104 ID 1 3; 1106 ID 1 3; 1136 ID 1 3; 115 AN 1 30;
1195 AN 1 80; 1196 AN 1 3; 1270 ID 1 3; 215 AN 1 30; 224 AN 1 80; 344 ID 1 3; 345 ID 1 3;
371 ID 1 3; 622 R 1 15; 626 ID 1 3; 627 ID 1 3; 653 ID 1 3; 662 ID 1 1; 688 ID 1 3;
808 ID 1 3; 809 AN 1 80; 951 ID 1 3; 984 ID 1 3
"""

_CHANGES_5010 = """
127 AN 1 50; 719 N0 1 10
"""


def _parse(table: str) -> dict[str, tuple[str, int, int]]:
    out: dict[str, tuple[str, int, int]] = {}
    for entry in table.replace("\n", " ").split(";"):
        if entry.strip():
            ref, kind, low, high = entry.split()
            out[ref] = (kind, int(low), int(high))
    return out


ELEMENTS_4010: dict[str, tuple[str, int, int]] = _parse(_TABLE_4010)
# Defaults: a family extension defining the same element replaces them (see ``dictionary``).
TABLE_ELEMENTS: dict[str, tuple[str, int, int]] = _parse(_TABLE_ADDITIONS)
ELEMENTS_5010: dict[str, tuple[str, int, int]] = {**ELEMENTS_4010, **_parse(_CHANGES_5010)}
