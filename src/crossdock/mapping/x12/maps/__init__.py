"""The built-in maps, one data module per transaction set, keyed by (set code, version).

Version '*' means any version; a version-specific map (e.g. ('850', '005010')) registered
next to it wins for that version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crossdock.mapping.x12.maps.ts204 import MAP_204
from crossdock.mapping.x12.maps.ts210 import MAP_210
from crossdock.mapping.x12.maps.ts214 import MAP_214
from crossdock.mapping.x12.maps.ts753 import MAP_753
from crossdock.mapping.x12.maps.ts754 import MAP_754
from crossdock.mapping.x12.maps.ts810 import MAP_810
from crossdock.mapping.x12.maps.ts820 import MAP_820
from crossdock.mapping.x12.maps.ts832 import MAP_832
from crossdock.mapping.x12.maps.ts846 import MAP_846
from crossdock.mapping.x12.maps.ts850 import MAP_850
from crossdock.mapping.x12.maps.ts852 import MAP_852
from crossdock.mapping.x12.maps.ts855 import MAP_855
from crossdock.mapping.x12.maps.ts856 import MAP_856
from crossdock.mapping.x12.maps.ts860 import MAP_860
from crossdock.mapping.x12.maps.ts865 import MAP_865
from crossdock.mapping.x12.maps.ts940 import MAP_940
from crossdock.mapping.x12.maps.ts944 import MAP_944
from crossdock.mapping.x12.maps.ts945 import MAP_945
from crossdock.mapping.x12.maps.ts990 import MAP_990

BUILTIN_MAPS: Mapping[tuple[str, str], Mapping[str, Any]] = {
    ("850", "*"): MAP_850,
    ("855", "*"): MAP_855,
    ("856", "*"): MAP_856,
    ("810", "*"): MAP_810,
    ("940", "*"): MAP_940,
    ("945", "*"): MAP_945,
    ("944", "*"): MAP_944,
    ("846", "*"): MAP_846,
    ("214", "*"): MAP_214,
    ("210", "*"): MAP_210,
    ("204", "*"): MAP_204,
    ("990", "*"): MAP_990,
    ("753", "*"): MAP_753,
    ("754", "*"): MAP_754,
    ("860", "*"): MAP_860,
    ("865", "*"): MAP_865,
    ("820", "*"): MAP_820,
    ("832", "*"): MAP_832,
    ("852", "*"): MAP_852,
}
