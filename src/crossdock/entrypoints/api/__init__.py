"""The HTTP API (FastAPI): intake, message tracking, replay, dead letters, endpoints."""
