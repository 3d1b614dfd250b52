"""A real SMTP server on loopback for browser tests (aiosmtpd): the product sends through Django's SMTP backend and
the test reads what arrived, parsed as MIME (so encodings and Vietnamese diacritics are checked as a mail client
would see them), instead of Django's in-memory outbox which skips the wire entirely."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message as it reached the server: the SMTP envelope and the parsed MIME message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def text(self) -> str:
        """The text/plain body, transfer encoding and charset decoded."""
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


class _Collector:
    def __init__(self):
        self.messages: list[Received] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """`with SmtpServer() as smtp:` listens on 127.0.0.1:`smtp.port` until the block ends."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None):
        self.host = host
        self.port = port or free_port()
        self._collector = _Collector()
        # decode_data=False keeps the bytes as sent (8-bit bodies included), so parsing is the test's job.
        self._controller = Controller(self._collector, hostname=host, port=self.port, decode_data=False,
                                      ready_timeout=10)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def messages(self) -> list[Received]:
        with self._collector.lock:
            return list(self._collector.messages)

    def wait_for(self, predicate, timeout: float = 15.0, after: int = 0) -> Received:
        """The first message matching `predicate` among those received after the first `after` ones, waiting for
        it to arrive (delivery may run after a commit in another thread); fails with what did arrive, to make a
        miss easy to read."""
        deadline = time.monotonic() + timeout
        while True:
            for received in self.messages[after:]:
                if predicate(received):
                    return received
            if time.monotonic() > deadline:
                seen = [(m.rcpt_tos, m.subject) for m in self.messages]
                raise AssertionError(f"no matching e-mail reached the SMTP server within {timeout}s; got {seen}")
            time.sleep(0.05)

    def point_django_at(self, settings) -> None:
        """Make Django's e-mail go to this server (pytest-django's `settings` fixture undoes it after the test)."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = self.host
        settings.EMAIL_PORT = self.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10
