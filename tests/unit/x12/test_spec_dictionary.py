"""The dictionary seam: families add entries; one entry defined two ways is refused."""

from __future__ import annotations

import pytest

from crossdock.x12.specs import dictionary
from crossdock.x12.specs.dictionary import DictionaryConflict, merged


def test_an_addition_joins_the_base_and_an_identical_repeat_is_allowed() -> None:
    out = merged("segment", {"BEG": ("a", "M353")}, {"SLN": ("b", "M350")}, {"BEG": ("a", "M353")})
    assert out == {"BEG": ("a", "M353"), "SLN": ("b", "M350")}


def test_an_entry_defined_twice_differently_is_refused_with_both_shapes() -> None:
    with pytest.raises(DictionaryConflict, match="segment 'BEG' is defined twice") as caught:
        merged("segment", {"BEG": ("a", "M353")}, {"BEG": ("a", "O353")})
    assert "M353" in str(caught.value) and "O353" in str(caught.value)


def test_5010_is_4010_with_the_5010_shapes_on_top() -> None:
    for seg_id, shape in dictionary.SEGMENTS_4010.items():
        assert seg_id in dictionary.SEGMENTS_5010
        if shape != dictionary.SEGMENTS_5010[seg_id]:
            assert seg_id in dictionary.segments.SEGMENTS_5010
