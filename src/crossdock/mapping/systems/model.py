"""System maps as values: one map per event (system JSON -> canonical) or per delivery
(canonical -> system request body), and a format that picks the inbound map for an event.

A map is declared as data (see ``engine``) and compiled when the ``SystemMap`` is built, so a
malformed declaration fails at import (tests) or at ``config check``, never on a live message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from crossdock.canonical.base import CanonicalDocument
from crossdock.canonical.registry import document_model
from crossdock.mapping.systems.engine import (
    Expr,
    MapError,
    MapSyntaxError,
    Scope,
    compile_template,
    evaluate,
    get_path,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why (part of) an input could not be mapped: where, what, and a machine-readable type."""

    path: str
    reason: str
    type: str = "system.mapping"


class SystemMap:
    """A compiled map.

    Args:
        name: ``<format>.<what>``, the name routes and formats refer to.
        template: The declaration (see ``engine``).
        document_type: The canonical type produced (inbound) or consumed (outbound).
        each: Inbound only: one document per element at this path (``@positions``);
            templates then see the element as ``@`` and the payload as ``@/``.
        key: Inbound only: the document's own number, the idempotency key when the
            request has none (a template, evaluated per document).
        require: Outbound only: canonical paths that must be present (a clear error rather
            than a body the receiver would refuse).
    """

    def __init__(
        self,
        name: str,
        template: Mapping[str, Any],
        *,
        document_type: str,
        each: str | None = None,
        key: Any = None,
        require: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.document_type = document_type
        self.declaration = template
        self._expr: Expr = compile_template(dict(template))
        self._each: Expr | None = compile_template(each) if each else None
        self._key: Expr | None = compile_template(key) if key is not None else None
        self._require = tuple((path, compile_template(f"@{path}")) for path in require)
        if document_model(document_type) is None:
            raise MapSyntaxError(f"map {name}: unknown document type {document_type!r}")

    def elements(self, payload: Any, ctx: Mapping[str, Any]) -> list[tuple[str, Any]]:
        """(path, element) pairs the map applies to: the payload itself or each element."""
        if self._each is None:
            return [("", payload)]
        items = evaluate(self._each, payload, ctx)
        if not isinstance(items, list) or not items:
            raise MapError("", "the payload has no elements to map")
        return [(f"[{index}]", item) for index, item in enumerate(items)]

    def render(self, element: Any, payload: Any, ctx: Mapping[str, Any], at: str = "") -> Any:
        """Apply the template to one element (``@``) of ``payload`` (``@/``)."""
        for path, expr in self._require:
            if expr(Scope(element, payload, ctx)) in (None, "", []):
                raise MapError(path, f"{self.name} needs {path}")
        return self._expr(Scope(element, payload, ctx, 1, at))

    def key(self, element: Any, payload: Any, ctx: Mapping[str, Any]) -> str | None:
        if self._key is None:
            return None
        value = self._key(Scope(element, payload, ctx))
        return None if value in (None, "") else str(value)


@dataclass(frozen=True, slots=True)
class MappedDocument:
    """One canonical document made from a system payload, or why it could not be made.

    Attributes:
        path: Where in the payload it came from (``""`` the payload, ``[3]`` an element).
        key: The document's own number (the fallback idempotency key), when readable.
        document: The validated canonical document; None when ``problems`` says why.
    """

    path: str
    document_type: str
    key: str | None
    document: CanonicalDocument | None = None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class SystemFormat:
    """How one kind of system posts to the hub, and the map for each of its events.

    Attributes:
        name: The configuration name (``systems.<name>.format``).
        event_paths: Payload fields that name the event, tried in order.
        event_header: The header naming the event when the payload does not (lower case).
        events: Event name -> its inbound map.
        defaults: Context values a system's configuration may override (``defaults:``).
    """

    name: str
    event_paths: tuple[str, ...]
    event_header: str | None
    events: Mapping[str, SystemMap]
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def event_of(self, payload: Any, headers: Mapping[str, str]) -> str | None:
        for path in self.event_paths:
            value = get_path(payload, (path,))
            if isinstance(value, str) and value:
                return value
        if self.event_header is not None:
            return headers.get(self.event_header) or None
        return None


def to_canonical(
    system_map: SystemMap, payload: Any, ctx: Mapping[str, Any]
) -> list[MappedDocument]:
    """Map a payload to canonical documents, each validated; never raises for content."""
    kind = system_map.document_type
    try:
        elements = system_map.elements(payload, ctx)
    except MapError as exc:
        return [MappedDocument("", kind, None, problems=(Problem(exc.path or "$", exc.reason),))]
    model = document_model(kind)
    assert model is not None  # checked when the map was built
    out = []
    for path, element in elements:
        try:
            key = system_map.key(element, payload, ctx)
        except MapError:
            key = None
        try:
            body = system_map.render(element, payload, ctx, path)
            document = model.model_validate(body)
        except MapError as exc:
            out.append(
                MappedDocument(path, kind, key, problems=(Problem(exc.path or "$", exc.reason),))
            )
            continue
        except ValidationError as exc:
            problems = tuple(
                Problem(_loc(err["loc"]), err["msg"], "canonical." + err["type"])
                for err in exc.errors(include_url=False, include_input=False)
            )
            out.append(MappedDocument(path, kind, key, problems=problems))
            continue
        out.append(MappedDocument(path, kind, key, document))
    return out


def _loc(loc: tuple[int | str, ...]) -> str:
    text = "canonical"
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text
