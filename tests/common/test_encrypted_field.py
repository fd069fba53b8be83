"""Credentials encrypted at rest (common.encrypted): what the database holds, which keys read
it, rotation, and a key that does not fit."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from chats.models import ChatBot
from common.encrypted import UndecryptableValue, is_unreadable
from webhooks.models import Webhook

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def stored(bot: ChatBot, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM chats_chatbot WHERE id = %s", [bot.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def make_bot(finance, head):
    def make(address="https://oapi.dingtalk.com/robot/send?access_token=tok-123", secret="SEC-1"):
        return ChatBot.objects.create(
            department=finance, vendor="dingtalk", name="Finance", address=address, secret=secret
        )

    return make


def test_the_database_holds_no_plain_credential(make_bot):
    bot = make_bot()

    assert "tok-123" not in stored(bot, "address")
    assert "SEC-1" not in stored(bot, "secret")
    assert stored(bot, "secret").startswith("gAAAAA")  # a Fernet token


def test_a_saved_credential_reads_back_plain(make_bot):
    bot = make_bot()

    again = ChatBot.objects.get(pk=bot.pk)

    assert again.address == "https://oapi.dingtalk.com/robot/send?access_token=tok-123"
    assert again.secret == "SEC-1"


def test_an_empty_secret_stays_empty(make_bot):
    bot = make_bot(secret="")

    assert stored(bot, "secret") == ""
    assert ChatBot.objects.get(pk=bot.pk).secret == ""


def test_each_save_encrypts_anew(make_bot):
    first, second = make_bot(), make_bot()

    assert stored(first, "secret") != stored(second, "secret")


def test_the_webhook_secret_is_encrypted(db, admin_user):
    webhook = Webhook.objects.create(owner=admin_user, url="https://example.com/hook")
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhook WHERE id = %s", [webhook.pk])
        [column] = cursor.fetchone()

    assert webhook.secret.startswith("whsec_")
    assert webhook.secret not in column
    assert Webhook.objects.get(pk=webhook.pk).secret == webhook.secret


def test_comparing_an_encrypted_column_is_refused(make_bot):
    make_bot()

    with pytest.raises(FieldError):
        ChatBot.objects.filter(secret="SEC-1").exists()
    assert ChatBot.objects.filter(secret__isnull=False).count() == 1


def test_max_length_applies_to_the_plain_text(make_bot):
    bot = make_bot(secret="x" * 201)

    with pytest.raises(ValidationError) as error:
        bot.full_clean()
    assert "secret" in error.value.message_dict


def test_an_old_key_still_decrypts_after_a_new_one_is_put_first(make_bot, settings):
    settings.ENCRYPTION_KEYS = [OLD_KEY]
    bot = make_bot()

    settings.ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    assert ChatBot.objects.get(pk=bot.pk).secret == "SEC-1"


def test_without_encryption_keys_secret_key_fallbacks_decrypt(make_bot, settings):
    settings.ENCRYPTION_KEYS = []
    settings.SECRET_KEY = "the-old-secret-key-" + "x" * 40
    bot = make_bot()

    settings.SECRET_KEY = "the-new-secret-key-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = ["the-old-secret-key-" + "x" * 40]

    assert ChatBot.objects.get(pk=bot.pk).secret == "SEC-1"


def test_a_wrong_key_raises_an_error_naming_the_field(admin_user, settings):
    settings.ENCRYPTION_KEYS = [OLD_KEY]
    webhook = Webhook.objects.create(owner=admin_user, url="https://example.com/hook")

    settings.ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(UndecryptableValue, match=r"webhooks\.Webhook\.secret"):
        Webhook.objects.get(pk=webhook.pk)


def test_a_field_keeping_unreadable_values_loads_them_as_unreadable(make_bot, settings):
    settings.ENCRYPTION_KEYS = [OLD_KEY]
    bot = make_bot()
    token = stored(bot, "address")

    settings.ENCRYPTION_KEYS = [NEW_KEY]
    again = ChatBot.objects.get(pk=bot.pk)
    again.save()

    assert is_unreadable(again.address) and again.address == ""
    assert stored(bot, "address") == token  # saved back as it was


def test_rotation_re_encrypts_with_the_first_key_so_the_old_one_can_go(make_bot, settings):
    settings.ENCRYPTION_KEYS = [OLD_KEY]
    bot = make_bot()
    settings.ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    output = StringIO()

    call_command("rotate_encryption_keys", stdout=output)

    assert "chats.ChatBot.address: 1 re-encrypted" in output.getvalue()
    assert "chats.ChatBot.secret: 1 re-encrypted" in output.getvalue()
    settings.ENCRYPTION_KEYS = [NEW_KEY]
    again = ChatBot.objects.get(pk=bot.pk)
    assert (again.address, again.secret) == (bot.address, "SEC-1")


def test_rotating_twice_changes_nothing_the_second_time(make_bot, settings):
    settings.ENCRYPTION_KEYS = [OLD_KEY]
    bot = make_bot()
    settings.ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_encryption_keys", stdout=StringIO())
    before = stored(bot, "secret")
    output = StringIO()

    call_command("rotate_encryption_keys", stdout=output)

    assert stored(bot, "secret") == before
    assert "0 value(s) re-encrypted" in output.getvalue()


def test_rotation_stops_on_a_value_no_key_decrypts(make_bot, settings):
    settings.ENCRYPTION_KEYS = [OLD_KEY]
    make_bot()
    settings.ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(CommandError, match=r"chats\.ChatBot\.address"):
        call_command("rotate_encryption_keys", stdout=StringIO())


def test_a_malformed_encryption_key_is_refused_at_start_up():
    environment = {**os.environ, "ENCRYPTION_KEYS": f"{NEW_KEY},not-a-fernet-key"}

    started = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
    )

    assert started.returncode != 0
    assert "ENCRYPTION_KEYS: each key must be a Fernet key" in started.stderr
