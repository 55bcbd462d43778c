"""What every bench report records about the machine it ran on (figures are only comparable
within one run: the load average says how quiet the machine was)."""

from __future__ import annotations

import os
import platform
from typing import Any


def machine_info() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_end": list(os.getloadavg()),
    }
