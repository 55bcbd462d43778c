"""Object-level isolation of the operators' reads: what a caller may see of messages, flows,
exceptions and dead letters.

An operator sees everything. Any other caller is confined to one partner (`confinement`):

- a **message** is its partner's when its ``partner`` (recorded from the proven sender by
  the intake pipeline) is that partner;
- a **flow instance** when the partner has a message with the instance's key as its
  correlation key (the flow follows that partner's document);
- an **exception** when one of its evidence messages is the partner's, or its correlation
  key is one of the partner's documents';
- a **dead letter** when its message is the partner's.

Another partner's object is answered as absent (the route's 404), never as forbidden, so a
partner cannot even learn that it exists; lists are filtered, never refused. Actions
(replay, retry, resolve) are operator-only by scope and not decided here.

Messages are filtered in the store (indexed ``partner``); flows and exceptions are filtered
page by page against the partner's messages (two indexed lookups per page scanned), scanning
at most `MAX_SCANNED` rows per request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from crossdock.hub import operations as ops
from crossdock.hub.flows import actions
from crossdock.hub.flows.exceptions import ExceptionCategory, ExceptionRecord, ExceptionStatus
from crossdock.hub.flows.model import FlowState
from crossdock.hub.identity import Principal
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import DeadLetter, MessageFilter

#: Rows of flows / exceptions looked at, at most, to fill one partner's page.
MAX_SCANNED = 10_000
_BATCH = 500

T = TypeVar("T")


def confinement(principal: Principal | None) -> str | None:
    """The partner a caller is confined to; None: sees everything (an operator, or no
    principal at all while no authentication is in front). A non-operator acting for no
    partner is confined to "" , which no object belongs to: it sees nothing."""
    if principal is None or principal.is_operator:
        return None
    return principal.partner or ""


def list_messages(
    uow: UnitOfWork, flt: MessageFilter, limit: int, offset: int, confine: str | None
) -> list[dict[str, Any]]:
    if confine is not None:
        if flt.partner is not None and flt.partner != confine:
            return []  # another partner's messages: none of them are the caller's
        flt = replace(flt, partner=confine)
    return ops.list_messages(uow, flt, limit, offset)


def message_view(
    uow: UnitOfWork, message_id: str, *, include_raw: bool, confine: str | None
) -> dict[str, Any] | None:
    if confine is not None and not _owned_messages(uow, [message_id], confine):
        return None
    return ops.message_view(uow, message_id, include_raw=include_raw)


def _owned_messages(uow: UnitOfWork, ids: Sequence[str], confine: str) -> set[str]:
    found = uow.messages.get_many(ids, with_raw=False) if ids else {}
    return {i for i, m in found.items() if m.summary.partner == confine}


def _owned_keys(uow: UnitOfWork, keys: Sequence[str], confine: str) -> set[str]:
    if not keys:
        return set()
    flt = MessageFilter(partner=confine, correlation_keys=list(dict.fromkeys(keys)))
    return {key for _id, key, _lane in uow.messages.ids(flt)}


def _page(
    fetch: Callable[[int, int], list[T]],
    keep: Callable[[list[T]], list[T]],
    limit: int,
    offset: int,
) -> list[T]:
    """`limit` visible rows after skipping `offset` visible ones, scanning in batches."""
    kept: list[T] = []
    skip = offset
    scanned = 0
    while scanned < MAX_SCANNED and len(kept) < limit:
        batch = fetch(_BATCH, scanned)
        if not batch:
            break
        scanned += len(batch)
        visible = keep(batch)
        if skip:
            dropped = min(skip, len(visible))
            visible = visible[dropped:]
            skip -= dropped
        kept.extend(visible)
    return kept[:limit]


def _visible_exceptions(
    uow: UnitOfWork, rows: list[ExceptionRecord], confine: str
) -> list[ExceptionRecord]:
    mine = _owned_messages(uow, [m for r in rows for m in r.evidence], confine)
    keys = _owned_keys(uow, [r.correlation_key for r in rows if r.correlation_key], confine)
    return [r for r in rows if mine.intersection(r.evidence) or r.correlation_key in keys]


def list_exceptions(
    uow: UnitOfWork,
    *,
    category: ExceptionCategory | None,
    status: ExceptionStatus | None,
    correlation_key: str | None,
    flow: str | None,
    limit: int,
    offset: int,
    confine: str | None,
) -> list[dict[str, Any]]:
    if confine is None:
        return actions.list_exceptions(
            uow,
            category=category,
            status=status,
            correlation_key=correlation_key,
            flow=flow,
            limit=limit,
            offset=offset,
        )

    def fetch(n: int, skip: int) -> list[ExceptionRecord]:
        return uow.exceptions.find(
            category=category,
            status=status,
            correlation_key=correlation_key,
            flow=flow,
            limit=n,
            offset=skip,
        )

    rows = _page(fetch, lambda batch: _visible_exceptions(uow, batch, confine), limit, offset)
    mine = _owned_messages(uow, [m for r in rows for m in r.evidence], confine)
    return [actions.exception_dict(replace(r, evidence=_only(r.evidence, mine))) for r in rows]


def _only(evidence: list[str], mine: set[str]) -> list[str]:
    """An exception's evidence as a partner sees it: its own messages only."""
    return [m for m in evidence if m in mine]


