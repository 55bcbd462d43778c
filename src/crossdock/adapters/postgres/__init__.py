"""The PostgreSQL profile's specifics: a pooled psycopg 3 engine, the topic log's commit-order
lock and the concurrent, retrying unit-of-work executor. The SQL itself is `adapters.sql`'s."""
