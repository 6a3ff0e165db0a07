"""The one seam where the kill tests inject faults into a run; nothing else reads it.

A run takes its faults from `BatchOptions.faults`, else from `active` (no faults
at all unless a test sets it). They travel to the workers with the run's settings.
A test that needs a process to die runs the CLI through this module:

    python -m cleaner.batch.faults '{"crash_at_page": 7}' clean DUMPS/ -o OUT/

- `slow`: {page id: seconds} reading that page takes that much longer;
- `die`: page ids whose worker dies as if killed -9 while reading them;
- `crash_at_page`: the main process kills itself (SIGKILL) halfway through
  writing the Nth page of the run, the worst moment for the output.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Faults:
    slow: dict[str, float] = field(default_factory=dict)
    die: frozenset[str] = frozenset()
    crash_at_page: int | None = None

    def __bool__(self) -> bool:
        return bool(self.slow or self.die or self.crash_at_page)

    def before_reading(self, page_id: str, *, in_worker: bool) -> None:
        if page_id in self.slow:
            time.sleep(self.slow[page_id])
        if page_id in self.die and in_worker:
            os.kill(os.getpid(), signal.SIGKILL)

    @classmethod
    def from_json(cls, text: str) -> Faults:
        data = json.loads(text)
        return cls(slow={str(k): float(v) for k, v in data.get("slow", {}).items()},
                   die=frozenset(data.get("die", ())), crash_at_page=data.get("crash_at_page"))


class CrashAt:
    """Counts the pages a sink writes and says when `crash_at_page` has come."""

    def __init__(self, faults: Faults) -> None:
        self.at = faults.crash_at_page
        self.written = 0

    def due(self) -> bool:
        self.written += 1
        return self.written == self.at

    @staticmethod
    def now() -> None:
        os.kill(os.getpid(), signal.SIGKILL)


NO_FAULTS = Faults()
active = NO_FAULTS


def main() -> None:
    """`python -m cleaner.batch.faults FAULTS_JSON ARGS...`: the CLI with faults on."""
    # Run as __main__, this module is not the one the run imports: set that one's.
    from cleaner.batch import faults
    from cleaner.cli import run_app

    faults.active = Faults.from_json(sys.argv[1])
    sys.argv = ["cleaner", *sys.argv[2:]]

    run_app()


if __name__ == "__main__":
    main()
