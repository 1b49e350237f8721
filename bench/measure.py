#!/usr/bin/env python3
"""Run a command; write `WALL_S PEAK_KB USER_S SYS_S EXIT` to a file.

    python3 bench/measure.py -o FILE -- COMMAND [ARG...]

The fallback of bench/run where GNU time (/usr/bin/time) is missing: the
same four figures as `/usr/bin/time -f '%e %M %U %S'`, taken from the
child's own resource usage (os.wait4), plus the exit status. The command's
own output passes through. Standard library only.

One difference: Linux counts in a child's peak memory what its parent
held when the child was created, so here the peak cannot read below this
Python's own size (about 13 MB); GNU time's floor is 2-4 MB. It matters
only for the csv floor's figure.
"""

from __future__ import annotations

import os
import sys
import time


def main() -> int:
    args = sys.argv[1:]
    if len(args) < 4 or args[0] != "-o" or args[2] != "--":
        print(__doc__.split("\n")[2].strip(), file=sys.stderr)
        return 2
    out, command = args[1], args[3:]
    start = time.perf_counter()
    try:
        pid = os.posix_spawnp(command[0], command, os.environ)
    except OSError as error:
        print(f"measure.py: {command[0]}: {error.strerror}", file=sys.stderr)
        with open(out, "w", encoding="utf-8") as file:
            file.write("0 0 0 0 127\n")
        return 127
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    with open(out, "w", encoding="utf-8") as file:
        # ru_maxrss is in kilobytes on Linux, as GNU time's %M.
        file.write(f"{wall:.2f} {usage.ru_maxrss} {usage.ru_utime:.2f} "
                   f"{usage.ru_stime:.2f} {code}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
