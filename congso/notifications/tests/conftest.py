"""A real SMTP server on loopback (aiosmtpd) that records what it receives, and small helpers."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import Counter
from email import policy

import pytest
from aiosmtpd.controller import Controller

from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import build_world, intake, local  # noqa: F401 - re-exported for the tests

# Recipients in this domain are refused by the test server with a permanent 550 (a mailbox that does not exist).
REFUSED_DOMAIN = "khong-ton-tai.invalid"


class Mailbox:
    """The SMTP handler: keeps every accepted message, refuses recipients at REFUSED_DOMAIN."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().endswith("@" + REFUSED_DOMAIN):
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(m["Message-ID"] for m in self.messages)

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """aiosmtpd's Controller on 127.0.0.1 at a fixed port, which can be stopped and started again."""

    def __init__(self):
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        if self.controller is None:
            self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.mailbox.messages


@pytest.fixture
def smtp(settings):
    """A running SMTP server, with Django's SMTP backend pointed at it (the root conftest sets locmem)."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Cổng dịch vụ công <no-reply@congso.test>"
    yield server
    server.stop()


def part(message, subtype: str) -> str:
    """The text/plain or text/html part of a received message, decoded."""
    found = message.get_body(preferencelist=(subtype,))
    assert found is not None and found.get_content_subtype() == subtype, message
    return found.get_content().replace("\r\n", "\n")


def make_dossier(w, *, email="an@example.org", at=None, **extra):
    """A desk-intake dossier (received at once: the 'dossier_received' notice is queued)."""
    return create_dossier(intake(w, files=False, applicant_email=email, **extra), w.desk,
                          at=at or local(2025, 1, 20, 9, 0))


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read operator messages (errors, admin notices) in the source language; the message templates
    themselves are data and stay Vietnamese."""
    from django.utils import translation

    with translation.override("en"):
        yield
