"""What the tests share, in one place: plain constants and functions to import, and fixtures
that tests/conftest.py loads as pytest plugins (a test asks for a fixture by name and never
imports it).

- clock: the instants of the tests (`at`, `MONDAY_9AM`, `NOW`, `LAUNCH`) and `clock_at`.
- world: Finance's agreement with Sales, its services and `file_request`.
- dashboards: `finance_week`, a hand-computed week of requests.
- surveys: campaigns, audiences and responses.
- smtp: a real SMTP server (`smtp_server`).
- celery: a real Celery worker, Redis down, and the fault tests' worker subprocesses.
- alerts: alert e-mails waiting in the outbox (`queued`), names that test the writing in.
- concurrency: `run_at_once`.
"""
