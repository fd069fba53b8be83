"""Upgrading a database with survey data: migrations 0003 to 0005 copy every response under a
random id (not reversible), 0006 moves what open waves still owed into the outbox.

Being irreversible, the upgrade cannot run inside the test database: it runs on a fresh
PostgreSQL database, through `manage.py`, which the world is written into with the models of
surveys 0002."""

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

pytestmark = pytest.mark.slow  # a fresh database and four subprocesses

ROOT = Path(__file__).resolve().parents[2]

# Written with the historical models: Response still has `submitted_on`, Invitation its sending
# fields. Closed wave 1 and open wave 2 both run in e-mail round 2.
WORLD = """
import json
from datetime import date, timedelta

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

apps = MigrationExecutor(connection).loader.project_state(("surveys", "0002_default_template")).apps
User = apps.get_model("auth", "User")
Department = apps.get_model("departments", "Department")
Campaign, Question, Wave, Invitation, Response, Answer = (
    apps.get_model("surveys", name)
    for name in ("Campaign", "CampaignQuestion", "Wave", "Invitation", "Response", "Answer")
)
now = timezone.now()
finance, it, sales = (
    Department.objects.create(code=code, name=name)
    for code, name in [("FIN", "Finance"), ("IT", "IT"), ("SALES", "Sales")]
)
alice, bob, carol = (
    User.objects.create(username=name, email=f"{name}@accord.test")
    for name in ("alice", "bob", "carol")
)
campaign = Campaign.objects.create(
    name="Internal services", status="active", starts_on=date(2026, 1, 5), anonymous=True
)
quick = Question.objects.create(
    campaign=campaign, position=1, kind="likert", text="They respond quickly."
)
better = Question.objects.create(
    campaign=campaign, position=2, kind="text", text="What could they do better?",
    required=False,
)


def wave(number, closes_at):
    return Wave.objects.create(
        campaign=campaign, number=number, period_start=closes_at - timedelta(days=120),
        period_end=closes_at - timedelta(days=30), launched_at=closes_at - timedelta(days=14),
        closes_at=closes_at, email_round=2,
    )


closed, open_ = wave(1, now - timedelta(days=30)), wave(2, now + timedelta(days=7))


def respond(wave, rated, group, day, *answers):
    response = Response.objects.create(
        wave=wave, rated_department=rated, respondent_department=group, submitted_on=day
    )
    for question, value, text in answers:
        Answer.objects.create(response=response, question=question, value=value, text=text)


respond(closed, finance, sales, date(2026, 4, 1), (quick, 4, ""), (better, None, "Pick up."))
respond(closed, finance, sales, date(2026, 4, 2), (quick, 4, ""))
respond(closed, finance, sales, date(2026, 4, 2), (quick, 4, ""))
respond(closed, finance, it, date(2026, 4, 3), (quick, 2, ""), (better, None, "Fewer forms."))
respond(closed, it, None, date(2026, 4, 3), (quick, 5, ""))
respond(open_, finance, sales, now.date(), (quick, 3, ""), (better, None, "Quicker refunds."))


def invite(wave, recipient, emails_sent, answered):
    return Invitation.objects.create(
        wave=wave, recipient=recipient, rated_department=finance, respondent_department=sales,
        emails_sent=emails_sent, answered=answered,
    ).pk


invitations = {
    "closed never e-mailed": invite(closed, alice, 0, False),
    "closed e-mailed, unanswered": invite(closed, bob, 1, False),
    "never e-mailed": invite(open_, alice, 0, False),
    "e-mailed, unanswered": invite(open_, bob, 1, False),
    "e-mailed, answered": invite(open_, carol, 1, True),
}
responses = [
    [
        response.wave.number,
        response.rated_department.code,
        response.respondent_department and response.respondent_department.code,
        [[a.question.position, a.value, a.text]
         for a in response.answers.order_by("question__position")],
    ]
    for response in Response.objects.all()
]
print(json.dumps({"invitations": invitations, "responses": responses}))
"""  # fmt: skip

STATE_AFTER = """
import json

from django.db import connection

from outbox.models import Message
from surveys.models import Answer, Response

responses = [
    [
        str(response.pk),
        response.wave.number,
        response.rated_department.code,
        response.respondent_department and response.respondent_department.code,
        [[a.question.position, a.value, a.text]
         for a in response.answers.order_by("question__position")],
    ]
    for response in Response.objects.all()
]
answers = [
    [a.response.wave.number, a.response.rated_department.code, a.question.position, a.value,
     a.text]
    for a in Answer.objects.select_related(
        "response__wave", "response__rated_department", "question"
    )
]
messages = [
    [m.kind, m.recipient.username, m.about_type.app_label, m.about_type.model, m.about_id, m.round,
     m.state]
    for m in Message.objects.select_related("recipient", "about_type")
]
with connection.cursor() as cursor:
    table = connection.introspection.get_table_description(cursor, "surveys_response")
columns = [column.name for column in table]
print(json.dumps(
    {"responses": responses, "answers": answers, "messages": messages, "columns": columns}
))
"""  # fmt: skip


@pytest.fixture(scope="module")
def upgrade():
    """The world before (written at surveys 0002) and the state after a full `migrate`."""
    server = settings.DATABASES["default"]
    name = f"accord_upgrade_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(
        host=server["HOST"] or "127.0.0.1",
        port=server["PORT"] or 5432,
        user=server["USER"] or "postgres",
        dbname="postgres",
        autocommit=True,
    )
    environment = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{admin.info.user}@{admin.info.host}:{admin.info.port}/{name}",
        "CELERY_BROKER_URL": "memory://",
    }

    def manage(*args):
        completed = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
        return completed.stdout

    def printed(script):
        return json.loads(manage("shell", "--command", script).strip().splitlines()[-1])

    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        manage("migrate", "surveys", "0002_default_template", "--verbosity", "0")
        before = printed(WORLD)
        manage("migrate", "--verbosity", "0")
        yield before, printed(STATE_AFTER)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def signature(wave, rated, group, answers):
    return wave, rated, group, tuple(tuple(answer) for answer in answers)


def test_every_response_survives_with_its_wave_departments_and_answers(upgrade):
    before, after = upgrade
    kept = Counter(signature(*response[1:]) for response in after["responses"])
    assert kept == Counter(signature(*response) for response in before["responses"])


def test_each_answer_still_belongs_to_a_response_of_its_wave_and_rated_department(upgrade):
    before, after = upgrade
    given = Counter(
        (wave, rated, *answer)
        for wave, rated, _group, answers in before["responses"]
        for answer in answers
    )
    assert Counter(tuple(answer) for answer in after["answers"]) == given


def test_responses_get_random_ids_and_lose_their_day_of_submission(upgrade):
    _before, after = upgrade
    ids = [uuid.UUID(response[0]) for response in after["responses"]]
    assert {response_id.version for response_id in ids} == {4}
    assert len(set(ids)) == len(ids)
    assert "submitted_on" not in after["columns"]


def test_the_outbox_gets_what_open_waves_still_owed_and_nothing_else(upgrade):
    before, after = upgrade
    invitation = before["invitations"]
    # Nothing for the answered invitation, nor for either invitation of the closed wave.
    assert sorted(map(tuple, after["messages"])) == [
        ("surveys.invitation", "alice", "surveys", "invitation", invitation["never e-mailed"],
         1, "pending"),
        ("surveys.reminder", "bob", "surveys", "invitation", invitation["e-mailed, unanswered"],
         2, "pending"),
    ]  # fmt: skip
