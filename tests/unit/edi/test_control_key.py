"""ISA13 as the hub compares it for duplicates (``hub.edi.prepare.control_key``)."""

from __future__ import annotations

from crossdock.hub.edi.prepare import control_key


def test_padding_does_not_make_another_interchange() -> None:
    assert control_key("000003438") == control_key(" 3438 ") == "3438"


def test_odd_digits_are_kept_as_text_not_a_crash() -> None:
    # '¹' passes str.isdigit() but int() refuses it: the reader reports such an ISA13 (018)
    # and goes on, so intake must not raise on it (found by fuzzing the X12 reader).
    assert control_key("¹¹¹¹¹¹¹¹¹") == "¹¹¹¹¹¹¹¹¹"
