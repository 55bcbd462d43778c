"""The API's response bodies as pydantic models: what `/openapi.json` documents.

Routes still build their bodies as plain dicts and serialise them with orjson (the views are
shared with the CLI, and the list routes are read hot); these models describe those bodies,
they do not re-validate them on the way out. A test (tests/integration/test_openapi_responses.py)
calls every route and checks the real bodies against the published schema, so the two cannot
drift apart silently: every model forbids fields it does not name.
"""
