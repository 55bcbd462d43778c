"""Inbound channel mechanics the hub uses through its ports (file drops)."""
