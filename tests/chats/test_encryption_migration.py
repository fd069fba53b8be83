"""Upgrading encrypts the chat bots' and webhooks' credentials already saved; downgrading
decrypts them again."""

from django.db import connection

PLAIN = [("chats", "0001_initial"), ("webhooks", "0001_initial")]
ENCRYPTED = [("chats", "0003_encrypt_credentials"), ("webhooks", "0003_encrypt_secret")]


def columns(table: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return cursor.fetchall()


def test_saved_credentials_are_encrypted_on_upgrade_and_decrypted_on_downgrade(migrator):
    old = migrator(PLAIN)
    User = old.get_model("auth", "User")
    Department = old.get_model("departments", "Department")
    finance = Department.objects.create(code="FIN", name="Finance")
    owner = User.objects.create(username="admin")
    old.get_model("chats", "ChatBot").objects.create(
        department=finance, vendor="dingtalk", name="Finance", address="tok-123", secret="SEC-1"
    )
    old.get_model("webhooks", "Webhook").objects.create(
        owner=owner, url="https://example.com/hook", secret="whsec_c2VjcmV0"
    )

    new = migrator(ENCRYPTED)

    assert "tok-123" not in str(columns("chats_chatbot"))
    assert "SEC-1" not in str(columns("chats_chatbot"))
    assert "whsec_c2VjcmV0" not in str(columns("webhooks_webhook"))
    bot = new.get_model("chats", "ChatBot").objects.get()
    assert (bot.address, bot.secret) == ("tok-123", "SEC-1")
    assert new.get_model("webhooks", "Webhook").objects.get().secret == "whsec_c2VjcmV0"

    back = migrator(PLAIN)

    bot = back.get_model("chats", "ChatBot").objects.get()
    assert (bot.address, bot.secret) == ("tok-123", "SEC-1")
    assert back.get_model("webhooks", "Webhook").objects.get().secret == "whsec_c2VjcmV0"
