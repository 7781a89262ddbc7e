import asyncio

from django.http import JsonResponse
from health_check.views import HealthCheckView

from tracker.health.checks import liveness_checks, readiness_checks


class HealthView(HealthCheckView):
    """django-health-check's view, answering JSON only, by check name:
    `{"status": "ok" | "unavailable", "checks": {"database": "OK", "cache": "Unexpected Result: ..."}, "failed": [...]}`
    with 200, or 503 when any check failed (a load balancer's "not ready"; the library's own answer is 500)."""

    named_checks = staticmethod(liveness_checks)  # as_view(named_checks=...) picks the set

    def get_checks(self):
        yield from self.named_checks().values()

    async def get(self, request, *args, **kwargs):
        named = self.named_checks()
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in named.values()))
        outcomes = dict(zip(named, results, strict=True))
        checks = {name: "OK" if result.error is None else str(result.error) for name, result in outcomes.items()}
        failed = [name for name, result in outcomes.items() if result.error is not None]
        body = {"status": "unavailable" if failed else "ok", "checks": checks, "failed": failed}
        response = JsonResponse(body, status=503 if failed else 200)
        # Django logs every 5xx answer as an error (and Sentry would raise an issue for each probe); the failing
        # check is already logged by django-health-check, as a warning.
        response._has_been_logged = True
        return response


liveness = HealthView.as_view(named_checks=liveness_checks)
readiness = HealthView.as_view(named_checks=readiness_checks)
