"""The garbage collector's settings for long-running work: a server worker, a bulk import.

Python's collector stops the process while it walks the objects it tracks, and a full
collection walks all of them. A process of this application holds Django and the application
(hundreds of thousands of objects that live as long as the process) before it does anything;
every collection of the oldest generation walked those again. Measured in
benchmarks/RESULTS.md: full collections stopped a chat worker's event loop for 50 ms to 1 s,
and an import of 320,000 records took 8.7-9.2 s instead of 6.7-6.9 s.

`collect_less_often()`, called once everything is loaded:
- moves the objects loaded so far to the permanent generation (`gc.freeze`), which
  collections skip;
- raises the thresholds. Python starts a full collection when the objects promoted since the
  last one exceed a quarter of those that survived it; with the application frozen only the
  new objects count there, and short-lived objects that happened to be alive at a collection
  (reference counting frees them anyway) set off a full collection every few seconds. A larger
  first generation lets them die before any collection sees them, and full collections are
  considered after 100 collections of the second generation instead of 10.

Unreachable cycles are still collected, only later. Only for a process of its own: not in the
test process, where frozen objects would stay frozen for every later test.
"""

import gc

# Python's default: (700, 10, 10).
THRESHOLDS = (50_000, 20, 100)


def collect_less_often() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
