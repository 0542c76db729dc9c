"""Child processes of the tests (workers, beats, servers) write their output to a file, never to a pipe.

A pipe nobody reads holds 64 KB; past that, the child's next log line blocks it for good. A database cut fills
that much with the workers' warnings in seconds: the whole sending froze in the fault test until its teardown.
"""

from __future__ import annotations

import subprocess
import tempfile


def spawn(command, **popen_kwargs) -> subprocess.Popen:
    """Popen with stdout and stderr in a temporary file (read back by `output`)."""
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **popen_kwargs)
    proc.log_file = log
    return proc


def output(proc: subprocess.Popen, tail: int | None = None) -> str:
    """What the process wrote so far (its last `tail` characters)."""
    proc.log_file.seek(0)
    text = proc.log_file.read().decode(errors="replace")
    return text[-tail:] if tail else text


def finish(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Wait for a process that was asked to stop; killed if it does not within `timeout`."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
