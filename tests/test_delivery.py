"""Delivery of the report by SMTP, against a real aiosmtpd server on 127.0.0.1, and its settings as
`[report]` gives them."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
import ssl
import subprocess
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from pipelines.config import ConfigError, load_config
from pipelines.deliveries import report_addresses, smtp_settings
from reports import DeliveryError
from reports.smtp import SmtpSettings, send

# The smallest valid PNG: 1x1 transparent pixel.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
USER, PASSWORD = "jane@acme.test", "app-password-123"


def report_message() -> EmailMessage:
    """A report-shaped message: alternative(text, related(html, png by Content-ID))."""
    cid = make_msgid(domain="tiekeeper.local")
    msg = EmailMessage()
    msg["From"] = "Tiekeeper <jane@acme.test>"
    msg["To"] = "Jane Doe <jane@acme.test>"
    msg["Subject"] = "Your relationships, week 2026-W47"
    msg["Date"] = format_datetime(dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.timezone.utc))
    msg["Message-ID"] = make_msgid(idstring="2026-W47", domain="tiekeeper.local")
    msg.set_content("Replies you owe\n\n- Zoë Müller: Re: Q4 plan (5 days)\n")
    msg.add_alternative(f'<html><body><h1>Replies you owe</h1><p>Zoë Müller</p>'
                        f'<img src="cid:{cid[1:-1]}" alt="Network growth"></body></html>', subtype="html")
    msg.get_payload()[1].add_related(PNG, "image", "png", cid=cid)
    return msg


class Inbox:
    """aiosmtpd handler that keeps what it received and can refuse chosen recipients."""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 Ok: queued as 4XyZ"


class Authenticator:
    """Accepts one user and password and records the mechanism the client used."""

    def __init__(self):
        self.mechanisms: list[str] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        self.mechanisms.append(mechanism)
        accepted = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
        return AuthResult(success=accepted, handled=False)  # handled=False: the server answers 535 itself


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made by openssl (the cryptography package is not installed)."""
    if not shutil.which("openssl"):
        pytest.skip("no openssl command (and no cryptography package) to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def smtp_server(certificate):
    """Starts an aiosmtpd server on loopback: `start(tls=..., auth=...)` returns (inbox, port, authenticator)."""
    controllers = []

    def start(*, tls: str | None = None, auth: bool = False, exclude: tuple[str, ...] = ()):
        # aiosmtpd counts only STARTTLS as TLS for auth_require_tls, so implicit TLS must not require it.
        context = None
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*certificate)
        inbox, authenticator = Inbox(), Authenticator()
        kwargs = {"authenticator": authenticator, "auth_require_tls": tls != "ssl",
                  "auth_exclude_mechanism": list(exclude)} if auth else {}
        if tls == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port,
                                ssl_context=context if tls == "ssl" else None, **kwargs)
        controller.start()
        controllers.append(controller)
        return inbox, port, authenticator

    yield start
    for controller in controllers:
        controller.stop()


def settings(port: int, **overrides) -> SmtpSettings:
    values = dict(to=("Jane Doe <jane@acme.test>",), sender="Tiekeeper <jane@acme.test>", host="127.0.0.1",
                  port=port, security="none", timeout=5.0)
    return SmtpSettings(**{**values, **overrides})


def write_config(tmp_path: Path, report: str):
    path = tmp_path / "tiekeeper.toml"
    path.write_text("[report]\n" + report, encoding="utf-8")
    return load_config(path, required=True)


