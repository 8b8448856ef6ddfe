"""Sending the rendered weekly report by SMTP, as `SmtpSettings` say (the pipeline reads them from
`[report]` of tiekeeper.toml: `pipelines.deliveries.smtp_settings`).

The password never lives in the config file: `password_env` names the environment variable that
holds it (an app password for Gmail). Every failure is a `DeliveryError` with one line for the user.
"""
from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from reports import DeliveryError

DEFAULT_PASSWORD_ENV = "TIEKEEPER_SMTP_PASSWORD"
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send the report. Holds the NAME of the password's variable, never the password."""
    to: tuple[str, ...]
    sender: str  # `from` in the config
    host: str
    port: int = 587
    security: str = "starttls"  # "starttls", "ssl" (implicit TLS) or "none" (loopback only)
    username: str | None = None
    password_env: str = DEFAULT_PASSWORD_ENV
    tls_verify: bool = True  # false only for a self-signed test server
    timeout: float = DEFAULT_TIMEOUT


def send(message: EmailMessage, settings: SmtpSettings) -> str:
    """Sends `message` to `settings.to` and returns the server's final answer, e.g. "250 OK queued".
    The message's own headers are sent unchanged; the envelope comes from the settings."""
    server = f"{settings.host}:{settings.port}"
    password = _password(settings)
    try:
        with _connect(settings) as smtp:
            if settings.security == "starttls":
                smtp.starttls(context=_tls_context(settings))
            if settings.username:
                smtp.login(settings.username, password)
            refused = smtp.send_message(message, from_addr=parseaddr(settings.sender)[1],
                                        to_addrs=[a for _, a in getaddresses(settings.to)])
            code, text = smtp.data_answer
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        raise DeliveryError(f"sending the report via {server} failed: {_explain(exc, settings)}") from None
    if refused:
        address, (bad_code, bad_text) = next(iter(refused.items()))
        raise DeliveryError(f"the report was sent, but {server} refused {address}: {bad_code} "
                            f"{_one_line(bad_text)}; check to in [report] of tiekeeper.toml")
    return f"{code} {_one_line(text)}"


class _AnswerKeeping:
    """Keeps the answer to DATA, which `send_message` checks but does not return."""
    data_answer: tuple[int, bytes] = (0, b"")

    def data(self, msg):
        self.data_answer = super().data(msg)
        return self.data_answer


class _SMTP(_AnswerKeeping, smtplib.SMTP):
    pass


class _SMTP_SSL(_AnswerKeeping, smtplib.SMTP_SSL):
    pass


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.security == "ssl":
        return _SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                         context=_tls_context(settings))
    return _SMTP(settings.host, settings.port, timeout=settings.timeout)


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not settings.tls_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _password(settings: SmtpSettings) -> str | None:
    if not settings.username:
        return None
    password = os.environ.get(settings.password_env)
    if not password:
        raise DeliveryError(f"username {settings.username!r} is set in [report] but the environment variable "
                            f"{settings.password_env} is empty; export {settings.password_env}=<password> "
                            f"(for Gmail an app password)")
    return password


def _explain(exc: BaseException, settings: SmtpSettings) -> str:
    """One line: what the server (or the network) said, and what to do about it."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        address, (code, text) = next(iter(exc.recipients.items()))
        return f"recipient {address} refused: {code} {_one_line(text)}; check to in [report]"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (f"sender {exc.sender} refused: {exc.smtp_code} {_one_line(exc.smtp_error)}; "
                f"from in [report] must be an address this account may send as")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (f"login as {settings.username!r} refused: {exc.smtp_code} {_one_line(exc.smtp_error)}; "
                f"check username and the password in {settings.password_env} (Gmail needs an app password)")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return (f"{_one_line(str(exc))}; the server offers no STARTTLS or no login here, check security "
                f'("starttls" on 587, "ssl" on 465) and username in [report]')
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_one_line(exc.smtp_error)}; see the server's answer"
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        # smtplib reports a timed-out read as a disconnect; the timeout is what the user must know
        return (f"no answer within {settings.timeout:g} s; check smtp_host, smtp_port and that the network "
                f"allows outgoing mail on port {settings.port}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return (f"the server closed the connection ({_one_line(str(exc)) or 'no answer'}); check smtp_port "
                f'and security ("ssl" for port 465, "starttls" for 587)')
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"the server's TLS certificate is not trusted ({exc.verify_message}); check smtp_host, "
                f"or set tls_verify = false only for your own test server")
    if isinstance(exc, ssl.SSLError):
        return (f"TLS failed ({exc.reason or exc}); check security: \"ssl\" for port 465, "
                f"\"starttls\" for 587")
    if isinstance(exc, OSError):
        return f"cannot connect ({exc.strerror or exc}); check smtp_host and smtp_port in [report]"
    return _one_line(str(exc))


def _one_line(text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return " ".join(text.split())
