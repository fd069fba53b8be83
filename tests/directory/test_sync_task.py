"""The nightly job and `manage.py sync_directory`: the org chart from DIRECTORY_ORG_FILE (or a
file given), safe to run twice, doing nothing when no directory is configured."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Department, Membership
from directory.models import SyncRun
from directory.tasks import sync_directory

ORG = (
    "department_code,department_name,parent_code,username,email,first_name,last_name,role\n"
    "CO,Company,,,,,,\n"
    "FIN,Finance,CO,fang,fang@example.com,Fang,Liu,head\n"
    "SALES,Sales,CO,sam,sam@example.com,Sam,Li,member\n"
)


@pytest.fixture
def org_file(tmp_path, settings):
    path = tmp_path / "org.csv"
    path.write_text(ORG, encoding="utf-8")
    settings.DIRECTORY_ORG_FILE = str(path)
    settings.LDAP_SERVER_URI = ""
    return path


def run(*args) -> str:
    out = StringIO()
    call_command("sync_directory", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_the_nightly_job_applies_the_org_file_and_a_second_run_writes_nothing(org_file):
    assert sync_directory() == {"source": "orgfile", "changes": 8}
    assert Membership.objects.filter(user__username="fang", role="head").exists()

    with CaptureQueriesContext(connection) as queries:
        assert sync_directory() == {"source": "orgfile", "changes": 0}

    assert not [q for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert SyncRun.objects.count() == 1


@pytest.mark.django_db
def test_the_nightly_job_does_nothing_when_no_directory_is_configured(settings):
    settings.DIRECTORY_ORG_FILE = ""
    settings.LDAP_SERVER_URI = ""

    assert sync_directory() == {"source": "", "changes": 0}
    assert not Department.objects.exists()


@pytest.mark.django_db
def test_the_nightly_job_changes_nothing_when_the_file_has_errors(org_file, caplog):
    org_file.write_text(ORG + "IT,IT,NOPE,,,,,\n", encoding="utf-8")

    result = sync_directory()

    assert result["changes"] == 0 and "Row 5, parent_code" in result["error"]
    assert "directory sync from orgfile refused" in caplog.text
    assert not Department.objects.exists()


@pytest.mark.django_db
def test_the_nightly_job_reports_a_missing_file(org_file):
    org_file.unlink()

    assert "cannot be read" in sync_directory()["error"]


@pytest.mark.django_db
def test_the_command_prints_the_plan_and_a_dry_run_changes_nothing(org_file):
    output = run("--dry-run")

    assert "New department Finance (FIN) under Company." in output
    assert "8 changes planned; nothing was changed." in output
    assert not Department.objects.exists()


@pytest.mark.django_db
def test_the_command_applies_a_file_given_and_then_finds_nothing_to_change(tmp_path, settings):
    settings.DIRECTORY_ORG_FILE = ""
    path = tmp_path / "org.csv"
    path.write_text(ORG, encoding="utf-8")

    assert "8 changes applied." in run("--file", str(path))
    assert "Nothing to change." in run("--file", str(path))
    assert Department.objects.count() == 3


@pytest.mark.django_db
def test_the_command_without_a_directory_says_what_to_configure(settings):
    settings.DIRECTORY_ORG_FILE = ""
    settings.LDAP_SERVER_URI = ""

    with pytest.raises(CommandError, match="No directory is configured"):
        run()


@pytest.mark.django_db
def test_the_command_refuses_a_file_with_errors_and_lists_them(tmp_path):
    path = tmp_path / "org.csv"
    path.write_text(ORG + "IT,IT,NOPE,,,,,\n", encoding="utf-8")

    with pytest.raises(CommandError, match="Row 5, parent_code: No department has the code NOPE"):
        run("--file", str(path))
