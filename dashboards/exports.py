"""The tables of the dashboards as spreadsheet rows (the header first), for common.spreadsheets.
Figures are numbers, not formatted text, so that a spreadsheet can compute with them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from common import figures
from dashboards.approvals import ApprovalFigures, ApproverRow
from dashboards.compliance import Compliance, Group
from dashboards.scorecard import HeatMap, ScoreRow
from dashboards.selectors import CUSTOMER, Dashboard
from tickets.models import Ticket

DASHBOARD_TABLES = ("summary", "trend", "services", "departments", "priorities", "chains")
SCORECARD_TABLES = ("scorecard", "heatmap")


def _figure_header() -> list[str]:
    return [
        _("Requests"),
        _("No agreement"),
        _("First response met"),
        _("First response breached"),
        _("First response pending"),
        _("First response waived"),
        _("First response compliance (%)"),
        _("Resolution met"),
        _("Resolution breached"),
        _("Resolution pending"),
        _("Resolution waived"),
        _("Resolution compliance (%)"),
        _("Ratings"),
        _("Average rating"),
        _("Resolved"),
        _("Confirmed"),
        _("Confirmed automatically"),
        _("Confirmation rate (%)"),
        _("Confirmed automatically (%)"),
        # Counts last: a spreadsheet reader drops a row's empty cells at its end.
        _("Answer duty kept (%)"),
        _("Answer duty met"),
        _("Answer duty breached"),
    ]


def _figures(c: Compliance) -> list:
    return [
        c.received,
        c.no_agreement,
        c.first_response_met,
        c.first_response_breached,
        c.first_response_pending,
        c.first_response_waived,
        figures.percent(c.first_response_rate),
        c.resolution_met,
        c.resolution_breached,
        c.resolution_pending,
        c.resolution_waived,
        figures.percent(c.resolution_rate),
        c.rated,
        figures.rating(c.mean_rating),
        c.resolved,
        c.confirmed,
        c.auto_confirmed,
        figures.percent(c.confirmation_rate),
        figures.percent(c.auto_confirmed_share),
        figures.percent(c.duty_rate),
        c.duty_met,
        c.duty_breached,
    ]


def _groups(first: str, groups: Iterable[Group]) -> Iterator[list]:
    yield [first, *_figure_header()]
    for group in groups:
        yield [group.label, *_figures(group.figures)]


def dashboard_rows(dashboard: Dashboard, table: str) -> Iterator[list]:
    """One table of a department dashboard."""
    if table == "summary":
        yield [_("Department"), _("From"), _("To"), *_figure_header()]
        yield [
            dashboard.department.name,
            dashboard.period.first,
            dashboard.period.last,
            *_figures(dashboard.summary),
        ]
    elif table == "trend":
        yield [_("Week of"), *_figure_header()]
        for point in dashboard.trend:
            yield [point.week, *_figures(point.figures)]
    elif table == "services":
        yield from _groups(_("Service"), dashboard.by_service)
    elif table == "departments":
        other = _("Supplier") if dashboard.side == CUSTOMER else _("Customer")
        yield from _groups(other, dashboard.by_department)
    elif table == "priorities":
        yield from _groups(_("Priority"), dashboard.by_priority)
    elif table == "chains":
        yield [_("Chain"), _("Finished"), _("Request"), _("Department"), _("Working hours"),
               _("Targets met")]  # fmt: skip
        for chain in dashboard.chains:
            for segment in chain.segments:
                yield [
                    chain.parent.reference,
                    chain.finished_at,
                    segment.reference,
                    segment.department.name,
                    figures.hours(segment.working_time),
                    segment.met,
                ]


def _approval_header() -> list[str]:
    return [
        _("Approvals met"),
        _("Approvals breached"),
        _("Approvals pending"),
        _("Approval compliance (%)"),
    ]


def _approval_figures(a: ApprovalFigures) -> list:
    return [a.met, a.breached, a.pending, figures.percent(a.rate)]


def approval_rows(approvers: list[ApproverRow]) -> Iterator[list]:
    """The approvers of a department with their approval windows met and breached."""
    yield [_("Approver"), _("Username"), *_approval_header()]
    for row in approvers:
        person = row.approver
        yield [
            person.get_full_name() or person.get_username(),
            person.get_username(),
            *_approval_figures(row.figures),
        ]


def request_rows(tickets: QuerySet[Ticket]) -> Iterator[list]:
    """The requests behind a figure, read in chunks: a long period streams in constant memory."""
    yield [
        _("Request"),
        _("Title"),
        _("Service"),
        _("Supplier"),
        _("Customer"),
        _("Priority"),
        _("Status"),
        _("Filed"),
        _("First response due"),
        _("First response"),
        _("Resolution due"),
        _("Resolved"),
        _("Rating"),
        _("Assignee"),
    ]
    rows = tickets.select_related("service", "provider", "customer", "assignee")
    for ticket in rows.prefetch_related(None).iterator(chunk_size=2000):
        yield [
            ticket.reference,
            ticket.title,
            ticket.service.name,
            ticket.provider.name,
            ticket.customer.name,
            ticket.get_priority_display(),
            ticket.get_status_display(),
            ticket.filed_at,
            ticket.first_response_due_at,
            ticket.first_responded_at,
            ticket.resolution_due_at,
            ticket.resolved_at,
            ticket.rating,
            ticket.assignee.get_username() if ticket.assignee else None,
        ]


def scorecard_rows(rows: list[ScoreRow]) -> Iterator[list]:
    yield [
        _("Rank"),
        _("Department"),
        _("Compliance (%)"),
        _("Targets met"),
        _("Targets decided"),
        _("Waived"),
        _("Previous period (%)"),
        _("Trend (points)"),
        _("Survey score"),
        _("Survey responses"),
        _("Complaints"),
        _("Suggestions"),
        _("Median response to complaints (working hours)"),
        _("As customer: answer duty met"),
        _("As customer: answer duty breached"),
        _("As customer: answer duty kept (%)"),
        *_figure_header(),
        *_approval_header(),
    ]
    for row in rows:
        yield [
            row.rank,
            row.department.name,
            figures.percent(row.current.rate),
            row.current.met,
            row.current.decided,
            row.waived,
            figures.percent(row.previous.rate),
            figures.percent(row.trend),
            figures.rating(row.survey.score) if row.survey else None,
            row.survey.responses if row.survey else None,
            row.complaints,
            row.feedback.suggestions if row.feedback else 0,
            figures.hours(row.complaint_response),
            row.duty_met,
            row.duty_breached,
            figures.percent(row.duties.duty_rate),
            *_figures(row.current),
            *_approval_figures(row.approval),
        ]


def heat_map_rows(heat_map: HeatMap) -> Iterator[list]:
    yield [_("Supplier"), _("Customer"), *_figure_header(), _("Compliance (%)")]
    for supplier, cells in heat_map.rows():
        for customer, cell in cells:
            if cell is not None:
                yield [supplier.name, customer.name, *_figures(cell), figures.percent(cell.rate)]
