"""Sent when a dispute waives a breach, after the request's waived column is written.

A signal because the need goes upward: the dashboards (above disputes in the app order) must
recount the day of the request's filing, whose daily totals may have been settled already."""

from django.dispatch import Signal

# Sent with `ticket` (the request whose breach was waived).
breach_waived = Signal()
