"""squat-triage."""

# The C module, not `signal`: that one imports `enum`, which takes long enough that a
# Ctrl-C typed at once lands inside it.
import _signal  # type: ignore[import-not-found]  # (no stub: it is what `signal` wraps)
import os as _os
import sys as _sys


def _leave_quietly(signum: int, frame: object) -> None:
    # Nothing of ours is running: the command has not started yet, or it has ended (while
    # it runs, the command group's own handlers clean up on the way out). Leave at once,
    # without a traceback and with the shell's code for the signal, after flushing what
    # was already written. Exiting here rather than raising matters at the end: an
    # exception raised while the interpreter joins threads or runs exit callbacks is
    # printed with a traceback.
    for stream in (_sys.stdout, _sys.stderr):
        try:  # noqa: SIM105 (contextlib is not imported this early, and need not be)
            stream.flush()
        except Exception:  # a closed pipe, or a write this signal interrupted
            pass
    _os._exit(128 + signum)


# Started as the `triage` program (the console script, or `python -m triage` while runpy
# still shows `-m` as argv[0]): Ctrl-C or SIGTERM before the command starts or after it has
# ended exits 130 or 143 quietly. Imported by anything else, the interpreter's handling of
# signals is left alone.
RUNNING_AS_PROGRAM = _sys.argv[:1] == ["-m"] or _sys.argv[0].rsplit("/", 1)[-1] == "triage"
if RUNNING_AS_PROGRAM:
    _signal.signal(_signal.SIGINT, _leave_quietly)
    _signal.signal(_signal.SIGTERM, _leave_quietly)
