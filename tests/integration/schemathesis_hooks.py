"""Schemathesis hooks for the hub's API: its textual media types go on the wire as text.

Used by tests/integration/test_api_fuzz.py, and by a full run from the CLI:
``SCHEMATHESIS_HOOKS=tests.integration.schemathesis_hooks schemathesis run URL/openapi.json``.
"""

from __future__ import annotations

import schemathesis

schemathesis.serializer.alias(["application/x-ndjson", "application/edi-x12"], "text/plain")
