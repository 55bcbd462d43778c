"""API products: what partners read and do through the governed v1/v2 API.

Use cases only (purchase orders for suppliers, inventory availability, shipment status); the
routes in `entrypoints/api/products_*.py` translate HTTP, the queries live in
`adapters/sql/product_reads.py` behind `ports.ProductReads`.
"""
