"""The admin's org file import: upload, a preview of what it changes and of every row error,
then apply; the template; who may use it."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from departments.models import Department
from directory.models import SyncRun
from tests.factories import UserFactory

IMPORT = reverse("admin:directory_import")
APPLY = reverse("admin:directory_import_apply")
ORG = (
    "department_code,department_name,parent_code,username,email,first_name,last_name,role\n"
    "CO,Company,,,,,,\n"
    "FIN,Finance,CO,fang,fang@example.com,Fang,Liu,head\n"
    "FIN,Finance,CO,alex,alex@example.com,Alex,Huang,agent\n"
)


def upload(client, text: str = ORG, name: str = "org.csv", encoding: str = "utf-8"):
    file = SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")
    return client.post(IMPORT, {"file": file})


@pytest.fixture
def importer(db):
    """A staff member with the directory permission, not a superuser."""
    user = UserFactory(username="importer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="sync_directory"))
    return user


def test_an_upload_shows_what_it_would_change_and_changes_nothing(client, admin_user):
    client.force_login(admin_user)

    response = upload(client)

    assert response.status_code == 200
    page = response.content.decode()
    assert "New department Finance (FIN) under Company." in page
    assert "fang joins Finance as Head." in page
    assert "Apply these" in page
    assert not Department.objects.exists()


def test_applying_the_preview_changes_what_it_showed(client, admin_user):
    client.force_login(admin_user)
    confirm = upload(client).context["confirm"]

    response = client.post(APPLY, confirm.initial)

    assert response.status_code == 302
    assert set(Department.objects.values_list("code", flat=True)) == {"CO", "FIN"}
    run = SyncRun.objects.get()
    assert run.by == admin_user and run.source == "orgfile"
    assert (
        "fang joins Finance as Head."
        in client.get(reverse("admin:directory_syncrun_change", args=[run.pk])).content.decode()
    )


def test_a_preview_no_longer_true_is_shown_again_not_applied(client, admin_user):
    client.force_login(admin_user)
    confirm = upload(client).context["confirm"]
    Department.objects.create(code="FIN", name="Finance")  # adopted now, not created

    response = client.post(APPLY, confirm.initial)

    assert response.status_code == 200
    assert "Accord changed since the preview" in response.content.decode()
    assert not SyncRun.objects.exists() and not Department.objects.filter(code="CO").exists()
    assert client.post(APPLY, response.context["confirm"].initial).status_code == 302
    assert Department.objects.filter(code="CO").exists()


def test_a_tampered_or_unknown_preview_is_refused(client, admin_user):
    client.force_login(admin_user)

    response = client.post(APPLY, {"token": "forged", "fingerprint": "x"}, follow=True)

    assert "This preview has expired" in response.content.decode()
    assert not Department.objects.exists()


def test_row_errors_are_listed_and_nothing_can_be_applied(client, admin_user):
    client.force_login(admin_user)

    response = upload(client, ORG + "FIN,Finance,CO,sam,not-an-address,Sam,Li,member\n")

    page = response.content.decode()
    assert "Row 5, email: This is not an e-mail address." in page
    assert response.context["confirm"] is None
    assert not Department.objects.exists()


def test_a_gbk_file_with_chinese_headers_previews(client, admin_user):
    client.force_login(admin_user)

    response = upload(client, "部门编码,部门名称,账号,姓名\nCW,财务部,wang,王五\n", encoding="gbk")

    assert "New department 财务部 (CW) under the top level." in response.content.decode()


def test_a_file_of_another_kind_is_a_form_error_not_a_failure(client, admin_user):
    client.force_login(admin_user)

    response = upload(client, "x", name="org.pdf")

    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_an_unreadable_file_says_why(client, admin_user):
    client.force_login(admin_user)

    response = upload(client, "not a workbook", name="org.xlsx")

    assert "The file is not a valid XLSX workbook." in response.content.decode()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_template_downloads_and_reads_back_without_errors(client, importer, file_format):
    from directory.sources.orgfile import read_org_file

    client.force_login(importer)

    response = client.get(reverse("admin:directory_import_template", args=[file_format]))

    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    result = read_org_file(content, f"org-file.{file_format}")
    assert result.errors == [] and len(result.snapshot.people) == 3
    if file_format == "xlsx":
        assert load_workbook(io.BytesIO(content)).active["A1"].value == "department_code"


def test_a_holder_of_the_directory_permission_may_import(client, importer):
    client.force_login(importer)

    assert client.get(IMPORT).status_code == 200
    assert client.get(reverse("admin:directory_syncrun_changelist")).status_code == 200


def test_staff_without_the_permission_are_refused(client, db):
    client.force_login(UserFactory(username="clerk", is_staff=True))

    assert client.get(IMPORT).status_code == 403
    assert upload(client).status_code == 403
    assert client.post(APPLY, {"token": "x", "fingerprint": "y"}).status_code == 403
    assert client.get(reverse("admin:directory_import_template", args=["csv"])).status_code == 403


def test_people_who_are_not_staff_are_sent_to_the_admin_login(client, staff):
    client.force_login(staff)

    response = client.get(IMPORT)

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert upload(client).status_code == 302
    assert not Department.objects.filter(code="CO").exists()


def test_sync_now_without_ldap_says_so(client, admin_user, settings):
    settings.LDAP_SERVER_URI = ""
    client.force_login(admin_user)

    response = client.get(reverse("admin:directory_sync_now"), follow=True)

    assert "No LDAP directory is configured" in response.content.decode()


def test_a_large_run_keeps_its_first_changes_and_counts_the_rest(client, admin_user, monkeypatch):
    from directory import import_views, sync

    monkeypatch.setattr(sync, "CHANGES_RECORDED", 2)
    monkeypatch.setattr(import_views, "LINES_SHOWN", 2)
    client.force_login(admin_user)
    preview = upload(client)
    assert "… and 5 more changes." in preview.content.decode()

    client.post(APPLY, preview.context["confirm"].initial)

    run = SyncRun.objects.get()
    assert run.change_count == 7 and len(run.changes) == 2
    page = client.get(reverse("admin:directory_syncrun_change", args=[run.pk])).content.decode()
    assert "… and 5 more." in page


@pytest.mark.slow
def test_sync_now_from_ldap_previews_then_applies(client, admin_user, settings, slapd):
    from tests.support.slapd import use_ldap

    use_ldap(settings, slapd.environment(LDAP_HEADS_FROM_MANAGER="true"))
    client.force_login(admin_user)
    changelist = client.get(reverse("admin:directory_syncrun_changelist")).content.decode()
    assert "Sync now from LDAP" in changelist

    preview = client.get(reverse("admin:directory_sync_now"))

    assert "New department Finance" in preview.content.decode()
    assert not Department.objects.exists()
    response = client.post(reverse("admin:directory_sync_now"), preview.context["confirm"].initial)
    assert response.status_code == 302
    assert Department.objects.filter(name="Finance").exists()
    assert SyncRun.objects.get().by == admin_user
    again = client.get(reverse("admin:directory_sync_now")).content.decode()
    assert "Nothing to change: Accord already matches." in again
