"""The checks of the scale-out proof (bench/scale_out.py), read from the database, the fakes and one scrape."""

from bench.processes import METRICS_TOKEN


def check(run, name: str, ok: bool, detail) -> None:
    run.checks[name] = {"ok": bool(ok), "detail": detail}


def verify(run) -> None:
    """Record each check of the run's outcome in `run.checks`."""
    from briefs.models import Brief
    from integrations.box.models import BoxPushLog
    from integrations.inbound.models import WebhookReceipt
    from integrations.outbound.models import OutboundDelivery
    from tracker.models import Event

    limit, flood = run.args.rate_limit, run.args.flood
    check(
        run,
        "rate limit exact across both instances",
        run.numbers["flood"] == {"200": limit, "429": flood - limit} and Brief.objects.count() == limit,
        {"allowed": limit, "answers": run.numbers["flood"], "briefs": Brief.objects.count()},
    )
    receipts = WebhookReceipt.objects.count()
    check(
        run,
        "every webhook call has its receipt",
        receipts == run.webhook_calls,
        {"calls": run.webhook_calls, "receipts": receipts},
    )

    pushes, box_problems = {}, []
    # What Box holds, not the upload calls it answered: an upload a killed worker started is stored by Box all the
    # same, and the attempt that takes the push over finds it there and records it instead of uploading again.
    files = [item for item in run.box.items.values() if item.type == "file"]
    versions = sum(len(item.versions) for item in files)
    for deliverable in run.deliverables:
        rows = BoxPushLog.objects.filter(deliverable=deliverable)
        push_ids = set(rows.values_list("push_id", flat=True))
        sent = list(rows.filter(outcome="sent"))
        pushes[deliverable.name] = {"pushes": len(push_ids), "sent": len(sent), "attempt_rows": rows.count()}
        if len(push_ids) != 1 or len(sent) != 1:
            box_problems.append(deliverable.name)
        elif len(run.box.items[sent[0].box_file_id].versions) != 1:
            box_problems.append(f"{deliverable.name}: more than one version in Box")
    recovered = BoxPushLog.objects.filter(requeued_count__gt=0).count()
    check(
        run,
        "every approval made exactly one Box push, in Box once",
        not box_problems and len(files) == versions == len(run.deliverables),
        {"problems": box_problems, "files_in_box": len(files), "versions": versions, "recovered_after_kill": recovered},
    )
    run.numbers["box"] = pushes

    outbound = {}
    ok = True
    for endpoint, receiver in zip(run.endpoints, run.receivers, strict=True):
        rows = OutboundDelivery.objects.filter(endpoint=endpoint)
        ids = set(rows.values_list("message_id", flat=True))
        got = [r.header("webhook-id") for r in receiver.requests]
        outbound[endpoint.url] = {
            "deliveries": rows.count(),
            "succeeded": rows.filter(status="succeeded").count(),
            "received": len(got),
            "distinct_received": len(set(got)),
            "revived": rows.filter(attempts__gt=1).count(),
        }
        # A delivery whose worker died mid-request goes out again with the same webhook-id (at least once).
        ok &= rows.count() == len(run.deliverables) == len(ids) and set(got) == ids
        ok &= rows.filter(status="succeeded").count() == len(ids)
        ok &= len(got) - len(set(got)) <= outbound[endpoint.url]["revived"]
    check(run, "one outbound delivery per approval and endpoint, received", ok, outbound)
    undispatched = Event.objects.filter(dispatched_at__isnull=True).count()
    check(run, "every event dispatched, nothing lost", undispatched == 0, {"undispatched": undispatched})
    check_metrics(run, receipts)


def check_metrics(run, receipts: int) -> None:
    import requests
    from prometheus_client.parser import text_string_to_metric_families

    answer = requests.get(f"{run.urls[1]}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10)
    samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            samples[key] = samples.get(key, 0) + sample.value
    webhooks = sum(v for (name, _), v in samples.items() if name == "tracker_webhooks_total")
    sent = samples.get(("tracker_box_push_attempts_total", (("outcome", "sent"),)), 0)
    check(
        run,
        "one scrape counts every process",
        answer.status_code == 200 and webhooks == receipts and sent == len(run.deliverables),
        {"webhooks_counted": webhooks, "receipts": receipts, "box_sent_counted": sent},
    )
