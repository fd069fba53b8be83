from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from departments.models import Department

DEPARTMENTS_PER_PAGE = 50
MEMBERS_PER_PAGE = 50


def department_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    departments = (
        Department.objects.select_related("parent")
        .with_head()
        .annotate(member_count=Count("memberships"))
        .order_by("name")
    )
    if query:
        departments = departments.filter(Q(name__icontains=query) | Q(code__icontains=query))
    page = Paginator(departments, DEPARTMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "departments/department_list.html", {"page": page, "query": query})


def department_detail(request: HttpRequest, code: str) -> HttpResponse:
    department = get_object_or_404(
        Department.objects.select_related("parent").with_head(), code__iexact=code
    )
    members = department.memberships.select_related("user").order_by(
        "-role", "user__last_name", "user__first_name", "user__username"
    )
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "departments/department_detail.html",
        {
            "department": department,
            "ancestors": list(reversed(department.ancestors())),
            "children": department.children.order_by("name"),
            "page": page,
        },
    )
