"""PostgreSQL specifics: what the portable SQL of `adapters.sql` does not cover."""
