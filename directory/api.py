"""The REST API of the organisation: departments (by code) and memberships. Everyone signed in
reads them, as the department pages show them (archived departments flagged); administrators
create and change them, through directory.organisation, under the directory sync's rules."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from agreements.serializers import DepartmentField, DepartmentSummarySerializer
from common.filters import valid_filters
from departments.models import Department, Membership
from directory import organisation
from directory.organisation_filters import DepartmentFilter, MembershipFilter
from tickets.serializers import PersonField, RefusesNulCharacters


class AdministratorsChange(BasePermission):
    """Everyone signed in reads; administrators change."""

    message = _("Only an administrator changes departments and memberships.")

    def has_permission(self, request: Request, view) -> bool:
        return request.method in SAFE_METHODS or request.user.is_superuser


class ParentField(RefusesNulCharacters, DepartmentField):
    pass


class DepartmentSerializer(serializers.ModelSerializer):
    parent = ParentField(required=False, allow_null=True)
    head = serializers.SerializerMethodField(help_text="The head's username.")
    member_count = serializers.IntegerField(read_only=True)
    archived = serializers.SerializerMethodField()

    class Meta:
        model = Department
        fields = ["id", "code", "name", "parent", "email", "description", "head",
                  "member_count", "archived", "archived_at"]  # fmt: skip
        read_only_fields = ["id", "archived_at"]
        # The model's validation (directory.organisation) says "already exists" in its words.
        extra_kwargs = {"code": {"validators": []}, "name": {"validators": []}}

    def get_head(self, department: Department) -> str | None:
        head = department.head
        return head.get_username() if head else None

    def get_archived(self, department: Department) -> bool:
        """Archived departments left the directory: readable, no longer providing or filing."""
        return department.archived_at is not None


class MemberSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)
    email = serializers.EmailField(read_only=True)


class MembershipSerializer(serializers.ModelSerializer):
    user = PersonField(write_only=True)
    person = MemberSerializer(source="user", read_only=True)
    department = ParentField()

    class Meta:
        model = Membership
        fields = ["id", "user", "person", "department", "role", "title"]
        read_only_fields = ["id"]
        validators: list = []  # the model's, in directory.organisation

    def to_representation(self, membership: Membership) -> dict:
        data = super().to_representation(membership)
        data["department"] = DepartmentSummarySerializer(membership.department).data
        return data


class MembershipChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["role", "title"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Words of the name or code."),
            OpenApiParameter("parent", str, description="The parent department's code."),
            OpenApiParameter("archived", bool, description="Only archived ones, or none."),
        ]
    ),
    create=extend_schema(description="Create a department (administrators)."),
    update=extend_schema(description="Change a department (administrators)."),
    partial_update=extend_schema(description="Change some fields of a department."),
)
class DepartmentViewSet(viewsets.ModelViewSet):
    """The departments of the company, by code."""

    serializer_class = DepartmentSerializer
    permission_classes = [IsAuthenticated, AdministratorsChange]
    lookup_field = "code"
    lookup_value_regex = r"[^/]{1,20}"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Department]:
        return (
            Department.objects.select_related("parent")
            .with_head()
            .annotate(member_count=Count("memberships"))
            .order_by("name")
        )

    def get_object(self) -> Department:
        code = self.kwargs["code"]
        department = None if "\x00" in code else self.get_queryset().filter(code__iexact=code)
        if department is None or not department:
            raise Department.DoesNotExist
        return department[0]

    def filter_queryset(self, queryset: QuerySet[Department]) -> QuerySet[Department]:
        if self.action != "list":
            return queryset
        return valid_filters(DepartmentFilter, self.request, queryset)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        department = organisation.department_save(by=request.user, **serializer.validated_data)
        return self._present(department, status.HTTP_201_CREATED)

    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        department = self.get_object()
        serializer = self.get_serializer(department, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        organisation.department_save(
            by=request.user, department=department, **serializer.validated_data
        )
        return self._present(department)

    def _present(self, department: Department, answer: int = status.HTTP_200_OK) -> Response:
        """The department as it now stands, with its head and member count."""
        fresh = self.get_queryset().get(pk=department.pk)
        return Response(self.get_serializer(fresh).data, status=answer)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("department", str, description="A department's code."),
            OpenApiParameter("user", str, description="A username."),
            OpenApiParameter("role", str, enum=Membership.Role.values),
        ]
    ),
    create=extend_schema(description="Add a person to a department (administrators)."),
    partial_update=extend_schema(
        request=MembershipChangeSerializer,
        description="Change the role or title (administrators); a head made member or agent "
        "leaves the department without a head, which the administrators are told.",
    ),
    destroy=extend_schema(
        description="End a membership (administrators); ending the head's is flagged to the "
        "administrators, and the head one level up decides for the department meanwhile."
    ),
)
class MembershipViewSet(viewsets.ModelViewSet):
    """Who belongs to which department, with which role."""

    serializer_class = MembershipSerializer
    permission_classes = [IsAuthenticated, AdministratorsChange]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Membership]:
        return Membership.objects.select_related("user", "department").order_by(
            "department__name", "-role", "user__username", "pk"
        )

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "partial_update":
            return MembershipChangeSerializer
        return MembershipSerializer

    def filter_queryset(self, queryset: QuerySet[Membership]) -> QuerySet[Membership]:
        if self.action != "list":
            return queryset
        return valid_filters(MembershipFilter, self.request, queryset)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = organisation.membership_add(by=request.user, **serializer.validated_data)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        membership = self.get_object()
        serializer = MembershipChangeSerializer(membership, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        organisation.membership_change(
            by=request.user, membership_id=membership.pk, **serializer.validated_data
        )
        return Response(MembershipSerializer(self.get_queryset().get(pk=membership.pk)).data)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        membership = self.get_object()
        organisation.membership_end(by=request.user, membership_id=membership.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
