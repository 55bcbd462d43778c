"""The store and the embedded bus on one SQL database (SQLite file or PostgreSQL).

The message log, the outbox and the topic log share one database on purpose: the outbox
*is* the topic log, so a handler's writes and the messages it emits commit together.
"""
