"""The folder channel: partners' drop folders polled by the scheduler.

Each ready file is claimed, recorded through the EDI service (streaming, so size does not
matter), then archived with a report, or moved to the error folder with the report saying
what was rejected and why. A file is never lost: it is in the inbox, being processed, in the
archive or in the error folder, and its content is in the message log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from crossdock.hub.csv_intake import CsvCall, CsvIntake, CsvReceipt
from crossdock.hub.edi.partners import PartnerDirectory
from crossdock.hub.edi.service import EdiReceipt, EdiService
from crossdock.hub.intake_pipeline import folder_sender
from crossdock.hub.partners.directory import production_refusal
from crossdock.hub.ports import FileDrop
from crossdock.mapping.csv import PartnerCsvConfig

log = logging.getLogger(__name__)

CHANNEL = "edi-folder"
CSV_CHANNEL = "csv-folder"
#: First delay before a file that failed is tried again; it doubles up to MAX_RETRY_SECONDS.
RETRY_SECONDS = 30.0
MAX_RETRY_SECONDS = 900.0


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


def csv_report(path: Path, receipt: CsvReceipt) -> dict[str, Any]:
    """What happened to a flat file: each document's message, with its rows and errors."""
    return {"file": path.name, "csv": receipt.summary()}


def is_rejected(receipt: EdiReceipt) -> bool:
    """Any unreadable part, interchange error or rejected transaction sends the file aside."""
    if not receipt.interchanges:
        return True
    for interchange in receipt.interchanges:
        if interchange.unreadable or interchange.errors or interchange.refused_groups:
            return True
        if any(m.status == "rejected" for m in interchange.messages):
            return True
    return False


class FolderIntake:
    """Polls the drop folders; each file is handled on its own, so one that fails (a store
    error, a name the file system refuses, a full disk) is logged and retried later with
    back-off while every other file goes through."""

    def __init__(
        self,
        drops: Sequence[FileDrop],
        service: EdiService,
        *,
        clock: Callable[[], float] = time.monotonic,
        retry_seconds: float = RETRY_SECONDS,
        checked: Collection[str] = (),
        directory: PartnerDirectory | None = None,
        csv: Mapping[str, PartnerCsvConfig] | None = None,
        csv_intake: CsvIntake | None = None,
    ) -> None:
        """`checked`: the partners whose X12 sender ids are known, so that their folders
        accept only interchanges carrying them (`hub/edi/sender_check`); a folder of a
        partner without X12 ids is that partner's all the same (its sender), unchecked.
        `directory`: a folder of a partner it says is not live (a registered partner in
        draft, testing or suspended) is not read: its files go to the error folder, the
        report saying why (`production_refusal`)."""
        self._drops = list(drops)
        self._service = service
        self._clock = clock
        self._retry_seconds = retry_seconds
        self._checked = frozenset(checked)
        self._directory = directory
        self._csv = dict(csv or {})
        self._csv_intake = csv_intake
        self._recovered: set[str] = set()
        # (drop, file name) -> (when to try again, last delay): files left in .processing
        self._retry: dict[tuple[str, str], tuple[float, float]] = {}

    async def poll_folders(self) -> int:
        """One pass over every drop folder; returns how many files were taken in."""
        taken = 0
        for drop in self._drops:
            try:
                claimed = self._due(drop)
                for path in drop.ready():
                    got = drop.claim(path)
                    if got is not None:
                        claimed.append(got)
            except Exception:  # the folder itself (gone, unreadable): the next pass tries again
                log.exception("folder %s could not be read", drop.name)
                continue
            for path in claimed:
                if await self._take(drop, path):
                    taken += 1
        return taken

    def _due(self, drop: FileDrop) -> list[Path]:
        """Leftovers of a previous process (first pass), and files whose retry is due."""
        now = self._clock()
        if drop.name not in self._recovered:
            leftovers = drop.leftovers()
            self._recovered.add(drop.name)
            return leftovers
        due = [
            key for key, (at, _delay) in self._retry.items() if key[0] == drop.name and at <= now
        ]
        if not due:
            return []
        present = {path.name: path for path in drop.leftovers()}
        for key in due:
            if key[1] not in present:
                del self._retry[key]  # settled or removed by an operator
        return [present[key[1]] for key in due if key[1] in present]

    async def _take(self, drop: FileDrop, path: Path) -> bool:
        inactive = production_refusal(self._directory, drop.name)
        if inactive is not None:
            log.warning("folder %s: %s refused: %s", drop.name, path.name, inactive)
            return self._settle(drop, path, {"file": path.name, "refused": inactive}, True)
        try:
            handle = drop.open(path)
        except OSError as exc:  # a link, FIFO, device...: never read, set aside with why
            log.warning("folder %s: %s refused: %s", drop.name, path.name, exc)
            return self._settle(drop, path, {"file": path.name, "refused": str(exc)}, True)
        csv = self._csv.get(drop.name)
        if csv is not None and self._csv_intake is not None and csv.reads(path.name):
            return await self._take_csv(drop, path, handle, csv, self._csv_intake)
        try:
            with handle:
                receipt = await self._service.receive(
                    handle,
                    channel=CHANNEL,
                    sender=folder_sender(drop.name),
                    confine=drop.name if drop.name in self._checked else None,
                )
        except Exception as exc:  # a store failure: keep the file claimed, try again later
            self._later(drop, path, exc)
            return False
        report = receipt_report(path, receipt)
        return self._settle(drop, path, report, is_rejected(receipt))

    async def _take_csv(
        self,
        drop: FileDrop,
        path: Path,
        handle: BinaryIO,
        csv: PartnerCsvConfig,
        intake: CsvIntake,
    ) -> bool:
        csv_map = csv.map_for_file(path.name)
        if csv_map is None:
            handle.close()
            globs = ", ".join(f"{t}: {m.files}" for t, m in csv.maps.items())
            refused = f"no CSV map of {drop.name} reads this file name ({globs})"
            return self._settle(drop, path, {"file": path.name, "refused": refused}, True)
        call = CsvCall(folder_sender(drop.name), drop.name, CSV_CHANNEL)
        try:
            with handle:
                receipt = await intake.receive(
                    handle, csv_map, call, all_or_nothing=csv.all_or_nothing
                )
        except Exception as exc:  # a store failure: keep the file claimed, try again later
            self._later(drop, path, exc)
            return False
        return self._settle(drop, path, csv_report(path, receipt), receipt.has_errors)

    def _settle(self, drop: FileDrop, path: Path, report: dict[str, Any], rejected: bool) -> bool:
        try:
            if rejected:
                where = drop.reject(path, report)
                log.warning("folder %s: %s rejected, see %s", drop.name, path.name, where)
            else:
                drop.archive(path, report)
        except Exception as exc:
            self._later(drop, path, exc)
            return False
        self._retry.pop((drop.name, path.name), None)
        return True

    def _later(self, drop: FileDrop, path: Path, exc: Exception) -> None:
        key = (drop.name, path.name)
        _at, delay = self._retry.get(key, (0.0, self._retry_seconds / 2))
        delay = min(delay * 2, MAX_RETRY_SECONDS)
        self._retry[key] = (self._clock() + delay, delay)
        log.error(
            "folder %s: %s could not be taken in (%s: %s); it stays in .processing, "
            "next try in %.0f s",
            drop.name,
            path.name,
            type(exc).__name__,
            exc,
            delay,
            exc_info=exc,
        )
