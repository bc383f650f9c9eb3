"""Peak resident memory of this process, as the benchmark reports it.

`getrusage().ru_maxrss` is not this process's own figure when it was started by fork and exec (a
multiprocessing "spawn" worker, a subprocess): Linux carries the parent's high-water mark at the
fork across the exec, so a worker of a 600 MiB parent reports at least 600 MiB however little it
uses. The memory map's own high-water mark (VmHWM in /proc/self/status) starts afresh at exec.
"""
from __future__ import annotations

import resource


def peak_rss_mib() -> float:
    """This process's peak resident set size in MiB: VmHWM where /proc has it, else ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