def exception_view(
    uow: UnitOfWork, exception_id: str, confine: str | None
) -> dict[str, Any] | None:
    if confine is None:
        return actions.exception_view(uow, exception_id)
    record = uow.exceptions.get(exception_id)
    if record is None or not _visible_exceptions(uow, [record], confine):
        return None
    view = actions.exception_view(uow, exception_id)
    if view is not None:  # evidence of other partners' is not shown, not even its summary
        mine = _owned_messages(uow, record.evidence, confine)
        view["evidence"] = _only(record.evidence, mine)
        view["evidence_messages"] = [e for e in view["evidence_messages"] if e.get("id") in mine]
    return view


def list_flows(
    uow: UnitOfWork,
    *,
    flow: str | None,
    state: str | None,
    completed: bool | None,
    limit: int,
    offset: int,
    confine: str | None,
) -> list[dict[str, Any]]:
    if confine is None:
        return actions.list_flows(
            uow, flow=flow, state=state, completed=completed, limit=limit, offset=offset
        )

    def fetch(n: int, skip: int) -> list[FlowState]:
        return uow.flows.find(flow=flow, state=state, completed=completed, limit=n, offset=skip)

    def keep(batch: list[FlowState]) -> list[FlowState]:
        keys = _owned_keys(uow, [s.key for s in batch], confine)
        return [s for s in batch if s.key in keys]

    return [actions.flow_dict(s) for s in _page(fetch, keep, limit, offset)]


def flow_view(uow: UnitOfWork, flow: str, key: str, confine: str | None) -> dict[str, Any] | None:
    if confine is None:
        return actions.flow_view(uow, flow, key)
    if not _owned_keys(uow, [key], confine):
        return None
    view = actions.flow_view(uow, flow, key)
    if view is not None:  # its exceptions' evidence: the partner's own messages only
        evidence = [m for e in view["exceptions"] for m in e["evidence"]]
        mine = _owned_messages(uow, evidence, confine)
        for exception in view["exceptions"]:
            exception["evidence"] = _only(exception["evidence"], mine)
    return view


def dead_letters(
    uow: UnitOfWork, rows: list[DeadLetter], limit: int, confine: str | None
) -> list[dict[str, Any]]:
    """The dead letters a caller may see, as the API lists them."""
    if confine is not None:
        mine = _owned_messages(uow, [d.message_id for d in rows], confine)
        rows = [d for d in rows if d.message_id in mine]
    return [ops.dead_letter_dict(d) for d in rows[:limit]]
