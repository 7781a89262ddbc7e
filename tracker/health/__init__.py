"""Liveness (`/healthz`) and readiness (`/readyz`) for process managers, compose and load balancers.

Built on django-health-check: its own checks for the database, cache, broker (Redis) and media storage, and two
plugins of ours for what it has no check for, a worker heartbeat and migrations applied (`checks.py`).
"""
