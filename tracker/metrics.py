"""Prometheus metrics: what the webhooks, the outbound deliveries, the Box pushes and the Celery workers did.

prometheus_client directly rather than django-prometheus: we want a handful of domain counters, several of them
counted in Celery workers rather than in web requests, not a middleware timing every view and model. The counters
are plain module-level objects the edges call through the functions below (one per thing counted).

Several processes: gunicorn runs several workers and Celery several more, and a scrape reaches one of them. With
PROMETHEUS_MULTIPROC_DIR set (it must be in the environment before this module is imported, so set it for web,
worker and beat alike), prometheus_client's multiprocess mode has every process write its samples to files in
that directory and the endpoint sums them, so one scrape sees every process on the host that shares the
directory. Without it (development, the test suite) the samples live in this process. Counters survive a process
exit (its file stays, which is what a counter should do); the directory is emptied only when the stack restarts
(a tmpfs volume).

The queue depth is not counted anywhere: it is read from the Redis broker at scrape time.
"""

import logging
import os
import socket
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Each process creates its sample files there on its first count: the directory must exist by then.
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
    # The files are named by process; containers sharing the directory (web, worker and beat in compose) each
    # number their processes from 1, so the host name goes into the name too.
    values.ValueClass = values.MultiProcessValue(lambda: f"{socket.gethostname()}-{os.getpid()}")

WEBHOOKS = Counter(
    "tracker_webhooks_total",
    "Calls to the inbound webhooks, by route and outcome (accepted, rejected, rate_limited, failed).",
    ["route", "outcome"],
)
OUTBOUND_DELIVERIES = Counter(
    "tracker_outbound_attempts_total",
    "Outbound webhook attempts, by outcome (succeeded, failed: an error status, a timeout or a refused address).",
    ["outcome"],
)
OUTBOUND_LATENCY = Histogram(
    "tracker_outbound_attempt_seconds",
    "How long an outbound webhook attempt took, from the request to the end of the answer.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
BOX_PUSHES = Counter(
    "tracker_box_push_attempts_total",
    "Box push attempts, by outcome (sent, retry, failed).",
    ["outcome"],
)
TASK_FAILURES = Counter(
    "tracker_celery_task_failures_total",
    "Celery tasks that raised (each failed run, retries included), by task name.",
    ["task"],
)


def webhook_outcome(status_code: int, outcome: str = "") -> str:
    """How a webhook call ended, from its answer: the same buckets as the receipt log (an adapter's 2xx may be
    ignored, stale or duplicate), plus the rate limit."""
    if status_code < 400:
        return (outcome or "accepted").lower()
    if status_code == 429:
        return "rate_limited"
    return "rejected" if status_code < 500 else "failed"


def webhook_answered(*, route: str, status_code: int, outcome: str = "") -> None:
    """Count one answered webhook call. Every receiver calls this once per call, whatever the answer."""
    WEBHOOKS.labels(route=route, outcome=webhook_outcome(status_code, outcome)).inc()


def outbound_attempt_finished(*, succeeded: bool, duration_ms: int | None) -> None:
    OUTBOUND_DELIVERIES.labels(outcome="succeeded" if succeeded else "failed").inc()
    if duration_ms is not None:
        OUTBOUND_LATENCY.observe(duration_ms / 1000)


def box_push_finished(*, outcome: str) -> None:
    BOX_PUSHES.labels(outcome=outcome).inc()


def celery_task_failure(sender=None, **kwargs) -> None:
    """Celery `task_failure` signal."""
    TASK_FAILURES.labels(task=getattr(sender, "name", None) or "unknown").inc()


# --- The queue depth, read from the broker at scrape time -----------------------------------------------------
# kombu's Redis transport keeps one list per queue and priority step ("celery", "celery\x06\x163", ...).
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (0, 3, 6, 9)


def _queue_keys(queue: str) -> list[str]:
    return [queue if step == 0 else f"{queue}{_PRIORITY_SEPARATOR}{step}" for step in _PRIORITY_STEPS]


class QueueDepthCollector:
    """`tracker_celery_queue_depth{queue}`: messages waiting in each queue the tracker sends to. Nothing (and a
    logged warning) when the broker is not Redis or does not answer within a fraction of a second: a scrape must
    never hang on the broker it is meant to report on."""

    def __init__(self, broker_url: str, queues: Iterable[str], timeout: float = 0.5):
        self.broker_url, self.queues, self.timeout = broker_url, list(queues), timeout

    def collect(self):
        if not self.broker_url.startswith(("redis://", "rediss://")):
            return
        import redis

        gauge = GaugeMetricFamily(
            "tracker_celery_queue_depth", "Messages waiting in a Celery queue (read from the broker).", labels=["queue"]
        )
        try:
            client = redis.Redis.from_url(
                self.broker_url, socket_connect_timeout=self.timeout, socket_timeout=self.timeout
            )
            with client.pipeline(transaction=False) as pipe:
                for queue in self.queues:
                    for key in _queue_keys(queue):
                        pipe.llen(key)
                lengths = pipe.execute()
            client.close()
        except Exception:
            logger.warning("metrics.queue_depth_unavailable", exc_info=True)
            return
        steps = len(_PRIORITY_STEPS)
        for index, queue in enumerate(self.queues):
            gauge.add_metric([queue], sum(lengths[index * steps : (index + 1) * steps]))
        yield gauge


def render(*, broker_url: str, queues: Iterable[str]) -> bytes:
    """The exposition text for one scrape: every process's samples (multiprocess mode) or this one's, plus the
    queue depth."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        for collector in (WEBHOOKS, OUTBOUND_DELIVERIES, OUTBOUND_LATENCY, BOX_PUSHES, TASK_FAILURES):
            registry.register(collector)
    registry.register(QueueDepthCollector(broker_url, queues))
    return generate_latest(registry)
