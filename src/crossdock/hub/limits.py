"""The one set of size limits every intake channel applies, the same way.

A document is a document whichever door it came in by: a single message, one line of an NDJSON
batch, a business system's event and a carrier webhook are all bounded by `document_bytes`;
a batch as a whole by `batch_bytes` and `batch_documents`; an X12 interchange (streamed to disk,
never held in memory) by `edi_bytes`. The header values the message log keeps are bounded by
its column sizes, and a batch's ``Idempotency-Key`` by what still fits once ``:<line>`` is
appended — refused up front rather than cut or digested, so every line's key stays the
sender's own and can be looked up.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The message log's column sizes for the header values it keeps.
IDEMPOTENCY_KEY_CHARS = 256
SOURCE_CHARS = 128
CAUSATION_ID_CHARS = 64
#: Of a refused body, at most this much is kept as evidence with the rejected message.
REFUSED_BODY_KEEP = 65_536
#: Without ``hub.max_batch_bytes``, a batch may be this many documents' worth of bytes.
BATCH_BYTES_FACTOR = 64


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    """Sizes in bytes (documents) and characters (header values)."""

    document_bytes: int
    batch_bytes: int
    batch_documents: int
    edi_bytes: int
    idempotency_key_chars: int = IDEMPOTENCY_KEY_CHARS

    @property
    def batch_key_chars(self) -> int:
        """The longest batch ``Idempotency-Key``: line n's key is ``<key>:<n>``, and the
        longest such key must still fit the log's column."""
        return self.idempotency_key_chars - 1 - len(str(self.batch_documents))

    def header_limits(self) -> dict[str, int]:
        """Header values the log keeps, and how many characters of each fit."""
        return {
            "idempotency_key": self.idempotency_key_chars,
            "source": SOURCE_CHARS,
            "causation_id": CAUSATION_ID_CHARS,
        }
