"""Partner formats <-> canonical documents: pure functions, no I/O."""
