"""What the partner registry needs from the store, and the errors its use cases raise.

The errors carry what an HTTP problem or a CLI message needs (the conflicting name, the
missing checklist entries); the entrypoints translate them, the hub never speaks HTTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Protocol

from crossdock.hub.audit import AuditRecorder
from crossdock.hub.partners.model import CertificationResult, Partner


class PartnerError(Exception):
    """Base of the registry's refusals."""


class PartnerNotFound(PartnerError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no partner named {name!r}")
        self.name = name


class PartnerConflict(PartnerError):
    """The name or an X12 sender id is taken (by the file or by another registered partner),
    or the change is not allowed for this partner."""

    def __init__(self, detail: str, *, field: str, owner: str | None = None) -> None:
        super().__init__(detail)
        self.field = field
        self.owner = owner


class InvalidTransition(PartnerError):
    def __init__(self, name: str, current: str, target: str, allowed: Sequence[str]) -> None:
        why = f"allowed from {current}: {', '.join(allowed) or 'none'}"
        super().__init__(f"partner {name!r} cannot go from {current} to {target} ({why})")
        self.current = current
        self.target = target
        self.allowed = list(allowed)


class ChecklistIncomplete(PartnerError):
    def __init__(self, name: str, missing: Sequence[str]) -> None:
        super().__init__(f"partner {name!r} has not passed certification for: {', '.join(missing)}")
        self.missing = list(missing)


class NotInTesting(PartnerError):
    """Certification samples are taken from partners in testing only."""

    def __init__(self, name: str, state: str) -> None:
        super().__init__(f"partner {name!r} is {state}: certification is open in testing only")
        self.state = state


class PartnerStore(Protocol):
    """Registered partners and their certification results, in one transaction."""

    def get(self, name: str) -> Partner | None: ...

    def all(self) -> list[Partner]: ...

    def add(self, partner: Partner) -> None:
        """Insert; `PartnerConflict` when the name or the X12 sender is already stored."""
        ...

    def save(self, partner: Partner) -> None:
        """Replace the stored partner of that name; `PartnerConflict` on an X12 sender taken."""
        ...

    def add_certifications(self, samples: Sequence[tuple[CertificationResult, bytes]]) -> None:
        """Record results, each with the raw sample (an X12 sample: its transaction set)."""
        ...

    def certifications(self, partner: str, *, limit: int = 1000) -> list[CertificationResult]:
        """The partner's results, newest first."""
        ...


class PartnerUnitOfWork(Protocol):
    @property
    def partners(self) -> PartnerStore: ...

    @property
    def audit(self) -> AuditRecorder:
        """Audit entries committed with the registry's change."""
        ...

    def commit(self) -> None: ...

    def __enter__(self) -> PartnerUnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class PartnerUnitOfWorkFactory(Protocol):
    def __call__(self) -> PartnerUnitOfWork: ...

    def reader(self) -> PartnerUnitOfWork: ...
