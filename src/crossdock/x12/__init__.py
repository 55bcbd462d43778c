"""X12 syntax as a library: read, validate, acknowledge and write interchanges.

Standard library only (DESIGN.md): this package knows nothing of the canonical model.
"""
