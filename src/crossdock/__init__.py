"""crossdock: an integration hub that keeps procurement, warehousing and delivery in step."""

__version__ = "0.1.0"
