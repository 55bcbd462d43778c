"""Every contract suite runs on every backend (`backends.store` overrides the root `store`)."""

from tests.contract.backends import store

__all__ = ["store"]
