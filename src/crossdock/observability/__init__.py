"""Logging, metrics and tracing. Imports nothing else of crossdock, so every layer may use it."""