def test_the_message_arrives_byte_exact_with_its_mime_tree_and_headers(smtp_server):
    inbox, port, _ = smtp_server()
    message = report_message()
    # Flattening fixes the MIME boundaries, as writing the .eml does before sending.
    eml = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    answer = send(message, settings(port))
    assert answer == "250 2.0.0 Ok: queued as 4XyZ"
    [(mail_from, rcpt_tos, raw)] = inbox.received
    assert (mail_from, rcpt_tos) == ("jane@acme.test", ["jane@acme.test"])
    assert raw == eml
    received = message_from_bytes(raw, policy=policy.default)
    tree = [(part.get_content_type(), part.get_content_disposition()) for part in received.walk()]
    assert tree == [("multipart/alternative", None), ("text/plain", None), ("multipart/related", None),
                    ("text/html", None), ("image/png", "inline")]
    html_part, image = received.get_payload()[1].get_payload()
    content_ids = {part["Content-ID"][1:-1] for part in received.walk() if part["Content-ID"]}
    referenced = set(re.findall(r'src="cid:([^"]+)"', html_part.get_content()))
    assert referenced == content_ids == {image["Content-ID"][1:-1]}
    assert image.get_content() == PNG
    assert {k: received[k] for k in ("From", "To", "Subject", "Date", "Message-ID")} == {
        "From": "Tiekeeper <jane@acme.test>", "To": "Jane Doe <jane@acme.test>",
        "Subject": "Your relationships, week 2026-W47", "Date": "Mon, 23 Nov 2026 07:00:00 +0000",
        "Message-ID": message["Message-ID"]}
    assert received.get_body(("plain",)).get_content().splitlines() == [
        "Replies you owe", "", "- Zoë Müller: Re: Q4 plan (5 days)"]


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_starttls_then_login_with_the_password_from_the_environment(smtp_server, monkeypatch, mechanism):
    inbox, port, authenticator = smtp_server(tls="starttls", auth=True,
                                             exclude=tuple({"PLAIN", "LOGIN"} - {mechanism}))
    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
    answer = send(report_message(), settings(port, security="starttls", tls_verify=False, username=USER,
                                             password_env="TEST_SMTP_PASSWORD"))
    assert answer.startswith("250 ") and len(inbox.received) == 1
    assert authenticator.mechanisms == [mechanism]


def test_starttls_verifies_the_certificate_against_the_trusted_authorities(smtp_server, certificate, monkeypatch):
    inbox, port, _ = smtp_server(tls="starttls")
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trust our test certificate, and only it
    assert send(report_message(), settings(port, security="starttls")).startswith("250 ")
    assert len(inbox.received) == 1


def test_an_untrusted_certificate_is_refused_by_default(smtp_server):
    inbox, port, _ = smtp_server(tls="starttls")
    with pytest.raises(DeliveryError, match=r"TLS certificate is not trusted \(self.signed certificate\).*"
                                            r"tls_verify = false") as error:
        send(report_message(), settings(port, security="starttls"))
    assert "\n" not in str(error.value) and inbox.received == []


def test_implicit_tls_on_connect(smtp_server, monkeypatch):
    inbox, port, authenticator = smtp_server(tls="ssl", auth=True)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
    answer = send(report_message(), settings(port, security="ssl", tls_verify=False, username=USER,
                                             password_env="TEST_SMTP_PASSWORD"))
    assert answer.startswith("250 ") and len(inbox.received) == 1 and authenticator.mechanisms == ["PLAIN"]


def test_a_wrong_password_is_one_line_with_the_535_answer(smtp_server, monkeypatch):
    inbox, port, _ = smtp_server(tls="starttls", auth=True)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong")
    with pytest.raises(DeliveryError) as error:
        send(report_message(), settings(port, security="starttls", tls_verify=False, username=USER,
                                        password_env="TEST_SMTP_PASSWORD"))
    assert str(error.value) == (
        f"sending the report via 127.0.0.1:{port} failed: login as 'jane@acme.test' refused: "
        f"535 5.7.8 Authentication credentials invalid; check username and the password in "
        f"TEST_SMTP_PASSWORD (Gmail needs an app password)")
    assert inbox.received == []


def test_a_username_without_the_password_variable_is_refused_before_connecting(monkeypatch):
    monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
    with pytest.raises(DeliveryError, match="environment variable TEST_SMTP_PASSWORD is empty; "
                                            "export TEST_SMTP_PASSWORD=<password>"):
        send(report_message(), settings(free_port(), username=USER, password_env="TEST_SMTP_PASSWORD"))


def test_a_refused_connection_is_one_line():
    port = free_port()  # nothing listens there
    with pytest.raises(DeliveryError) as error:
        send(report_message(), settings(port))
    assert str(error.value) == (f"sending the report via 127.0.0.1:{port} failed: cannot connect "
                                f"(Connection refused); check smtp_host and smtp_port in [report]")


def test_a_server_that_never_answers_times_out():
    with socket.socket() as silent:  # accepts connections into its backlog but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        with pytest.raises(DeliveryError, match=r"no answer within 0.3 s; check smtp_host"):
            send(report_message(), settings(silent.getsockname()[1], timeout=0.3))


