"""Implementations of the hub's ports: the store, the bus and the delivery endpoints."""
