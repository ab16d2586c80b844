"""The installed `vidflow` command: `cli.main`, then a quick way out of the process.

When a command is done and no other thread is still working, the exit handlers run (logs
flushed, temporary folders removed, as at any exit) and the process ends without the
interpreter's teardown, which frees every object of every loaded module one by one: 0.1 s
and more once NumPy, OpenCV and PyAV are loaded, or a 10,000-entry lockfile is in memory.
The answer, the files and the exit code are the same; tests call `cli.main` directly.

NumPy's OpenBLAS is held to one thread unless the environment says otherwise: vidflow does
no linear algebra (its arrays are pixels and samples, worked elementwise), and the idle
pool OpenBLAS starts at import only spins, taking CPU from the FFmpegs beside it (measured:
0.13 CPU s of a 2.0 CPU s one-scene fix on 2 cores).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before anything imports NumPy

from vidflow.bulk import one_command_process
from vidflow.cli import main


def run() -> NoReturn:
    one_command_process()  # what a bulk build leaves may stay until the process ends
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    status = _status(code)
    if _others_running():
        sys.exit(status)  # the interpreter waits for them, as it always did
    atexit._run_exitfuncs()  # what the interpreter's exit would run first
    _flush()
    os._exit(status)


def _status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("text") prints it and exits 1
    return 1


def _others_running() -> bool:
    main_thread = threading.main_thread()
    return any(t is not main_thread and t.is_alive() and not t.daemon
               for t in threading.enumerate())


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to say
            stream.flush()
