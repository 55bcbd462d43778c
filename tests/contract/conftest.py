"""Every contract suite runs on every backend (`backends.store` overrides the root `store`)."""

from tests.contract.backends import _postgres_schema, store

__all__ = ["_postgres_schema", "store"]
