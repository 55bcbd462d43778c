"""The session's own check that no test leaves a process behind (tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import SESSION_MARKER, left_behind

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


LAUNCH = (
    "import subprocess as s; "
    "print(s.Popen(['sleep', '30'], stdout=s.DEVNULL, stderr=s.DEVNULL).pid)"
)


def test_a_process_started_in_the_session_is_found_until_it_ends() -> None:
    marker = os.environ[SESSION_MARKER]
    # A grandchild whose parent exits at once: reparented to init, as after a kill -9.
    launcher = subprocess.run(
        [sys.executable, "-c", LAUNCH],
        capture_output=True,
        text=True,
        check=True,
    )
    orphan = int(launcher.stdout)
    try:
        deadline = time.monotonic() + 10
        while orphan not in (found := left_behind(marker, grace=0)):
            assert time.monotonic() < deadline, f"{orphan} not found among {found}"
            time.sleep(0.1)
    finally:
        os.kill(orphan, 9)
    assert orphan not in left_behind(marker, grace=5)
