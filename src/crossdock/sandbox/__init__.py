"""Simulated partner systems (ERP, WMS, carriers) for the demo and the tests only.

They speak to the hub over HTTP like real systems would; nothing in the application imports them.
"""
