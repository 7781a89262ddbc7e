"""Run calls at the same instant on separate threads: how the race tests prove an operation is safe when it
runs concurrently with itself."""

import threading
from collections.abc import Callable, Sequence

from django.db import connection


def run_at_once(calls: Sequence[Callable[[], object]], timeout: float = 60) -> list:
    """Start every call together (a barrier releases them at once), each on its own thread and so on its own
    database connection, closed afterwards. Returns each call's result, or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = calls[index]()
        except Exception as error:  # returned to the test, which asserts on it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
