from celery import shared_task


@shared_task(name="tracker.ping")
def ping(value: str) -> str:
    """Echo a value back: lets operations (and the CI worker test) prove a worker is consuming the queue."""
    return f"pong:{value}"