def test_a_refused_recipient_gives_the_servers_answer(smtp_server):
    inbox, port, _ = smtp_server()
    inbox.refuse = {"nobody@acme.test"}
    with pytest.raises(DeliveryError, match=r"recipient nobody@acme.test refused: 550 5.1.1 <nobody@acme.test>: "
                                            r"Recipient address rejected: User unknown; check to in \[report\]"):
        send(report_message(), settings(port, to=("nobody@acme.test",)))
    assert inbox.received == []


def test_one_refused_recipient_among_several_is_an_error_after_sending(smtp_server):
    inbox, port, _ = smtp_server()
    inbox.refuse = {"nobody@acme.test"}
    with pytest.raises(DeliveryError, match=r"the report was sent, but 127.0.0.1:\d+ refused nobody@acme.test: "
                                            r"550 5.1.1"):
        send(report_message(), settings(port, to=("jane@acme.test", "nobody@acme.test")))
    assert [rcpt for _, rcpt, _ in inbox.received] == [["jane@acme.test"]]


def test_settings_from_the_report_section_with_defaults(tmp_path):
    config = write_config(tmp_path, 'to = "jane@acme.test"\nfrom = "Tiekeeper <jane@acme.test>"\n'
                                    'smtp_host = "smtp.gmail.com"\nusername = "jane@acme.test"\n')
    assert smtp_settings(config) == SmtpSettings(
        to=("jane@acme.test",), sender="Tiekeeper <jane@acme.test>", host="smtp.gmail.com", port=587,
        security="starttls", username="jane@acme.test", password_env="TIEKEEPER_SMTP_PASSWORD",
        tls_verify=True, timeout=30.0)


def test_implicit_tls_defaults_to_port_465(tmp_path):
    config = write_config(tmp_path, 'to = ["a@acme.test", "b@acme.test"]\nfrom = "a@acme.test"\n'
                                    'smtp_host = "smtp.acme.test"\nsecurity = "ssl"\n')
    assert (smtp_settings(config).port, smtp_settings(config).to) == (465, ("a@acme.test", "b@acme.test"))


def test_a_password_in_the_config_file_is_refused_when_the_config_is_read(tmp_path):
    with pytest.raises(ConfigError) as error:
        write_config(tmp_path, 'to = "jane@acme.test"\nfrom = "jane@acme.test"\nsmtp_host = "smtp.gmail.com"\n'
                               'username = "jane@acme.test"\npassword = "hunter2"\n')
    assert str(error.value) == (f"{tmp_path / 'tiekeeper.toml'}: [report] password must not be written in the "
                                f"config file; remove it and put the password in the environment variable "
                                f"named by password_env (default TIEKEEPER_SMTP_PASSWORD)")


def test_no_encryption_is_refused_for_a_remote_server(tmp_path):
    config = write_config(tmp_path, 'to = "jane@acme.test"\nfrom = "jane@acme.test"\n'
                                    'smtp_host = "smtp.gmail.com"\nsecurity = "none"\n')
    with pytest.raises(ConfigError, match='security = "none" sends the password and the report in clear '
                                          'text; it is allowed only for a test server on this machine, '
                                          'not smtp.gmail.com'):
        smtp_settings(config)


def test_a_missing_report_section_says_what_to_add(tmp_path):
    path = tmp_path / "tiekeeper.toml"
    path.write_text('[owner]\nname = "Jane"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[report\] is missing; add to, from and smtp_host"):
        smtp_settings(load_config(path, required=True))


def test_the_report_goes_from_and_to_the_report_section_else_to_the_owner(tmp_path):
    path = tmp_path / "tiekeeper.toml"
    path.write_text('[owner]\nemails = ["jane@acme.test", "jane@gmail.test"]\n', encoding="utf-8")
    assert report_addresses(load_config(path, required=True)) == ("jane@acme.test", ["jane@acme.test"])
    path.write_text('[owner]\nemails = ["jane@acme.test"]\n[report]\nto = ["a@acme.test", "b@acme.test"]\n'
                    'from = "Tiekeeper <jane@acme.test>"\n', encoding="utf-8")
    config = load_config(path, required=True)
    assert report_addresses(config) == ("Tiekeeper <jane@acme.test>", ["a@acme.test", "b@acme.test"])
    assert report_addresses(config, "x@acme.test", ["y@acme.test"]) == ("x@acme.test", ["y@acme.test"])
    path.write_text("", encoding="utf-8")
    assert report_addresses(load_config(path, required=True)) == ("me@localhost", ["me@localhost"])
