"""The embedded profile's SQLite specifics: engine set-up (PRAGMAs, ``BEGIN IMMEDIATE``), the
WAL checkpointer and the single writer thread. The SQL itself is `adapters.sql`'s."""
