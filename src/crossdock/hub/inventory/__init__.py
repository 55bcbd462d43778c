"""Inventory synchronization: the scheduled ERP / WMS reconciliation (drift) and sync lag.

WMS stock movements reach the ERP in near real time through an ordinary route; this package
checks that the two systems still agree. `reconcile.Reconciler` pulls both systems' positions
(ports: `PositionSource`), records them as ``inventory_position`` messages, compares them per
site and item (`compare`, pure) and keeps the drift table; `lag` measures how long movements
take to reach the ERP. `views` shapes both for the API and the CLI.
"""
