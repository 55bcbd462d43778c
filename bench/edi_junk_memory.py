"""Peak memory of a real hub answering one X12 interchange of junk segments (issue 10).

    python -m bench.edi_junk_memory 1 5 50 [--limit-gb 4]

Each size gets a fresh hub (`crossdock up`, under RLIMIT_AS so a regression cannot take the
machine down) and one `POST /v1/edi` of an 850 whose body is N MB of `MSG*x~` (one finding
per segment). Printed per size: status, seconds, the hub's peak RSS before and after (Linux
VmHWM), the size of the 997 and of the rejected message's `GET /v1/messages/{id}`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx
from tests.integration.hubproc import HubProcess

ISA = (
    "ISA*00*          *00*          *ZZ*JUNKSENDER     *ZZ*CROSSDOCKTEST  *240101*1200*U*"
    "00401*000000001*0*P*>~GS*PO*JUNKSENDER*CROSSDOCKTEST*20240101*1200*1*X*004010~"
)


def junk(megabytes: float) -> bytes:
    count = int(megabytes * 1_000_000) // 6
    head = ISA + "ST*850*0001~BEG*00*SA*PO1**20240101~"
    return (head + "MSG*x~" * count + f"SE*{count + 3}*0001~GE*1*1~IEA*1*000000001~").encode()


def measure(megabytes: float, limit: int) -> str:
    body = junk(megabytes)
    with tempfile.TemporaryDirectory() as tmp:
        config = {"x12": {"qualifier": "ZZ", "id": "CROSSDOCKTEST"}}
        hub = HubProcess(Path(tmp), config, memory_limit=limit)
        try:
            hub.start(timeout=120)
            idle = hub.peak_rss()
            started = time.monotonic()
            response = httpx.post(
                f"{hub.url}/v1/edi",
                content=body,
                headers={
                    **hub.headers,
                    **{"Content-Type": "application/edi-x12", "Accept": "application/json"},
                },
                timeout=900,
            )
            seconds = time.monotonic() - started
            if hub.proc is None or hub.proc.poll() is not None:
                return f"{megabytes} MB: the hub died ({response.status_code})"
            peak = hub.peak_rss()
            detail = ""
            if response.status_code == 202:
                [interchange] = response.json()["interchanges"]
                message = interchange["messages"][0]["id"]
                view = httpx.get(
                    f"{hub.url}/v1/messages/{message}", timeout=120, headers=hub.headers
                )
                detail = f", 997 {len(interchange['ack'] or '')} B, GET {len(view.content)} B"
            return (
                f"{megabytes} MB: {response.status_code} in {seconds:.1f} s, peak RSS "
                f"{idle / 2**20:.0f} -> {peak / 2**20:.0f} MiB{detail}"
            )
        finally:
            hub.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=float, help="body sizes in MB")
    parser.add_argument("--limit-gb", type=float, default=4.0, help="RLIMIT_AS of the hub")
    args = parser.parse_args()
    for size in args.sizes:
        print(measure(size, int(args.limit_gb * 2**30)), flush=True)


if __name__ == "__main__":
    main()
