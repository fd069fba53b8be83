"""What people type (a request's title, a service's or a department's name) reaches a group as
text in every app: never a link, emphasis, a heading or a mention. Accord's own heading stays
bold and its links stay links."""

import pytest

from outbox import sending
from outbox.models import Message

HOSTILE = '[click](https://evil.example) **x** _y_ <!channel> <at user_id="all"></at> # h'


def deliver_all():
    ids = Message.objects.filter(destination_id__isnull=False).values_list("pk", flat=True)
    sending.send(list(ids))


@pytest.fixture
def hostile_request(agreement, finance, sales, file_request, payroll_extract):
    sales.name = "Sales <@U123> *team*"
    sales.save()
    payroll_extract.name = "Payroll [extract](https://evil.example/2)"
    payroll_extract.save()
    return lambda: file_request(payroll_extract, title=HOSTILE)


@pytest.mark.parametrize("vendor_name", ["wecom", "dingtalk", "teams"])
def test_markdown_in_typed_text_is_shown_as_text_in_the_markdown_apps(
    vendor_name, vendor, make_bot, finance, hostile_request
):
    make_bot(finance, vendor_name)
    ticket = hostile_request()
    deliver_all()
    [text] = vendor.texts()
    assert text.startswith(f"**New request {ticket.reference}**\n")
    assert "［click］(https://evil.example) ＊＊x＊＊ ＿y＿ ＜!channel＞" in text
    assert "Payroll ［extract］(https://evil.example/2)" in text
    assert "Sales ＜@U123＞ ＊team＊" in text
    for markup in ("[click]", "**x**", "_y_", "<!channel>", "<at", "# h", "[extract]"):
        assert markup not in text
    if vendor_name != "teams":  # Teams' links are the card's buttons
        assert f"[Open the request](http://127.0.0.1:8000{ticket.get_absolute_url()})" in text


def test_slack_reads_typed_ampersands_and_angle_brackets_as_text(
    vendor, make_bot, finance, hostile_request
):
    make_bot(finance, "slack")
    ticket = hostile_request()
    deliver_all()
    [text] = vendor.texts()
    assert text.startswith(f"*New request {ticket.reference}*\n")
    assert "&lt;!channel&gt;" in text and "Sales &lt;@U123&gt; ＊team＊" in text
    assert "<!channel>" not in text and "<@U123>" not in text and "**x**" not in text
    assert f"<http://127.0.0.1:8000{ticket.get_absolute_url()}|Open the request>" in text


def test_feishu_shows_a_typed_mention_as_text(vendor, make_bot, finance, hostile_request):
    make_bot(finance, "feishu")
    hostile_request()
    deliver_all()
    [text] = vendor.texts()
    assert '＜at user_id="all"＞＜/at＞' in text
    assert "<at" not in text
    assert "[click](https://evil.example) **x**" in text  # plain text: nothing to render
