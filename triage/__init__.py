"""squat-triage."""

import signal as _signal
import sys as _sys


def _interrupted_while_starting(signum: int, frame: object) -> None:
    # Nothing has started yet: leave without a traceback, with the shell's code for it.
    raise SystemExit(128 + signum)


# Started as the `triage` program (the console script, or `python -m triage` while runpy
# still shows `-m` as argv[0]): Ctrl-C or SIGTERM during the imports exits 130 or 143
# quietly. The command group installs its own handlers once a command runs. Imported by
# anything else, the interpreter's handling of signals is left alone.
if _sys.argv[:1] == ["-m"] or _sys.argv[0].rsplit("/", 1)[-1] == "triage":
    _signal.signal(_signal.SIGINT, _interrupted_while_starting)
    _signal.signal(_signal.SIGTERM, _interrupted_while_starting)
