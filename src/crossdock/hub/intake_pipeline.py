"""One intake pipeline for every channel: verify → prepare → record → wake.

Every channel (JSON intake, X12 over HTTP and from drop folders, business systems' own JSON,
carrier webhooks) takes bytes in the same four steps:

1. **verify** who sent them: the HTTP principal the authentication middleware proved, a
   system's or carrier's webhook secret, the partner whose drop folder a file lay in. The
   result is a `Sender`, which is what the message log records as the message's identity.
2. **prepare** the bytes (decode, map, validate: pure CPU work, off the event loop);
3. **record** the messages in a unit of work (accepted or rejected: nothing is lost);
4. **wake** the consumers waiting for new messages.

A channel supplies its steps as a small strategy (`ChannelSteps`); `IntakePipeline.take`
runs them in order and is the one place the sender is attached to the messages (`stamp`).
JSON intake (`entrypoints/api/intake_core`, group commit) and X12 (`hub/edi/service`,
streamed in chunks) keep their own record step because theirs are the hot and the huge
paths, but take their sender from here and stamp it the same way: one field per message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol, TypeVar

from crossdock.hub.identity import Principal
from crossdock.hub.intake import IntakeOutcome
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import InboundMessage
from crossdock.hub.store_runner import URGENT, StoreRunner


@dataclass(frozen=True, slots=True)
class Sender:
    """Who a channel proved a message came from: the principal's subject and its partner.

    ``subject`` is None when the channel proved nobody (no authentication in front, a
    system without a secret): the message is then recorded without a sender, never with a
    guessed one.
    """

    subject: str | None = None
    partner: str | None = None


#: What a channel that proved nobody attaches.
NOBODY = Sender()


def sender_of(principal: Principal | None) -> Sender:
    """The sender an HTTP principal stands for (None: no authentication in front)."""
    if principal is None:
        return NOBODY
    return Sender(principal.subject, principal.partner)


def folder_sender(partner: str) -> Sender:
    """A drop folder belongs to one partner: whatever lies in it is that partner's."""
    return Sender(f"folder:{partner}", partner)


def signed_sender(kind: str, name: str) -> Sender:
    """A business system or carrier proven by its webhook secret: ``<kind>:<name>``, and the
    system or carrier is the messages' partner (as its own API key's principal would be)."""
    return Sender(f"{kind}:{name}", name)


@dataclass(frozen=True, slots=True)
class Verified:
    """What `verify` proved: the sender, and what the recording transaction must claim first
    (a signed request's id, so a replay is refused on every process: `claim` raises)."""

    sender: Sender
    claim: Callable[[UnitOfWork], None] | None = None


class ForeignSender(PermissionError):
    """The proven caller is not the system or carrier whose channel it posted to (and the
    channel has no secret that would prove it): nothing is recorded."""


def may_speak_for(proven: Sender, kind: str, name: str) -> bool:
    """Whether `proven` may post to the ``kind`` (system / carrier) channel ``name`` whose
    secret did not prove the sender: operators and that very system or partner may; anybody
    while no authentication is in front (nobody proven)."""
    if proven.partner is not None:
        return proven.partner == name
    subject = proven.subject
    if subject is None or subject.startswith("operator:"):
        return True
    return subject == f"{kind}:{name}"


def stamp(messages: Iterable[InboundMessage], sender: Sender) -> None:
    """Attach the sender to every message (two attribute writes each, nothing more)."""
    if sender.subject is None and sender.partner is None:
        return
    for message in messages:
        message.sender = sender.subject
        message.partner = sender.partner


Call = TypeVar("Call", contravariant=True)
Prepared = TypeVar("Prepared")


class ChannelSteps(Protocol[Call, Prepared]):
    """One channel's steps. `verify` raises the channel's refusal (nothing recorded);
    `prepare` is pure and never raises for content (bad content becomes rejected messages)."""

    def verify(self, call: Call, proven: Sender) -> Verified: ...

    def prepare(self, call: Call) -> Prepared: ...

    def messages(self, prepared: Prepared) -> Sequence[InboundMessage]: ...

    def record(
        self, uow: UnitOfWork, messages: Sequence[InboundMessage]
    ) -> list[IntakeOutcome]: ...


class IntakePipeline:
    """Runs a channel's steps: verify, prepare off the event loop, record, wake."""

    def __init__(self, runner: StoreRunner, wake: Callable[[], None] | None = None) -> None:
        self._runner = runner
        self._wake = wake

    async def take(
        self,
        steps: ChannelSteps[Call, Prepared],
        call: Call,
        proven: Sender = NOBODY,
    ) -> tuple[Prepared, list[IntakeOutcome]]:
        """Take one call in; returns what `prepare` made and each message's outcome."""
        verified = steps.verify(call, proven)
        prepared = await asyncio.to_thread(steps.prepare, call)
        messages = steps.messages(prepared)
        stamp(messages, verified.sender)
        outcomes = await self._runner.write(
            partial(_record, steps.record, messages=messages, claim=verified.claim),
            priority=URGENT,
        )
        if self._wake is not None:
            self._wake()
        return prepared, outcomes


def _record(
    record: Callable[[UnitOfWork, Sequence[InboundMessage]], list[IntakeOutcome]],
    uow: UnitOfWork,
    *,
    messages: Sequence[InboundMessage],
    claim: Callable[[UnitOfWork], None] | None,
) -> list[IntakeOutcome]:
    if claim is not None:
        claim(uow)
    outcomes = record(uow, messages)
    uow.commit()
    return outcomes
