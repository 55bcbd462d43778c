"""`crossdock messages replay --group G --from-seq N`: a bus-level replay from the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crossdock.adapters.sql.bus import SqlBus
from crossdock.adapters.sql.uow import SqlUnitOfWorkFactory
from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.store import make_engine
from crossdock.hub.records import ConsumerGroup

CROSSDOCK = Path(sys.executable).with_name("crossdock")


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    empty = data_dir.parent / "empty.yaml"
    empty.write_text("{}\n")
    return subprocess.run(
        [
            str(CROSSDOCK),
            "messages",
            "replay",
            *args,
            "--data-dir",
            str(data_dir),
            "--config",
            str(empty),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_replay_from_sequence_hands_entries_to_the_group_again(tmp_path: Path) -> None:
    data = tmp_path / "data"
    engine = make_engine(sqlite_url(data))
    uow, bus = SqlUnitOfWorkFactory(engine), SqlBus(engine)
    bus.ensure_group(ConsumerGroup("audit", ("doc.>",)))
    with uow() as u:
        for n in range(3):
            u.outbox.publish("doc.critical.purchase_order", f"PO-{n}", f"m{n}")
        u.commit()
    consumed = bus.fetch("audit", 10)
    bus.ack("audit", consumed)
    second = sorted(e.seq for e in consumed)[1]

    done = run(data, "--group", "audit", "--from-seq", str(second), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"replayed": {"audit": 2}}
    assert sorted(e.message_id for e in bus.fetch("audit", 10)) == ["m1", "m2"]

    missing_group = run(data, "--from-seq", "1")
    assert missing_group.returncode == 2 and "--from-seq needs --group" in missing_group.stderr
    unknown = run(data, "--group", "nope", "--from-seq", "1")
    assert unknown.returncode == 1 and "unknown consumer group 'nope'" in unknown.stderr
    engine.dispose()
