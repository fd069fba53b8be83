"""Search finds the requests a person may see, by number, words of the title, description, form
answers and comments, in English and Chinese; ranked, highlighted safely, paginated; internal
notes only for the provider; others' requests never."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.support.sqlite import run_on_sqlite
from tickets import services
from tickets.search import Query, segments

SEARCH = reverse("tickets:search")


def found(client, person, text: str) -> str:
    client.force_login(person)
    response = client.get(SEARCH, {"q": text})
    assert response.status_code == 200
    return response.content.decode()


def titles(client, person, text: str) -> list[str]:
    client.force_login(person)
    response = client.get(SEARCH, {"q": text})
    return [hit.ticket.title for hit in response.context["page"].object_list]


@pytest.fixture
def requests_(agreement, payroll_extract, file_request):
    """Three of staff's requests to Finance, in English and Chinese."""
    return {
        "payroll": file_request(
            payroll_extract,
            title="October payroll extract",
            description="The printer in room 5 jams on payslips.",
        ),
        "chinese": file_request(
            payroll_extract,
            title="十月工资数据导出",
            description="打印机坏了，请尽快处理工资单。",
        ),
        "answers": file_request(
            payroll_extract,
            title="Bonus figures",
            answers={"month": "2026-10-01", "format": "CSV", "notes": "季度奖金明细 quarterly"},
        ),
    }


def test_an_english_word_of_the_title_finds_the_request_highlighted(client, staff, requests_):
    page = found(client, staff, "payroll")

    assert "<mark>payroll</mark> extract" in page
    assert titles(client, staff, "PAYROLL") == ["October payroll extract"]


def test_words_in_any_order_and_place_find_the_request(client, staff, requests_):
    assert titles(client, staff, "printer October") == ["October payroll extract"]
    assert titles(client, staff, "printer nowhere") == []


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("工资", "十月工资数据导出"),  # two characters, in the middle of the title
        ("数据导出", "十月工资数据导出"),
        ("打印机", "十月工资数据导出"),  # three characters of the description
        ("奖金明细", "Bonus figures"),  # a form answer
    ],
)
def test_a_chinese_substring_finds_the_request(client, staff, requests_, text, title):
    assert titles(client, staff, text) == [title]


def test_the_request_number_finds_the_request_first(client, staff, requests_):
    ticket = requests_["answers"]

    for text in (str(ticket.pk), f"#{ticket.pk}", f"FIN-{ticket.pk}", f"fin-{ticket.pk}"):
        assert titles(client, staff, text)[0] == "Bonus figures", text


def test_a_form_answer_finds_the_request_with_an_excerpt(client, staff, requests_):
    page = found(client, staff, "quarterly")

    assert "Bonus figures" in page
    assert "<mark>quarterly</mark>" in page


def test_a_comment_finds_the_request_and_is_shown(client, staff, agent, requests_):
    ticket = requests_["payroll"]
    services.ticket_comment(ticket_id=ticket.pk, by=agent, text="已发送到您的邮箱 attached")

    page = found(client, staff, "邮箱")

    assert "October payroll extract" in page
    assert "In a comment:" in page
    assert "<mark>邮箱</mark>" in page


def test_an_internal_note_is_found_by_the_provider_only(client, staff, agent, head, requests_):
    ticket = requests_["payroll"]
    services.ticket_comment(ticket_id=ticket.pk, by=agent, text="Salary typo", internal=True)

    assert titles(client, agent, "typo") == ["October payroll extract"]
    assert titles(client, head, "typo") == ["October payroll extract"]
    assert titles(client, staff, "typo") == []


@pytest.mark.parametrize("person", ["outsider", "colleague", "hr"])
def test_someone_elses_request_is_never_found(client, request, requests_, person):
    if person == "colleague":
        colleague = UserFactory(username="colleague")
        MembershipFactory(user=colleague, department=requests_["payroll"].customer,
                          role=Membership.Role.MEMBER)  # fmt: skip
        who = colleague
    else:
        who = request.getfixturevalue(person)

    for text in ("payroll", "工资", str(requests_["payroll"].pk)):
        assert titles(client, who, text) == [], text


def test_the_title_is_escaped_around_the_marks(client, staff, agreement, payroll_extract,
                                               file_request):  # fmt: skip
    file_request(payroll_extract, title="<script>alert(1)</script> payroll")

    page = found(client, staff, "payroll")

    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>payroll</mark>" in page
    assert "<script>alert" not in page


def test_a_title_match_ranks_before_a_description_match(
    client, staff, agreement, payroll_extract, file_request
):
    file_request(payroll_extract, title="Printer jam", description="nothing else")
    file_request(payroll_extract, title="Other", description="the printer again")

    assert titles(client, staff, "printer") == ["Printer jam", "Other"]


def test_an_empty_search_shows_the_box_and_no_results(client, staff, requests_):
    page = found(client, staff, "   ")

    assert 'name="q"' in page
    assert "Type a request" in page


def test_a_too_long_search_is_a_form_error(client, staff):
    client.force_login(staff)

    response = client.get(SEARCH, {"q": "x" * 101})

    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()


def test_search_speaks_chinese(client, staff, requests_):
    client.force_login(staff)

    response = client.get(SEARCH, {"q": "没有"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "搜索请求" in response.content.decode()
    assert "没有您可查看的请求匹配" in response.content.decode()


def test_search_costs_the_same_queries_for_few_and_many_matches(
    client, staff, agreement, payroll_extract, file_request
):
    client.force_login(staff)

    def queries() -> int:
        client.get(SEARCH, {"q": "payroll"})
        with CaptureQueriesContext(connection) as captured:
            client.get(SEARCH, {"q": "payroll"})
        return len(captured.captured_queries)

    for _ in range(3):
        file_request(payroll_extract, title="payroll")
    few = queries()
    for _ in range(30):
        file_request(payroll_extract, title="payroll")

    assert queries() == few


def test_segments_mark_every_occurrence_whatever_its_case():
    assert segments("Payroll and payroll 工资", Query.parse("payroll 工资").terms) == [
        ("Payroll", True),
        (" and ", False),
        ("payroll", True),
        (" ", False),
        ("工资", True),
    ]


@pytest.mark.slow
def test_search_falls_back_to_icontains_on_sqlite(tmp_path):
    result = run_on_sqlite(
        tmp_path,
        """
from django.contrib.auth import get_user_model
from django.utils import timezone
from agreements.models import Service
from departments.models import Department, Membership
from tickets.models import Event, Ticket
from tickets.search import Query, search

now = timezone.now()
finance = Department.objects.create(code="FIN", name="Finance")
sales = Department.objects.create(code="SALES", name="Sales")
service = Service.objects.create(provider=finance, name="Extract")
staff = get_user_model().objects.create(username="staff")
other = get_user_model().objects.create(username="other")
Membership.objects.create(user=staff, department=sales)
ticket = Ticket.objects.create(title="十月工资 payroll", service=service, provider=finance,
    customer=sales, requester=staff, filed_at=now, answers={"notes": "季度奖金"})
Event.objects.create(ticket=ticket, kind="comment", at=now, text="Printer jam")
for text in ("工资", "PAYROLL", "奖金", "printer", str(ticket.pk)):
    query = Query.parse(text)
    print(text, [t.title for t in search(staff, query)], len(search(other, query)))
""",
    )

    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()[-5:]
    assert lines == [
        f"{text} ['十月工资 payroll'] 0"
        for text in ("工资", "PAYROLL", "奖金", "printer", lines[-1].split()[0])
    ]
