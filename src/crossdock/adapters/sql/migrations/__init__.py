"""Alembic migrations of the store's schema, shipped inside the package.

No alembic.ini: `schema_version.alembic_config` builds the configuration in code and hands
`env.py` an open connection, so the migrations run from an installed wheel on any database
URL the store supports. Revisions use portable operations only (``op.create_table``,
``op.add_column``...), never dialect-specific SQL: the same files run on SQLite and PostgreSQL.
"""
