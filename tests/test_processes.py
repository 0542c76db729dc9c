"""The tests' child processes never block on their own output (tests/processes.py)."""

import subprocess
import sys

from tests.processes import finish, output, spawn


def test_a_child_that_writes_more_than_a_pipe_holds_is_never_blocked_by_it():
    # 256 KB of log lines before the child exits: four times what a pipe nobody reads would take.
    child = spawn([sys.executable, "-c", "import sys\nfor i in range(4096): print('x' * 63)\nprint('done')"])
    try:
        child.wait(timeout=30)
    except subprocess.TimeoutExpired:
        finish(child, timeout=0)
        raise AssertionError("the child blocked on its own output") from None
    assert child.returncode == 0
    assert output(child, tail=5) == "done\n"
    assert len(output(child)) == 4096 * 64 + 5
