"""Benchmarks of the hub: intake, batch intake, end-to-end delivery and intake latency.

Run with ``make bench`` (``python -m bench.run_all``); ``--quick`` for a smoke run.
"""
