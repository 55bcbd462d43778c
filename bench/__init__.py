"""Benchmarks of the hub (intake, batch intake, end-to-end delivery, intake latency) and of
the X12 reader, validator and mapper against pyx12 and node-x12 (``bench/x12_bench.py``).

Run with ``make bench`` (``python -m bench.run_all``); ``--quick`` for a smoke run;
``make bench-x12`` (``--only x12``) for the X12 suite alone.
"""
