"""The API products from settings: their unit of work on the store, and which identifiers
each configured partner is known by in documents (the registered partners' come from the
partner directory, `RegistryPartnerDirectory.identifiers()`)."""

from __future__ import annotations

from crossdock.adapters.sql.product_reads import SqlProductUnitOfWorkFactory
from crossdock.bootstrap.store import Store
from crossdock.config import Settings
from crossdock.hub.products.ownership import PartnerIdentifiers


def product_uow(store: Store) -> SqlProductUnitOfWorkFactory:
    """Units of work with the products' reads, on the store's engine (reads: `.reader`)."""
    return SqlProductUnitOfWorkFactory(store.uow)


def partner_identifiers(settings: Settings) -> PartnerIdentifiers:
    """Partner name -> its X12 sender and group ids; carrier name -> its display name and
    SCAC: what a PO's supplier party or a shipment's carrier party may name it by."""
    known: dict[str, frozenset[str]] = {}
    for name, partner in settings.partners.items():
        ids = {name}
        if partner.x12 is not None:
            ids |= {partner.x12.id, partner.x12.gs_id or partner.x12.id}
        known[name] = frozenset(ids)
    for name, carrier in settings.carriers.items():
        ids = {name, *(v for v in (carrier.display_name, carrier.scac) if v)}
        known[name] = known.get(name, frozenset()) | ids
    return known
