"""The PostgreSQL profile's specifics: a pooled psycopg 3 engine, the topic log's commit-order
lock, the concurrent, retrying unit-of-work executor and LISTEN/NOTIFY wake-ups. The SQL
itself is `adapters.sql`'s."""
