"""Django's Postgres backend, with the health check of a kept connection skipped while the connection is busy.

With CONN_HEALTH_CHECKS Django pings a kept connection (`SELECT 1`, a round trip) before the first query of every
request, so a connection the server dropped while it sat idle (a restart, a failover, an idle timeout) is replaced
instead of failing that request. A connection that finished a request a moment ago is almost never dead, and on
a busy worker that ping was one statement in eight of a webhook call. So the ping is made only when the connection
has been idle at least HEALTH_CHECK_AFTER_IDLE_SECONDS (the setting DATABASE_CONN_HEALTH_CHECK_AFTER_IDLE_SECONDS,
1 s; 0 pings before every request, as Django does): the rule connection pools such as HikariCP follow. A server
restart in the middle of a burst can then fail the next request of each busy worker, as it fails the requests in
flight; Django closes that connection and the one after gets a new one.
"""

import time

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    _last_request_end: float | None = None

    def close_if_unusable_or_obsolete(self):
        """Runs when a request starts and when it ends (Django's `close_old_connections`)."""
        now = time.monotonic()
        busy = self._last_request_end is not None and now - self._last_request_end < self.settings_dict.get(
            "HEALTH_CHECK_AFTER_IDLE_SECONDS", 0
        )
        super().close_if_unusable_or_obsolete()  # may close it, and marks it to be checked before its next use
        if self.connection is None:
            self._last_request_end = None
            return
        if busy:
            self.health_check_done = True  # used a moment ago: no ping
        self._last_request_end = now
