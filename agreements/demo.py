"""The demo catalogue: two business calendars, each department's services with their request
forms, and agreements between the departments.

Agreements go through their real life cycle (the provider's head drafts and proposes, each
customer's head accepts), then the ones in force are dated back half a year, so that the demo
requests of the last months fall under them. Running it again changes nothing: calendars and
services are matched by name, and an agreement whose title its provider already uses is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from agreements.holidays import default_years, import_public_holidays
from agreements.models import (
    Agreement,
    ApprovalStep,
    BusinessCalendar,
    GroupRule,
    Priority,
    Service,
)
from agreements.services import Targets, agreement_accept, agreement_propose, agreement_save_draft
from agreements.weekly_hours import default_weekly_hours
from departments.models import Department

CHINA_OFFICE = "China office"
AROUND_THE_CLOCK = "24x7 operations"

HOUR = timedelta(hours=1)
WORKING_DAY = 7.5 * HOUR
# Targets follow the calendar they are counted on.
TARGETS: dict[str, Targets] = {
    CHINA_OFFICE: {
        Priority.P1: (1 * HOUR, 4 * HOUR),
        Priority.P2: (4 * HOUR, 2 * WORKING_DAY),
        Priority.P3: (8 * HOUR, 5 * WORKING_DAY),
        Priority.P4: (16 * HOUR, 10 * WORKING_DAY),
    },
    AROUND_THE_CLOCK: {
        Priority.P1: (timedelta(minutes=15), 4 * HOUR),
        Priority.P2: (1 * HOUR, 8 * HOUR),
        Priority.P3: (4 * HOUR, 24 * HOUR),
        Priority.P4: (8 * HOUR, 72 * HOUR),
    },
}
# How far back the agreements in force were signed: before the oldest demo request.
IN_FORCE_FOR = timedelta(days=180)
PURCHASE_CONDITION = "purchases over 10,000"
LANGUAGES = ["Chinese", "English"]

# provider code -> [(name, default priority, description, request form fields)], a form field
# being (name, label, type, required[, choices]).
SERVICES: dict[str, list[tuple[str, str, str, list[tuple]]]] = {
    "FIN": [
        (
            "Payroll data extract",
            Priority.P3,
            "Salary and headcount cost per cost centre for one month, for budgets and forecasts.",
            [
                ("month", "Which month", "date", True),
                ("cost_centre", "Cost centre", "text", True),
                ("file_format", "Format", "choice", False, ["XLSX", "CSV"]),
            ],
        ),
        (
            "Expense reimbursement",
            Priority.P3,
            "Pay back business expenses paid out of your own pocket, with the receipts.",
            [
                ("amount", "Amount", "number", True),
                ("currency", "Currency", "choice", True, ["CNY", "USD"]),
                ("purpose", "Business purpose", "long_text", True),
                ("receipts", "Receipts (one PDF)", "file", True),
            ],
        ),
        (
            "Budget approval",
            Priority.P2,
            "Approval of spending outside the department's approved budget.",
            [
                ("amount", "Amount (CNY)", "number", True),
                ("justification", "Why it is needed", "long_text", True),
                ("needed_by", "Needed by", "date", False),
            ],
        ),
    ],
    "HR": [
        (
            "Employment certificate",
            Priority.P3,
            "A signed certificate of employment and salary, e.g. for a visa or a bank.",
            [
                ("purpose", "What it is for", "choice", True, ["Visa", "Bank loan", "Other"]),
                ("language", "Language", "choice", False, LANGUAGES),
                ("copies", "Number of copies", "number", False),
            ],
        ),
        (
            "Payroll data correction",
            Priority.P2,
            "Fix a wrong salary, allowance or deduction in the payroll of one month.",
            [
                ("employee_id", "Employee number", "text", True),
                ("month", "Payroll month", "date", True),
                ("what_is_wrong", "What is wrong", "long_text", True),
                ("evidence", "Supporting document", "file", False),
            ],
        ),
    ],
    "LEGAL": [
        (
            "Contract review",
            Priority.P3,
            "Review of a contract with a customer or supplier before it is signed.",
            [
                ("counterparty", "Counterparty", "text", True),
                ("contract_value", "Contract value (CNY)", "number", False),
                ("contract", "The contract", "file", True),
                ("sign_by", "To be signed by", "date", False),
            ],
        ),
        (
            "NDA",
            Priority.P3,
            "A non-disclosure agreement on the company template.",
            [
                ("counterparty", "Counterparty", "text", True),
                ("kind", "Kind", "choice", True, ["Mutual", "One-way"]),
                ("purpose", "What will be shared", "long_text", False),
            ],
        ),
    ],
    "IT": [
        (
            "New laptop",
            Priority.P3,
            "A laptop, set up and enrolled, for a new joiner or to replace a broken one.",
            [
                ("for_whom", "For whom", "text", True),
                ("model", "Model", "choice", True, ["Standard 14-inch", "Developer 16-inch"]),
                ("needed_by", "Needed by", "date", True),
            ],
        ),
        (
            "Access request",
            Priority.P3,
            "Access to a system, a shared folder or a mailing list.",
            [
                ("system", "System", "text", True),
                ("access_level", "Access level", "choice", True, ["Read", "Write", "Admin"]),
                ("reason", "Why you need it", "long_text", True),
            ],
        ),
        (
            "Incident",
            Priority.P2,
            "Something is broken or down: e-mail, network, a business application.",
            [
                ("what_happened", "What happened", "long_text", True),
                ("people_affected", "How many people are affected", "number", False),
                ("screenshot", "Screenshot", "file", False),
            ],
        ),
    ],
    "PROC": [
        (
            "Purchase request",
            Priority.P3,
            "Buy goods or services from a supplier; purchases over 10,000 need approval.",
            [
                ("item", "What to buy", "long_text", True),
                ("supplier", "Preferred supplier", "text", False),
                ("amount", "Estimated amount (CNY)", "number", True),
                ("quote", "Supplier quote", "file", False),
                ("needed_by", "Needed by", "date", False),
            ],
        ),
        (
            "Supplier onboarding",
            Priority.P4,
            "Register a new supplier: due diligence, bank details and payment terms.",
            [
                ("supplier", "Supplier name", "text", True),
                ("licence", "Business licence", "file", True),
                ("contact", "Contact person and e-mail", "text", False),
            ],
        ),
    ],
    "MKT": [
        (
            "Campaign brief",
            Priority.P3,
            "Plan a campaign with Marketing: audience, message, channels and budget.",
            [
                ("goal", "Goal of the campaign", "long_text", True),
                ("audience", "Audience", "text", True),
                ("launch", "Launch date", "date", False),
                ("budget", "Budget (CNY)", "number", False),
            ],
        ),
        (
            "Brand asset request",
            Priority.P4,
            "Logos, templates, product photos or a slide designed on brand.",
            [
                ("asset", "What you need", "choice", True, ["Logo", "Template", "Photo", "Design"]),
                ("details", "Details", "long_text", False),
                ("needed_by", "Needed by", "date", False),
            ],
        ),
    ],
    "RND": [
        (
            "Product data sheet",
            Priority.P3,
            "Technical specifications of a product, checked by R&D, for a customer or a catalogue.",
            [
                ("product", "Product", "text", True),
                ("language", "Language", "choice", False, LANGUAGES),
                ("needed_by", "Needed by", "date", False),
            ],
        ),
        (
            "Technical review",
            Priority.P3,
            "An engineer's opinion on a customer requirement, a tender or an integration.",
            [
                ("question", "The question", "long_text", True),
                ("documents", "Documents", "file", False),
            ],
        ),
    ],
    "SALES": [
        (
            "Customer reference",
            Priority.P4,
            "A customer who agrees to speak about us, for a case study or a prospect's call.",
            [
                ("industry", "Industry", "text", True),
                ("use", "What it is for", "long_text", True),
            ],
        ),
        (
            "Pricing quote",
            Priority.P2,
            "A priced offer for a prospect, with discounts approved by Sales.",
            [
                ("customer", "Customer", "text", True),
                ("products", "Products and quantities", "long_text", True),
                ("valid_until", "Quote valid until", "date", False),
            ],
        ),
    ],
}


DEMO_ANSWER_WITHIN = timedelta(hours=4)


@dataclass(frozen=True)
class DemoAgreement:
    provider: str
    title: str
    services: tuple[str, ...]
    customers: tuple[str, ...] = ()  # none: company-wide, accepted by the administrator
    relationship: str = Agreement.Relationship.FUNCTIONAL
    calendar: str = CHINA_OFFICE
    approval_windows: tuple[tuple[int, timedelta], ...] = ()
    stage: str = Agreement.Status.ACTIVE  # how far through the life cycle it goes
    pauses_for_hand_offs: bool = False


AGREEMENTS = [
    DemoAgreement(
        "FIN",
        "Finance services for Sales and Marketing",
        ("Payroll data extract", "Expense reimbursement"),
        ("SALES", "MKT"),
        # Finance hands the IT part of an extract (a laptop for a new hire) off to IT.
        pauses_for_hand_offs=True,
    ),
    DemoAgreement(
        "HR",
        "HR services for Finance, Sales and R&D",
        ("Employment certificate", "Payroll data correction"),
        ("FIN", "SALES", "RND"),
    ),
    DemoAgreement(
        "LEGAL",
        "Legal services for Sales, Procurement and R&D",
        ("Contract review", "NDA"),
        ("SALES", "PROC", "RND"),
    ),
    DemoAgreement("IT", "IT services for the whole company", ("New laptop", "Access request")),
    DemoAgreement(
        "IT",
        "IT incident response, around the clock",
        ("Incident",),
        calendar=AROUND_THE_CLOCK,
    ),
    DemoAgreement(
        "PROC",
        "Purchasing for Finance, R&D, Marketing and IT",
        ("Purchase request", "Supplier onboarding"),
        ("FIN", "RND", "MKT", "IT"),
        relationship=Agreement.Relationship.PROCESS,
        approval_windows=((1, 8 * HOUR), (2, 16 * HOUR), (3, 16 * HOUR)),
    ),
    DemoAgreement(
        "MKT",
        "Marketing services for Sales and R&D",
        ("Campaign brief", "Brand asset request"),
        ("SALES", "RND"),
    ),
    DemoAgreement(
        "RND",
        "R&D services for Marketing and Sales",
        ("Product data sheet", "Technical review"),
        ("MKT", "SALES"),
    ),
    DemoAgreement(
        "SALES",
        "Sales support for the Executive Office and Marketing",
        ("Customer reference", "Pricing quote"),
        ("EXEC", "MKT"),
        relationship=Agreement.Relationship.HIERARCHICAL,
    ),
    # Waiting for the head of Sales to sign; no agreement in force covers budget approval yet.
    DemoAgreement(
        "FIN",
        "Budget approval for Sales",
        ("Budget approval",),
        ("SALES",),
        stage=Agreement.Status.PROPOSED,
    ),
    # Still being written; Marketing has no agreement with Legal yet.
    DemoAgreement(
        "LEGAL",
        "Legal services for Marketing",
        ("Contract review", "NDA"),
        ("MKT",),
        stage=Agreement.Status.DRAFT,
    ),
]


def seed(log) -> None:
    """Create or update the demo catalogue; running it again changes nothing."""
    signed_at = timezone.now() - IN_FORCE_FOR
    calendars = _seed_calendars(log, since=signed_at)
    departments = {department.code: department for department in Department.objects.with_head()}
    services = _seed_services(departments)
    _seed_approval_chain(services[("PROC", "Purchase request")], departments["FIN"])
    for demo in AGREEMENTS:
        _seed_agreement(demo, calendars, departments, services, signed_at)
    in_force = Agreement.objects.filter(status=Agreement.Status.ACTIVE).count()
    log(f"catalogue: {len(services)} services, {in_force} agreements in force")


def _seed_calendars(log, *, since: datetime) -> dict[str, BusinessCalendar]:
    """The office calendar, with the holidays of this year, the next, and the demo's past."""
    office, _ = BusinessCalendar.objects.update_or_create(
        name=CHINA_OFFICE,
        defaults={
            "time_zone": "Asia/Shanghai",
            "weekly_hours": default_weekly_hours(),
            "country": "CN",
        },
    )
    around_the_clock, _ = BusinessCalendar.objects.update_or_create(
        name=AROUND_THE_CLOCK,
        defaults={
            "time_zone": "Asia/Shanghai",
            "weekly_hours": {str(day): [["00:00", "24:00"]] for day in range(7)},
            "country": "",
        },
    )
    years = sorted({timezone.localdate(since).year, *default_years(timezone.localdate())})
    result = import_public_holidays(office, years)
    note = ""
    if result.fallback_years:
        note += f"; {_listed(result.fallback_years)} from the holidays library, to check"
    if result.unknown_years:
        note += f"; no data for {_listed(result.unknown_years)}"
    log(
        f"calendars: {CHINA_OFFICE} with {office.days.count()} holidays and make-up days "
        f"({_listed(years)}{note}), {AROUND_THE_CLOCK}"
    )
    return {CHINA_OFFICE: office, AROUND_THE_CLOCK: around_the_clock}


