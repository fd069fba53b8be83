"""E-mail backends for the outbox tests: one that refuses every message, one that counts the
connections it opens."""

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class RefusingBackend(LocmemBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("refused by the test backend")


class CountingBackend(LocmemBackend):
    """Opens a connection as Django's SMTP backend does: only when none is open."""

    opened = 0

    def open(self):
        if getattr(self, "connected", False):
            return None
        CountingBackend.opened += 1
        self.connected = True
        return True

    def close(self):
        self.connected = False
