"""Sortable message and delivery ids (ULID format: 48-bit milliseconds + 80 random bits).

Generated here rather than with a ULID library's default because that draws on os.urandom for
every id, which releases and re-takes the GIL on the hot intake path; ids need uniqueness and
order, not cryptographic randomness.
"""

from __future__ import annotations

import random
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, as ULID uses
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]
_random = random.Random()
_lock = threading.Lock()
_last = 0


def new_id() -> str:
    """A 26-character ULID string; in this process every id sorts after the previous one
    (monotonic ULIDs: within a millisecond the random part counts up)."""
    global _last
    with _lock:
        value = (time.time_ns() // 1_000_000) << 80 | _random.getrandbits(80)
        if value <= _last:
            value = _last + 1
        _last = value
    # 130 bits of base32 for 128 bits of value: the first character carries 3 bits.
    chars = [_ALPHABET[value >> 125]]
    for shift in range(115, 4, -10):
        chars.append(_PAIRS[(value >> shift) & 0x3FF])
    chars.append(_ALPHABET[value & 0x1F])
    return "".join(chars)