def _seed_services(departments: dict[str, Department]) -> dict[tuple[str, str], Service]:
    services = {}
    for code, offered in SERVICES.items():
        for name, priority, description, fields in offered:
            services[code, name], _ = Service.objects.update_or_create(
                provider=departments[code],
                name=name,
                defaults={
                    "description": description,
                    "default_priority": priority,
                    "form_fields": [_form_field(*field) for field in fields],
                    "is_active": True,
                },
            )
    return services


def _form_field(
    name: str, label: str, kind: str, required: bool, choices: list[str] | None = None
) -> dict:
    """A field in the schema of agreements.form_schema."""
    field = {"name": name, "label": label, "type": kind, "required": required}
    if choices:
        field["choices"] = choices
    return field


def _seed_approval_chain(purchase: Service, finance: Department) -> None:
    """Every purchase: the requester's own head; over 10,000, then the head of Finance or the
    CFO, whichever decides first (a parallel "any of" group)."""
    cfo = get_user_model().objects.get(username="cfo")
    over = {"condition_field": "amount", "condition_operator": "gt", "condition_value": "10000"}
    steps = [
        {"approver": ApprovalStep.Approver.REQUESTER_HEAD, "description": ""},
        {
            "approver": ApprovalStep.Approver.DEPARTMENT_HEAD,
            "department": finance,
            "group_rule": GroupRule.ANY,
            "description": PURCHASE_CONDITION,
            **over,
        },
        {
            "approver": ApprovalStep.Approver.PERSON,
            "person": cfo,
            "with_previous": True,
            "group_rule": GroupRule.ANY,
            "description": PURCHASE_CONDITION,
            **over,
        },
    ]
    for position, step in enumerate(steps, start=1):
        ApprovalStep.objects.update_or_create(
            service=purchase,
            position=position,
            defaults={"person": None, "department": None, **step},
        )


