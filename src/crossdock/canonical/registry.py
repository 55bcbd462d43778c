"""Document type name -> model class, the one list of what the hub accepts."""

from __future__ import annotations

from crossdock.canonical.base import CanonicalDocument

_REGISTRY: dict[str, type[CanonicalDocument]] = {}


def register(model: type[CanonicalDocument]) -> type[CanonicalDocument]:
    """Class decorator: make a document type known to intake, schema export and routing."""
    name = model.document_type
    if name in _REGISTRY and _REGISTRY[name] is not model:
        raise ValueError(f"document type {name!r} registered twice")
    _REGISTRY[name] = model
    return model


def _loaded() -> dict[str, type[CanonicalDocument]]:
    from crossdock.canonical import documents  # noqa: F401  (registers every model)

    return _REGISTRY


def document_types() -> dict[str, type[CanonicalDocument]]:
    """All registered document types (a copy), importing the model modules on first use."""
    return dict(_loaded())


def document_model(name: str) -> type[CanonicalDocument] | None:
    """The model for a document type name, or None when the hub does not know it.

    On the intake path for every message, so it reads the registry without copying it."""
    return _loaded().get(name)
