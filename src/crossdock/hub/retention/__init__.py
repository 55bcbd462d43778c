"""Retention: old messages and flow history archived, then pruned, in small batches.

`model` holds the cutoffs, the run record and the ports; `archive_lines` the archive's line
format; `pruner` the job itself.
"""
