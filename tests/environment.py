"""Loaded with `-p tests.environment` before Django is set up: the environment every test run shares.

The suite runs the site under a base path, with a legacy path, so every URL the tests use proves the
base-path wiring. Values already in the environment win.
"""

import os

os.environ.setdefault("TRACKER_BASE_PATH", "/loreal-prod-tracker")
os.environ.setdefault("TRACKER_LEGACY_BASE_PATHS", "/dow-prod-tracker")
os.environ.setdefault("TRACKER_BRAND_NAME", "L'Oréal Studio Tracker")
os.environ.setdefault("TRACKER_SIDEBAR_COLOUR", "#000000")
os.environ.setdefault("BRIEF_WEBHOOK_SECRET", "test-brief-secret")
os.environ.setdefault("OMG_WEBHOOK_SECRET", "test-omg-secret")
os.environ.setdefault("DELIVERABLE_WEBHOOK_SECRET", "test-deliverable-secret")
# Tasks run in-process unless a test asks for a real worker (the `celery_worker_process` fixture).
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
