"""squat-triage."""

import signal as _signal
import sys as _sys


def _interrupted_while_starting(signum: int, frame: object) -> None:
    raise SystemExit(130)  # nothing has started yet: leave without a traceback


# Started as the `triage` program (the console script, or `python -m triage` while runpy
# still shows `-m` as argv[0]): Ctrl-C during the imports exits 130 quietly. The command
# group installs its own handlers once a command runs. Imported by anything else, the
# interpreter's handling of Ctrl-C is left alone.
if _sys.argv[:1] == ["-m"] or _sys.argv[0].rsplit("/", 1)[-1] == "triage":
    _signal.signal(_signal.SIGINT, _interrupted_while_starting)
