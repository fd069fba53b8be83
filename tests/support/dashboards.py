"""A hand-computed week of Finance's requests from Sales, for the dashboard tests.

Finance supplies Sales under the agreement of tests/support/world.py (China office calendar:
Monday to Friday, 09:00-12:00 and 13:30-18:00; P1 1 h / 4 h, P2 4 h / 8 h, P3 8 h / 40 h of
working time for first response / resolution). Every request is filed by `staff` for Sales and
worked by `agent` through tickets.services, as in the product; the dashboard is read at NOW,
Wednesday 25 November 2026 09:00.

- A (P2), filed Mon 09:00: acknowledged 10:00, resolved 15:00, confirmed and rated 4.
  First response met (1 h); resolution met (4.5 h).
- B (P2), filed Mon 09:00: acknowledged 14:30, exactly when due; still open.
  First response met (4 h); resolution breached (due Tue 09:30, still open).
- C (P2), filed Mon 09:00: the agent asks the requester at 15:00, who answers Tue 09:00;
  resolved Tue 12:00, rated 2. First response breached (4.5 h); resolution met: 7.5 h, the
  3 paused working hours not counted (due Tue 14:00, not Tue 09:30).
- D (P2), filed Mon 09:00: acknowledged 09:30, resolved 11:00 (2 h), reopened Tue 09:00,
  resolved again Tue 17:00. First response met (0.5 h); resolution breached: 8.5 h, the clock
  resumed where it stood (due Tue 16:30).
- E, filed Mon 09:00 on a service no agreement covers (P3), resolved 10:00: no targets.
- F (P1), filed Mon 09:00: nobody answers; the breach scan flags both targets at 16:00.
  (C's first response and D's second resolution, met late, were recorded as breaches when met:
  tickets.alerting.met_late.)
- G (P3), filed Tue 16:00: open, first response due Wed 16:30: pending.
- H (P2), filed Tue 17:00: open, first response due Wed 12:00: pending; about to breach from
  its warning time, Wed 11:00 (75 % of its 4 working hours), not yet at NOW.

First response 3 met, 2 breached, 2 pending: 60 %. Resolution 2 met, 3 breached, 2 pending: 40 %.
Working hours to first response 0.5, 1, 4, 4.5 (median 2.5 h, 90th percentile 4.35 h); to
resolution 4.5, 7.5, 8.5 (median 7.5 h, 90th percentile 8.3 h).
"""

import pytest

from agreements.models import Priority
from tests.support.clock import NOW, at
from tickets import services
from tickets.alerting.breach_scan import breach_scan
from tickets.workflow import Action

# The most queries a page may take, whatever the number of requests, services and departments:
# a dashboard reads its period from the requests in 17, one more when part of it comes from the
# daily totals, and one more to count the requests about to breach when there are over 20. The
# dashboard and the scorecard read complaints and suggestions in two more (feedback.selectors;
# four more when some were responded to in the period: their round starts and calendars), and
# their approvers' figures in two more (dashboards.approvals). The chains of hand-offs finished
# in the period take one more (three when there are some).
DASHBOARD_QUERIES = 24
REQUESTS_QUERIES = 16
SCORECARD_QUERIES = 16  # 15, one more when part of the period comes from the daily totals


@pytest.fixture
def finance_week(
    agreement, agent, staff, payroll_extract, unagreed_service, file_request, clock_at
):
    """The requests A to H of the table above, with time left frozen at NOW."""
    payroll, unagreed, file, travel = payroll_extract, unagreed_service, file_request, clock_at

    def act(ticket, by, action, when):
        travel(when)
        return services.ticket_transition(
            ticket_id=ticket.pk, by=by, action=action, expected_version=None
        )

    def confirm(ticket, when, rating):
        travel(when)
        services.ticket_confirm(ticket_id=ticket.pk, by=staff, expected_version=None, rating=rating)

    travel(at(23, 9))
    a = file(payroll, title="A", priority=Priority.P2)
    b = file(payroll, title="B", priority=Priority.P2)
    c = file(payroll, title="C", priority=Priority.P2)
    d = file(payroll, title="D", priority=Priority.P2)
    e = file(unagreed, title="E")
    f = file(payroll, title="F", priority=Priority.P1)
    act(d, agent, Action.ACKNOWLEDGE, at(23, 9, 30))
    act(a, agent, Action.ACKNOWLEDGE, at(23, 10))
    act(e, agent, Action.RESOLVE, at(23, 10))
    act(d, agent, Action.RESOLVE, at(23, 11))
    act(b, agent, Action.ACKNOWLEDGE, at(23, 14, 30))
    act(a, agent, Action.RESOLVE, at(23, 15))
    act(c, agent, Action.ASK, at(23, 15))
    confirm(a, at(23, 16), 4)
    breach_scan(now=at(23, 16))
    act(c, staff, Action.ANSWER, at(24, 9))
    act(d, staff, Action.REOPEN, at(24, 9))
    act(c, agent, Action.RESOLVE, at(24, 12))
    confirm(c, at(24, 13), 2)
    travel(at(24, 16))
    g = file(payroll, title="G", priority=Priority.P3)
    travel(at(24, 17))
    h = file(payroll, title="H", priority=Priority.P2)
    act(d, agent, Action.RESOLVE, at(24, 17))
    travel(NOW)
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "G": g, "H": h}
