"""Alerting: the breach scan records missed and at-risk targets (`breach_scan`; a target met late
before the scan saw it is recorded when it is met, by `met_late`), their messages
are written in a second step (`alerts`), breaches still unmet climb the hierarchy
(`escalation`), and those who chose it get one digest an hour (`digests`). What each message
says is declared in tickets.letters."""