def _seed_agreement(
    demo: DemoAgreement,
    calendars: dict[str, BusinessCalendar],
    departments: dict[str, Department],
    services: dict[tuple[str, str], Service],
    signed_at: datetime,
) -> None:
    provider = departments[demo.provider]
    if Agreement.objects.filter(provider=provider, title=demo.title).exists():
        return
    head = provider.head
    customers = [departments[code] for code in demo.customers]
    in_force = demo.stage == Agreement.Status.ACTIVE
    agreement = agreement_save_draft(
        agreement=Agreement(
            provider=provider,
            title=demo.title,
            calendar=calendars[demo.calendar],
            relationship=demo.relationship,
            pauses_for_hand_offs=demo.pauses_for_hand_offs,
            all_customers=not customers,
            # The customer's side of the bargain (rule of the clock 8).
            requester_answer_within=DEMO_ANSWER_WITHIN,
            customer_duties="A complete request: the form filled in, the files it asks for.",
            valid_from=timezone.localdate(signed_at) if in_force else timezone.localdate(),
        ),
        by=head,
        revision=None,
        services=[services[demo.provider, name] for name in demo.services],
        customers=customers,
        targets=TARGETS[demo.calendar],
        approval_windows=dict(demo.approval_windows),
    )
    if demo.stage == Agreement.Status.DRAFT:
        return
    agreement = agreement_propose(agreement_id=agreement.pk, by=head, revision=agreement.revision)
    if not in_force:
        return
    admin = get_user_model().objects.get(username="admin")
    for customer in customers or [None]:
        agreement = agreement_accept(
            agreement_id=agreement.pk,
            by=customer.head if customer else admin,
            department=customer,
            revision=agreement.revision,
        )
    _date_back(agreement, to=signed_at)


def _date_back(agreement: Agreement, *, to: datetime) -> None:
    """Move the agreement's history back to `to`, keeping its order: the demo company signed it
    months ago, before the demo requests filed under it."""
    shift = agreement.created_at - to
    Agreement.objects.filter(pk=agreement.pk).update(
        created_at=F("created_at") - shift,
        proposed_at=F("proposed_at") - shift,
        activated_at=F("activated_at") - shift,
    )
    agreement.events.update(at=F("at") - shift)
    agreement.sign_offs.update(decided_at=F("decided_at") - shift)


def _listed(years: list[int]) -> str:
    return ", ".join(str(year) for year in years)
