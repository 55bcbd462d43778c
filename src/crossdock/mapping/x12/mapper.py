"""The X12 <-> canonical mapper: one partner's compiled maps, used by intake and delivery.

Reading builds a plain dict and validates it with one call of the model's validator (the
cheapest way through pydantic). The dict comes from the reader generated for the map
(``fastread``); only when it meets something to report is the transaction read again by the
interpreter (``read``), and only when validation fails is it read a third time with tracing
on, to turn pydantic's field locations back into segment positions: errors are rare, so the
hot path pays nothing for precise error reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from crossdock.canonical.base import CanonicalDocument
from crossdock.mapping.x12.compile import CompiledMap
from crossdock.mapping.x12.errors import MappingError, MappingResult
from crossdock.mapping.x12.fastpath import install
from crossdock.mapping.x12.fastread import Reader, build_reader
from crossdock.mapping.x12.hooks import HOOKS
from crossdock.mapping.x12.leaves import Substitute, build_substitute
from crossdock.mapping.x12.maps import BUILTIN_MAPS
from crossdock.mapping.x12.overrides import apply_overrides
from crossdock.mapping.x12.read import Trace, read_segments
from crossdock.mapping.x12.values import ValueProblem, x12_datetime_to_iso
from crossdock.mapping.x12.write import write_document
from crossdock.x12.model import Transaction
from crossdock.x12.writer import TransactionBody

ANY_VERSION = "*"
_Hot = tuple[CompiledMap, Reader, Substitute | None]
_SUBSTITUTES: dict[type[CanonicalDocument], Substitute | None] = {}


def _substitute(model: type[CanonicalDocument]) -> Substitute | None:
    """``leaves.build_substitute`` once per document model (mappers share it)."""
    if model not in _SUBSTITUTES:
        _SUBSTITUTES[model] = build_substitute(model)
    return _SUBSTITUTES[model]


class X12Mapper:
    """Maps transactions to canonical documents and back, with one partner's overrides.

    Args:
        overrides: The partner's overrides keyed by transaction set code (see ``overrides``);
            validated here, so a typo fails at start-up with the bad key named.
        maps: Map data to use instead of the built-in maps (tests, experiments).
    """

    def __init__(
        self,
        overrides: Mapping[str, Any] | None = None,
        *,
        maps: Mapping[tuple[str, str], Mapping[str, Any]] | None = None,
    ) -> None:
        data = apply_overrides(maps if maps is not None else BUILTIN_MAPS, overrides or {})
        self._maps: dict[tuple[str, str], CompiledMap] = {
            key: CompiledMap(value) for key, value in data.items()
        }
        for compiled in self._maps.values():
            install(compiled)
        # (set code, GS08 as sent) -> the map and its generated code, built on first use.
        self._hot: dict[tuple[str, str], _Hot] = {}
        self._built: dict[CompiledMap, _Hot] = {}
        self._by_type: dict[str, str] = {}
        for (code, _), compiled in self._maps.items():
            self._by_type.setdefault(compiled.document_type, code)

    def compiled(self, code: str, version: str = ANY_VERSION) -> CompiledMap | None:
        """The map for a set and version (a version-specific map wins over the generic one)."""
        return self._maps.get((code, version[:6])) or self._maps.get((code, ANY_VERSION))

    def document_type_for(self, code: str) -> str | None:
        """'850' -> 'purchase_order'; None for a set this mapper has no map for."""
        compiled = self.compiled(code)
        return compiled.document_type if compiled is not None else None

    def code_for(self, document_type: str) -> str | None:
        """'purchase_order' -> '850'; None when no map renders that document type."""
        return self._by_type.get(document_type)

    def to_canonical(self, transaction: Transaction) -> MappingResult:
        """The canonical document of ``transaction``, or every error found (never raises)."""
        key = (transaction.code, transaction.group.version)
        hot = self._hot.get(key)
        if hot is None:
            hot = self._prepare(key)
            if hot is None:
                reason = f"no mapping for transaction set {transaction.code}"
                return MappingResult(
                    None, None, (MappingError(reason, segment_id="ST", segment_position=1),)
                )
        compiled, reader, substitute = hot
        try:
            data = reader(transaction.segments)
            errors: list[MappingError] = []
        except ValueProblem:  # something to report: the interpreter says where
            data, errors = read_segments(compiled, transaction.segments)
        _envelope_defaults(compiled, transaction, data, errors)
        for name, arg in compiled.hooks:
            HOOKS[name][0](data, arg)
        if substitute is not None:
            substitute(data)
        try:  # what model_validate calls, without its keyword plumbing
            document = compiled.model.__pydantic_validator__.validate_python(data)
        except ValidationError as exc:
            trace: Trace = {}
            read_segments(compiled, transaction.segments, trace)
            # A field the reader already rejected is also "missing" to pydantic: say it once.
            reported = {error.field for error in errors}
            errors.extend(e for e in _located(exc, trace) if e.field not in reported)
            return MappingResult(compiled.document_type, None, tuple(errors))
        if errors:
            return MappingResult(compiled.document_type, None, tuple(errors))
        return MappingResult(compiled.document_type, document, ())

    def _prepare(self, key: tuple[str, str]) -> _Hot | None:
        """The map for (set, version) with its generated code, remembered for the next one."""
        compiled = self.compiled(*key)
        if compiled is None:
            return None
        hot = self._built.get(compiled)
        if hot is None:
            hot = (compiled, build_reader(compiled), _substitute(compiled.model))
            self._built[compiled] = hot
        if len(self._hot) >= 256:  # GS08 is partner text: keep the memory bounded
            self._hot.clear()
        self._hot[key] = hot
        return hot

    def from_canonical(
        self, document: CanonicalDocument, *, version: str = "004010"
    ) -> TransactionBody:
        """The transaction set body (ST/SE excluded) that carries ``document``.

        ``version`` picks a version-specific map when one is registered (GS08 is the
        writer's business, from the partner's envelope settings).

        Raises:
            LookupError: No map renders this document type.
            ValueError: A field has no X12 rendering (e.g. a status with no code).
        """
        code = self._by_type.get(type(document).document_type)
        compiled = self.compiled(code, version) if code is not None else None
        if compiled is None:
            raise LookupError(f"no X12 mapping renders {type(document).document_type}")
        data = document.model_dump(mode="json", exclude_none=True)
        for name, arg in compiled.hooks:
            HOOKS[name][1](data, arg)
        try:
            segments = write_document(compiled, data)
        except ValueProblem as exc:
            raise ValueError(f"{compiled.code}: {exc}") from exc
        return TransactionBody(compiled.code, segments)


def _envelope_defaults(
    compiled: CompiledMap,
    transaction: Transaction,
    data: dict[str, Any],
    errors: list[MappingError],
) -> None:
    """Fill what the map says the envelope implies (an 850's sender is its buyer)."""
    isa, gs = transaction.interchange, transaction.group
    for field, source in compiled.envelope:
        if field in data:
            continue
        if source in ("sender", "receiver"):
            qualifier = isa.sender_qualifier if source == "sender" else isa.receiver_qualifier
            ident = isa.sender_id if source == "sender" else isa.receiver_id
            data[field] = {"role": field, "x12": {"qualifier": qualifier, "identifier": ident}}
        elif source in ("sender_id", "receiver_id"):
            data[field] = isa.sender_id if source == "sender_id" else isa.receiver_id
        else:
            try:
                data[field] = x12_datetime_to_iso(gs.date, gs.time, compiled.offset)
            except ValueProblem as exc:
                errors.append(MappingError(str(exc), field, gs.position or None, "GS", 4))


def _located(exc: ValidationError, trace: Trace) -> list[MappingError]:
    """pydantic errors -> MappingErrors at the segment the field (or its loop) came from."""
    located: list[MappingError] = []
    for error in exc.errors(include_url=False, include_context=False, include_input=False):
        loc = tuple(error["loc"])
        field = ".".join(str(part) for part in loc)
        origin = None
        for end in range(len(loc), -1, -1):
            origin = trace.get(loc[:end])
            if origin is not None:
                break
        reason = str(error["msg"])
        if origin is None:
            located.append(MappingError(reason, field))
        else:
            position, tag, element = origin
            located.append(MappingError(reason, field, position, tag, element))
    return located
