"""Helpers for the test suites of every app (imported by tests only)."""

from __future__ import annotations

import threading

from django.db import connection


def run_threads(target, args_list, join_timeout: float = 120):
    """Run `target(*args)` in one thread per args, all released at once by a barrier, each closing its own database
    connection; returns [("ok", value) | ("error", exception)] in the order of `args_list`."""
    barrier = threading.Barrier(len(args_list))
    results = [None] * len(args_list)

    def runner(index, args):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", target(*args))
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, a)) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=join_timeout)
    return results
