"""Action plans through the REST API, with the pages' permissions and the pages' form: a plan is
seen by the rated department's head (and the heads above), HR and administrators, an action also
by its owner; only the department's head records or changes actions (403 for the others who see
the plan, 404 for everyone else). The owner, the head and the head's delegate in force move an
action along (`…/progress/`: status and a note); an action's detail carries its history."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import decorators, exceptions, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from feedback.action_progress import NOTE_MAX, PROGRESS_STATUSES, action_move
from feedback.forms import ActionForm
from feedback.models.action_plans import Action, ActionEvent, ActionPlan, ActionStatus
from feedback.plans import (
    ActionPlanError,
    StaleAction,
    action_save,
    plan_owners,
    plan_scope,
    ranked_questions,
)
from tickets.serializers import PersonField


class ActionSerializer(serializers.ModelSerializer):
    question_text = serializers.CharField(source="question.localized_text", read_only=True)
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = ["id", "plan", "question", "question_text", "what", "owner", "owner_name",
                  "due_on", "status", "created_at", "updated_at", "version"]  # fmt: skip
        read_only_fields = fields

    def get_owner_name(self, action: Action) -> str:
        return action.owner.get_full_name() or action.owner.get_username()


class ActionEventSerializer(serializers.ModelSerializer):
    actor = PersonField(
        read_only=True, allow_null=True, help_text="Empty: recorded before the trail existed."
    )

    class Meta:
        model = ActionEvent
        fields = ["change", "actor", "at", "before", "after", "text"]
        read_only_fields = fields


class ActionDetailSerializer(ActionSerializer):
    history = ActionEventSerializer(source="events", many=True, read_only=True)

    class Meta(ActionSerializer.Meta):
        fields = [*ActionSerializer.Meta.fields, "history"]
        read_only_fields = fields


class ActionPlanSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = ActionPlan
        fields = ["id", "wave", "department", "created_at", "actions"]
        read_only_fields = fields


class ActionChangeSerializer(serializers.Serializer):
    """What an action says; read by the plan page's form (ActionForm) for the schema's sake."""

    question = serializers.IntegerField(help_text="A question of the wave shown on the plan page.")
    what = serializers.CharField(max_length=2000)
    owner = serializers.IntegerField(help_text="The id of a member of the department.")
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    version = serializers.IntegerField(
        required=False, help_text="The action's version as read; a stale one is refused with 409."
    )


class ActionProgressSerializer(serializers.Serializer):
    """An owner's move of their action, as the progress page's form (ActionProgressForm)."""

    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in PROGRESS_STATUSES])
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True)
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The action's version as read; a stale one is refused with 409.",
    )


class ActionCreateSerializer(ActionChangeSerializer):
    wave = serializers.IntegerField(help_text="A closed wave that rated the department.")
    department = serializers.CharField(max_length=20, help_text="The rated department's code.")


class ActionPlanFilter(django_filters.FilterSet):
    wave = django_filters.NumberFilter(field_name="wave_id", min_value=1, max_value=2**31 - 1)
    department = django_filters.CharFilter(
        field_name="department__code", lookup_expr="iexact", max_length=20
    )

    class Meta:
        model = ActionPlan
        fields = ["wave", "department"]


class ActionFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="Only open actions past their due date."
    )
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices)

    class Meta:
        model = Action
        fields = ["overdue", "status"]

    def filter_overdue(self, queryset: QuerySet[Action], name: str, value: bool | None):
        return queryset.overdue(timezone.localdate()) if value else queryset


class ActionPlanViewSet(viewsets.ReadOnlyModelViewSet):
    """A rated department's plan for a closed survey wave, with its actions."""

    serializer_class = ActionPlanSerializer
    filterset_class = ActionPlanFilter

    def get_queryset(self) -> QuerySet[ActionPlan]:
        if getattr(self, "swagger_fake_view", False):
            return ActionPlan.objects.none()
        return (
            ActionPlan.objects.visible_to(self.request.user)
            .select_related("department")
            .prefetch_related("actions__owner", "actions__question")
        )


def _form_errors(form: ActionForm) -> dict:
    return {
        "non_field_errors" if field == "__all__" else field: list(errors)
        for field, errors in form.errors.items()
    }


def _saved(request: Request, wave, department, data, action: Action | None = None) -> Action:
    """Read `data` through the plan page's form and save it as the page does."""
    if not department.is_headed_by(request.user):
        raise PermissionDenied
    form = ActionForm(
        data, questions=ranked_questions(wave, department), owners=plan_owners(department)
    )
    if not form.is_valid():
        raise exceptions.ValidationError(_form_errors(form))
    try:
        return action_save(
            by=request.user, wave=wave, department=department, action=action, **form.cleaned_data
        )
    except StaleAction:
        raise
    except ActionPlanError as error:
        raise exceptions.ValidationError({"non_field_errors": [str(error)]}) from error


class ActionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The actions of the plans a person sees, and those they own; the department's head records
    and changes them."""

    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Action]:
        if getattr(self, "swagger_fake_view", False):
            return Action.objects.none()
        actions = (
            Action.objects.visible_to(self.request.user)
            .select_related("owner", "question", "plan__department", "plan__wave")
            .order_by("due_on", "pk")
        )
        if self.action == "retrieve":
            actions = actions.prefetch_related(
                Prefetch("events", queryset=ActionEvent.objects.select_related("actor"))
            )
        return actions

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ActionDetailSerializer if self.action == "retrieve" else ActionSerializer

    @extend_schema(request=ActionCreateSerializer, responses={201: ActionSerializer})
    def create(self, request: Request) -> Response:
        target = ActionCreateSerializer(data=request.data)
        target.is_valid(raise_exception=True)
        wave, department = plan_scope(
            request.user, target.validated_data["wave"], target.validated_data["department"]
        )
        action = _saved(request, wave, department, request.data)
        return Response(ActionSerializer(action).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionChangeSerializer(partial=True), responses=ActionSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        action = self.get_object()
        current = {
            "question": action.question_id,
            "what": action.what,
            "owner": action.owner_id,
            "due_on": action.due_on.isoformat(),
            "status": action.status,
            "version": "",
        }
        data = {**current, **{name: request.data[name] for name in current if name in request.data}}
        saved = _saved(request, action.plan.wave, action.plan.department, data, action)
        return Response(ActionSerializer(saved).data)

    @extend_schema(request=ActionProgressSerializer, responses=ActionDetailSerializer)
    @decorators.action(detail=True, methods=["post"])
    def progress(self, request: Request, pk: str) -> Response:
        """Move the action along: its status and a progress note (its owner, the department's
        head or the head's delegate in force)."""
        action = self.get_object()
        body = ActionProgressSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        action_move(
            action_id=action.pk,
            by=request.user,
            status=body.validated_data["status"],
            note=body.validated_data.get("note", ""),
            expected_version=body.validated_data["version"],
        )
        moved = self.get_queryset().prefetch_related(
            Prefetch("events", queryset=ActionEvent.objects.select_related("actor"))
        )
        return Response(ActionDetailSerializer(moved.get(pk=action.pk)).data)

    def update(self, request: Request, *args, **kwargs) -> Response:
        if not kwargs.get("partial"):
            raise exceptions.MethodNotAllowed(request.method)
        return super().update(request, *args, **kwargs)
