"""The EDI channel service: bytes or a file in, recorded messages and acknowledgments out.

Decoding, validation and mapping are CPU work, so they run on a worker thread; each prepared
interchange (or chunk of a huge one) is then written by the store's writer thread in its own
unit of work. Memory stays bounded by one chunk whatever the size of the input.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from crossdock.hub.edi.prepare import EdiPreparer, PreparedInterchange
from crossdock.hub.edi.record import AckRenderer, InterchangeReceipt, record_interchange
from crossdock.hub.intake import IntakeOutcome
from crossdock.hub.intake_pipeline import NOBODY, Sender, stamp
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.store_runner import NORMAL, StoreRunner


@dataclass(slots=True)
class EdiReceipt:
    """Everything one input produced, interchange by interchange."""

    interchanges: list[InterchangeReceipt] = field(default_factory=list)

    @property
    def unreadable(self) -> bool:
        return bool(self.interchanges) and all(i.unreadable for i in self.interchanges)

    @property
    def refused(self) -> list[str]:
        """Why interchanges (or groups) were refused for their sender ids, one line each."""
        return [
            reason
            for i in self.interchanges
            for reason in ([i.refused] if i.refused else []) + i.refused_groups
        ]

    @property
    def message_count(self) -> int:
        return sum(len(i.messages) for i in self.interchanges)

    def ack_text(self) -> str:
        return "".join(i.ack.text for i in self.interchanges if i.ack is not None)


class EdiService:
    def __init__(
        self,
        preparer: EdiPreparer,
        runner: StoreRunner,
        render_ack: AckRenderer,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._preparer = preparer
        self._runner = runner
        self._render_ack = render_ack
        self._on_commit = on_commit

    async def receive(
        self, source: object, *, channel: str, sender: Sender = NOBODY, confine: str | None = None
    ) -> EdiReceipt:
        """Record every interchange in `source` (bytes, a path or a binary file).

        `sender` is who the channel proved sent it (recorded on every message); `confine` the
        partner whose sender ids the interchanges must carry (None: anyone's, for operators).
        """
        loop = asyncio.get_running_loop()
        receipt = await asyncio.to_thread(
            self._receive_blocking, source, channel, loop, sender, confine
        )
        if self._on_commit is not None:
            self._on_commit()
        return receipt

    def _write(
        self, uow: UnitOfWork, *, prepared: PreparedInterchange, at: datetime, ids: list[str]
    ) -> InterchangeReceipt:
        result = record_interchange(
            uow, prepared, received_at=at, render_ack=self._render_ack, earlier_ids=ids
        )
        uow.commit()
        return result

    def _receive_blocking(
        self,
        source: object,
        channel: str,
        loop: asyncio.AbstractEventLoop,
        sender: Sender,
        confine: str | None,
    ) -> EdiReceipt:
        received_at = datetime.now(UTC)
        receipt = EdiReceipt()
        carried: list[IntakeOutcome] = []  # from leading chunks of a huge interchange

        def record(prepared: PreparedInterchange) -> InterchangeReceipt:
            stamp(prepared.messages, sender)
            write = functools.partial(
                self._write, prepared=prepared, at=received_at, ids=[o.message_id for o in carried]
            )
            future = asyncio.run_coroutine_threadsafe(
                self._runner.write(write, priority=NORMAL), loop
            )
            return future.result()

        def flush(chunk: PreparedInterchange) -> None:
            carried.extend(record(chunk).messages)

        for prepared in self._preparer.prepare(
            source, channel=channel, received_at=received_at, flush=flush, confine=confine
        ):
            result = record(prepared)
            result.messages[:0] = carried
            carried.clear()
            receipt.interchanges.append(result)
        return receipt
