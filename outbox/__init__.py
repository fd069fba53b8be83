"""The outbox: every message Accord sends (e-mail today; chat and webhooks next) is a row written
in the transaction of the change it reports, then sent by a Celery task that claims it.

An app declares each kind of message it sends once (`outbox.kinds.Kind`: its template, what it
shows, when it no longer holds) and writes rows with `outbox.services.queue`; claiming, sending,
retrying with back-off, withdrawing what no longer holds and recovering stale claims happen here,
the same way for every kind. It imports only `departments` (recipients' languages)."""
