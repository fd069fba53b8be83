"""Services that departments supply, the agreements (internal SLAs) that govern them, and the
business calendars their clocks run on."""

from agreements.models.agreement import (
    Agreement,
    AgreementEvent,
    AgreementTarget,
    ApprovalWindow,
    Coverage,
    SignOff,
)
from agreements.models.calendars import (
    BusinessCalendar,
    CalendarClosure,
    CalendarDay,
    validate_time_zone,
)
from agreements.models.catalogue import ApprovalStep, AutoAssign, GroupRule, Priority, Service

__all__ = [
    "Agreement",
    "AgreementEvent",
    "AgreementTarget",
    "ApprovalStep",
    "ApprovalWindow",
    "AutoAssign",
    "BusinessCalendar",
    "CalendarClosure",
    "CalendarDay",
    "Coverage",
    "GroupRule",
    "Priority",
    "Service",
    "SignOff",
    "validate_time_zone",
]
