"""The organisation: departments in a hierarchy, and the people in them with their roles."""

from __future__ import annotations

from datetime import date
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class DepartmentQuerySet(models.QuerySet["Department"]):
    def current(self) -> DepartmentQuerySet:
        """Departments not archived: those that may provide, file, sign and be surveyed."""
        return self.filter(archived_at__isnull=True)

    def with_head(self) -> DepartmentQuerySet:
        """Prefetch the head's membership so that `department.head` costs no query."""
        heads = Membership.objects.filter(role=Membership.Role.HEAD).select_related("user")
        return self.prefetch_related(
            models.Prefetch("memberships", heads, to_attr="head_memberships")
        )


class Department(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.SlugField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("A short unique code, e.g. FIN or IT; used in request numbers and exports."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    email = models.EmailField(
        _("e-mail"), blank=True, help_text=_("A shared mailbox of the department, if it has one.")
    )
    description = models.TextField(_("description"), blank=True)
    archived_at = models.DateTimeField(
        _("archived"),
        null=True,
        blank=True,
        help_text=_(
            "Set when the department left the company's directory: its agreements and requests "
            "stay readable, but it no longer provides services, files requests or is surveyed."
        ),
    )
    # The columns added since the first release have database defaults too: a process still
    # running the previous release inserts rows without them while an upgrade rolls out.
    directory_source = models.CharField(
        _("directory source"), max_length=20, blank=True, editable=False, db_default=""
    )
    directory_key = models.CharField(
        _("directory key"),
        max_length=255,
        blank=True,
        editable=False,
        db_default="",
        help_text=_("The department's stable id in the directory it is kept in step with."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="departments",
        verbose_name=_("members"),
    )

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        permissions = [
            ("view_company_reports", _("Can view company-wide reports and survey results")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["directory_source", "directory_key"],
                condition=~Q(directory_key=""),
                name="department_one_per_directory_key",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("departments:detail", args=[self.code])

    def clean(self) -> None:
        if self.code:
            self.code = self.code.upper()
        if self.parent_id is None or self.pk is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": _("A department cannot be its own parent.")})
        if self.pk in {ancestor.pk for ancestor in self.parent.ancestors()}:
            raise ValidationError(
                {
                    "parent": _(
                        "%(parent)s is inside %(department)s; choosing it as the parent would "
                        "make a cycle."
                    )
                    % {"parent": self.parent, "department": self}
                }
            )

    def is_headed_by(self, user) -> bool:
        return self.memberships.filter(user_id=user.pk, role=Membership.Role.HEAD).exists()

    def ancestors(self) -> list[Department]:
        """The chain of parents, nearest first (stops at a cycle rather than looping forever)."""
        chain: list[Department] = []
        seen = {self.pk}
        node = self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain

    @property
    def head(self):
        """The user heading this department, or None."""
        memberships = getattr(self, "head_memberships", None)
        if memberships is None:
            memberships = list(
                self.memberships.filter(role=Membership.Role.HEAD).select_related("user")
            )
        return memberships[0].user if memberships else None


class MembershipQuerySet(models.QuerySet["Membership"]):
    def heads(self) -> MembershipQuerySet:
        return self.filter(role=Membership.Role.HEAD)

    def agents(self) -> MembershipQuerySet:
        """Those who work a department's queue: its agents and its head."""
        return self.filter(role__in=[Membership.Role.AGENT, Membership.Role.HEAD])


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        AGENT = "agent", _("Agent")
        HEAD = "head", _("Head")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    title = models.CharField(_("job title"), max_length=120, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["department__name", "user__last_name", "user__first_name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"], name="membership_one_per_person_and_department"
            ),
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(role="head"),
                name="membership_one_head_per_department",
                violation_error_message=_("This department already has a head."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department} ({self.get_role_display()})"


class DelegationQuerySet(models.QuerySet["Delegation"]):
    def in_force(self, on: date) -> DelegationQuerySet:
        return self.filter(starts_on__lte=on, ends_on__gte=on)


class Delegation(models.Model):
    """While `person` is away, `delegate` makes their decisions (e.g. approvals)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="delegations",
        verbose_name=_("person away"),
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="delegations_received",
        verbose_name=_("delegate"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (inclusive)"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="delegation_ends_after_it_starts",
                violation_error_message=_("A delegation cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(delegate=models.F("person")),
                name="delegation_to_someone_else",
                violation_error_message=_("Delegate to someone else."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.delegate} ({self.starts_on} – {self.ends_on})"


def acting_for(user, on: date) -> list:
    """The people whose decisions `user` makes on `on`: themselves and whoever delegated to them."""
    delegators = (
        Delegation.objects.in_force(on).filter(delegate=user).values_list("person", flat=True)
    )
    return [user.pk, *delegators]


def validate_time_zone(name: str) -> None:
    if name and name not in available_timezones():
        raise ValidationError(_("%(name)s is not a known time zone.") % {"name": name})


class Delivery(models.TextChoices):
    """How a person receives one kind of message."""

    EMAIL = "email", _("E-mail now")
    DIGEST = "digest", _("Hourly digest")
    IN_APP = "in_app", _("In Accord only")


class Profile(models.Model):
    """Per-person preferences: the language Accord writes to them in, and how each kind of
    message reaches them (`deliveries`: kind name → Delivery; a kind not named is e-mailed)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    deliveries = models.JSONField(_("deliveries"), default=dict, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        db_default="",
        validators=[validate_time_zone],
        help_text=_("Dates and times are shown in this time zone; empty: the company's."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"


def chosen_deliveries(kind: str, user_ids) -> dict[int, str]:
    """How each of `user_ids` receives messages of `kind` (Delivery), in one query for all."""
    chosen = dict.fromkeys(user_ids, Delivery.EMAIL)
    for user_id, deliveries in Profile.objects.filter(
        user_id__in=chosen, deliveries__has_key=kind
    ).values_list("user_id", "deliveries"):
        if deliveries[kind] in Delivery.values:
            chosen[user_id] = deliveries[kind]
    return chosen


def preferred_language(user) -> str:
    profile = Profile.objects.filter(user=user).first()
    return profile.language if profile else settings.LANGUAGE_CODE


def preferred_languages(user_ids) -> dict[int, str]:
    """Each person's language, as preferred_language reads it, in one query for all of them."""
    languages = dict.fromkeys(user_ids, settings.LANGUAGE_CODE)
    languages.update(
        Profile.objects.filter(user_id__in=languages).values_list("user_id", "language")
    )
    return languages


def sees_company_reports(user) -> bool:
    """HR (the company-reports permission) and administrators: every department's dashboard and
    survey results."""
    return user.is_authenticated and user.has_perm("departments.view_company_reports")
