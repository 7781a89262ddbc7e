"""Email for the notifications that need action: recorded first (`OutgoingEmail`, an outbox), sent by Celery.

`outbox` records a notification's email when the recipient wants it at once and sends rows (the task and the
sweep), `digest` records the daily digests, `render` draws both from templates, `queue` hands rows to Celery by
task name. `tracker.services.notification_create` is the one caller that records a notification's email.
"""
