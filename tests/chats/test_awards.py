"""A department's award in a published recognition cycle reaches that department's group chats
(the bots that chose the event), in the group's language, once; a person's award reaches none."""

from chats.models import ChatBot
from outbox import sending
from outbox.models import Message
from recognition import services
from recognition.letters import AWARDED


def chat_messages() -> list[Message]:
    return list(Message.objects.filter(kind=AWARDED, destination_id__isnull=False))


def test_a_departments_award_reaches_its_groups_once(
    vendor, make_bot, november, hr, agent, finance, sales
):
    make_bot(finance, "wecom", hook="group-FIN")
    make_bot(sales, "wecom", hook="group-SALES")  # not awarded: hears nothing
    make_bot(finance, "slack", kinds=["tickets.filed"])  # did not choose the event
    services.award_add(
        cycle_id=november.pk, by=hr, department=finance, title="Best *supplier*",
        reason="Met every target.",
    )  # fmt: skip
    services.award_add(cycle_id=november.pk, by=hr, person=agent, title="T", reason="R")

    services.cycle_publish(cycle_id=november.pk, by=hr)

    [message] = chat_messages()
    assert message.destination == ChatBot.objects.get(department=finance, vendor="wecom")
    sending.send([message.pk])
    sending.send([message.pk])
    [(_, hook, _)] = vendor.received
    [text] = vendor.texts()
    assert hook == "group-FIN"
    assert text.startswith("**Award: Best ＊supplier＊ to Finance (November 2026)**\n")
    assert "Met every target." in text
    assert "/awards/)" in text


def test_a_group_reads_the_award_in_its_language(vendor, make_bot, november, hr, finance):
    make_bot(finance, "feishu", language="zh-hans")
    services.award_add(cycle_id=november.pk, by=hr, department=finance, title="T", reason="R")
    services.cycle_publish(cycle_id=november.pk, by=hr)

    sending.send([message.pk for message in chat_messages()])

    [text] = vendor.texts()
    assert "奖项" in text and "查看全部奖项" in text, text
