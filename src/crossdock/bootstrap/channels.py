"""Routes, endpoints and the channels partners and systems use (X12 partners, drop folders,
carrier webhooks, system APIs), built from settings."""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable

import orjson

from crossdock.adapters.channels.folder_drop import FolderDrop
from crossdock.adapters.endpoints.folder import FolderEndpoint
from crossdock.adapters.endpoints.http import HttpEndpoint
from crossdock.config import FolderEndpointConfig, HttpEndpointConfig, Settings
from crossdock.config.carriers import SignatureConfig
from crossdock.hub.edi.partners import (
    OwnIdentity,
    PartnerDirectory,
    StaticPartnerDirectory,
    TradingPartner,
)
from crossdock.hub.inbound_systems import SystemChannel
from crossdock.hub.ports import Endpoint
from crossdock.hub.routing import Route
from crossdock.hub.webhook_signing import StandardWebhookCheck, decode_secret
from crossdock.hub.webhooks import CarrierChannel, Signature, SignatureCheck
from crossdock.mapping.carriers import CarrierContext, normalizer
from crossdock.mapping.csv import PartnerCsvConfig
from crossdock.mapping.systems import system_format
from crossdock.mapping.x12 import X12Mapper
from crossdock.x12.model import Delimiters


def build_routes(settings: Settings) -> list[Route]:
    return [
        Route(
            name=r.name,
            document_type=r.when.document_type,
            endpoint=r.deliver.endpoint,
            transform=r.deliver.transform,
            lane=settings.lane_for_route(r),
            sources=tuple(r.when.source),
            where=dict(r.when.where),
            fields=dict(r.deliver.fields),
            partner=r.deliver.partner,
            map=r.deliver.map,
            schema_version=r.deliver.schema_version,
        )
        for r in settings.routes
    ]


def build_partners(settings: Settings) -> StaticPartnerDirectory:
    """The file's trading partners with X12 settings, as the hub's plain values (the
    registered ones join them in `crossdock.bootstrap.partners.build_directory`)."""
    partners = []
    for name, config in settings.partners.items():
        x12 = config.x12
        if x12 is None:
            continue
        d = x12.delimiters
        partners.append(
            TradingPartner(
                name=name,
                qualifier=x12.qualifier,
                id=x12.id,
                gs_id=x12.group_id,
                version=x12.version,
                usage=x12.usage,
                ack=x12.ack,
                ack_requested=x12.ack_requested,
                ack_endpoint=x12.ack_endpoint,
                strict=x12.strict,
                unknown_sets=x12.unknown_sets,
                delimiters=Delimiters(
                    element=d.element,
                    component=d.component,
                    repetition=d.repetition,
                    segment=d.segment,
                    suffix="\n" if d.newline else "",
                ),
                mapping=dict(x12.mapping),
            )
        )
    own = OwnIdentity(settings.x12.qualifier, settings.x12.id, settings.x12.gs_id)
    return StaticPartnerDirectory(partners, own)


#: Partners with map overrides whose compiled mappers are kept (the oldest goes first).
MAPPERS_KEPT = 256


def mapper_factory(directory: PartnerDirectory) -> Callable[[TradingPartner | None], X12Mapper]:
    """One mapper per partner with overrides (compiled on first use, again when a registered
    partner's overrides change), and one for every other partner and unknown senders."""
    default = X12Mapper()
    mappers: dict[tuple[str, bytes], X12Mapper] = {}
    lock = threading.Lock()

    def mapper(partner: TradingPartner | None) -> X12Mapper:
        if partner is None or not partner.mapping:
            return default
        key = (
            partner.name,
            orjson.dumps(partner.mapping, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS),
        )
        found = mappers.get(key)
        if found is None:
            found = X12Mapper(partner.mapping)
            with lock:
                if len(mappers) >= MAPPERS_KEPT:
                    mappers.pop(next(iter(mappers)))
                mappers[key] = found
        return found

    return mapper


def build_drops(settings: Settings) -> list[FolderDrop]:
    return [
        FolderDrop(
            name,
            config.folder.inbox,
            config.folder.archive,
            config.folder.error,
            pattern=config.folder.pattern,
            settle_seconds=config.folder.settle_seconds,
            complete_wait_seconds=config.folder.complete_wait_seconds,
        )
        for name, config in settings.partners.items()
        if config.folder is not None
    ]


def build_endpoint(name: str, config: HttpEndpointConfig | FolderEndpointConfig) -> Endpoint:
    if isinstance(config, HttpEndpointConfig):
        return HttpEndpoint(
            name=name,
            url=str(config.url),
            method=config.method,
            timeout=config.timeout_seconds,
            headers=dict(config.headers),
            bearer_token=config.token.get_secret_value() if config.token else None,
            max_connections=config.concurrency,
        )
    return FolderEndpoint(name=name, directory=config.path)


def _signature(sig: SignatureConfig | None) -> Signature | None:
    """The hub's signature check for a configured shared-secret HMAC or Standard Webhooks
    keys (carriers, systems)."""
    if sig is None:
        return None
    if sig.scheme == "standard-webhooks":
        keys = [sig.secret, *sig.previous_secrets]
        return StandardWebhookCheck(
            keys=tuple(decode_secret(k.get_secret_value()) for k in keys),
            tolerance=sig.tolerance_seconds,
        )
    return SignatureCheck(
        header=sig.header,
        # EasyPost normalizes the secret to NFKD before signing; a no-op for ASCII.
        secret=unicodedata.normalize("NFKD", sig.secret.get_secret_value()).encode(),
        prefix=sig.prefix,
        algorithm=sig.algorithm,
        encoding=sig.encoding,
    )


def build_systems(settings: Settings) -> dict[str, SystemChannel]:
    """Business systems posting their own JSON: each one's format, defaults and signature."""
    channels = {}
    for name, config in settings.systems.items():
        fmt = system_format(config.format)
        channels[name] = SystemChannel(
            name=name,
            format=fmt,
            defaults={**fmt.defaults, **config.defaults},
            signature=_signature(config.signature),
        )
    return channels


def build_carriers(settings: Settings) -> dict[str, CarrierChannel]:
    """Carrier webhook channels: each carrier's normalizer and signature check, by name."""
    channels = {}
    for name, config in settings.carriers.items():
        signature = _signature(config.signature)
        channels[name] = CarrierChannel(
            name=name,
            normalize=normalizer(config.format),
            context=CarrierContext(name, config.display_name, config.scac),
            signature=signature,
        )
    return channels


def csv_maps(settings: Settings) -> dict[str, PartnerCsvConfig]:
    """The file's partners with flat-file maps (`partners.<name>.csv`), by name."""
    return {name: p.csv for name, p in settings.partners.items() if p.csv is not None}
