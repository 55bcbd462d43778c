"""The folder channel: partners' drop folders polled by the scheduler.

Each ready file is claimed, recorded through the EDI service (streaming, so size does not
matter), then archived with a report, or moved to the error folder with the report saying
what was rejected and why. A file is never lost: it is in the inbox, being processed, in the
archive or in the error folder, and its content is in the message log.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crossdock.hub.edi.service import EdiReceipt, EdiService
from crossdock.hub.ports import FileDrop

log = logging.getLogger(__name__)

CHANNEL = "edi-folder"


def receipt_report(path: Path, receipt: EdiReceipt) -> dict[str, Any]:
    """What happened to a file, for the report written next to it."""
    return {
        "file": path.name,
        "interchanges": [
            {
                "sender": i.sender,
                "control_number": i.control_number,
                "duplicate": i.duplicate,
                "unreadable": i.unreadable,
                "errors": i.errors,
                "ack_message_id": i.ack_message_id,
                "messages": [
                    {
                        "id": m.message_id,
                        "status": m.status,
                        "duplicate": m.duplicate,
                        "errors": [e.as_dict() for e in m.errors],
                    }
                    for m in i.messages
                ],
            }
            for i in receipt.interchanges
        ],
    }


def is_rejected(receipt: EdiReceipt) -> bool:
    """Any unreadable part, interchange error or rejected transaction sends the file aside."""
    if not receipt.interchanges:
        return True
    for interchange in receipt.interchanges:
        if interchange.unreadable or interchange.errors:
            return True
        if any(m.status == "rejected" for m in interchange.messages):
            return True
    return False


class FolderIntake:
    def __init__(self, drops: Sequence[FileDrop], service: EdiService) -> None:
        self._drops = list(drops)
        self._service = service
        self._recovered = False

    async def poll_folders(self) -> int:
        """One pass over every drop folder; returns how many files were taken in."""
        taken = 0
        for drop in self._drops:
            claimed: list[Path] = []
            if not self._recovered:
                claimed.extend(drop.leftovers())
            for path in drop.ready():
                got = drop.claim(path)
                if got is not None:
                    claimed.append(got)
            for path in claimed:
                await self._take(drop, path)
                taken += 1
        self._recovered = True
        return taken

    async def _take(self, drop: FileDrop, path: Path) -> None:
        try:
            receipt = await self._service.receive(path, channel=CHANNEL)
        except Exception as exc:  # a store failure: leave the file claimed, retry next start
            log.exception("folder %s: %s could not be recorded", drop.name, path.name)
            raise RuntimeError(f"{path.name}: {exc}") from exc
        report = receipt_report(path, receipt)
        if is_rejected(receipt):
            where = drop.reject(path, report)
            log.warning("folder %s: %s rejected, see %s", drop.name, path.name, where)
        else:
            drop.archive(path, report)
