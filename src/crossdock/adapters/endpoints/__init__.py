"""Endpoints the hub delivers to: HTTP receivers and drop folders.

Each implements :class:`crossdock.hub.ports.Endpoint`; they never touch the store.
"""

from crossdock.adapters.endpoints.folder import FolderEndpoint
from crossdock.adapters.endpoints.http import HttpEndpoint, classify_status

__all__ = ["FolderEndpoint", "HttpEndpoint", "classify_status"]
