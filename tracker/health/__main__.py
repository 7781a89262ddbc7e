"""`python -m tracker.health heartbeat`: exit 0 when a worker ran the heartbeat task recently, else print why and
exit 1. The beat container's health check: beat has no port to probe, and the heartbeat is what beat sends."""

import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    import datetime

    from django.conf import settings
    from health_check.exceptions import HealthCheckException

    from tracker.health.checks import WorkerHeartbeat

    if sys.argv[1:] != ["heartbeat"]:
        print("usage: python -m tracker.health heartbeat", file=sys.stderr)
        return 2
    try:
        WorkerHeartbeat(max_age=datetime.timedelta(seconds=settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS)).run()
    except HealthCheckException as error:
        print(error, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
