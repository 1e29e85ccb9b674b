"""A real SMTP server (aiosmtpd) on a free local port, and Django's SMTP backend pointed at it."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """Keeps every message the server receives, parsed as a mail client would."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 OK"

    def clear(self):
        self.messages.clear()
        self.envelopes.clear()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """Start an SMTP server for one test and send Django's mail to it; stop it after."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.TRACKER_SITE_URL = "https://tracker.example.org"
    settings.DEFAULT_FROM_EMAIL = "digest@tracker.example.org"
    try:
        yield inbox
    finally:
        controller.stop()


def text_of(message, subtype: str = "plain") -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()
