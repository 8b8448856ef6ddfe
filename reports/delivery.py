"""Delivery of the rendered weekly report by SMTP, configured in `[report]` of tiekeeper.toml.

The password never lives in the config file: `password_env` names the environment variable that
holds it (an app password for Gmail). Every failure is a `DeliveryError` with one line for the user.
"""
from __future__ import annotations

import ipaddress
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from pipelines.config import Config, ConfigError
from reports import DeliveryError

SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
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


def smtp_settings(config: Config) -> SmtpSettings:
    """The delivery settings of `[report]` (its types were checked when the config was read); anything
    missing or unsafe for sending is a one-line ConfigError."""
    where = f"{config.path or 'tiekeeper.toml'}: [report]"
    report = config.report
    if report is None:
        raise ConfigError(f"{where} is missing; add to, from and smtp_host to send the report")
    if not report.to or not all(_is_address(a) for a in report.to):
        raise ConfigError(f'{where} to must be an e-mail address or a list of them, e.g. to = ["me@example.com"]')
    if not _is_address(report.sender):
        raise ConfigError(f'{where} from must be an e-mail address, e.g. from = "Tiekeeper <me@example.com>"')
    host = (report.smtp_host or "").strip()
    if not host:
        raise ConfigError(f'{where} smtp_host is missing, e.g. smtp_host = "smtp.gmail.com"')
    security = "starttls" if report.security is None else report.security
    if security not in SECURITY_PORTS:
        raise ConfigError(f'{where} security must be "starttls" (port 587), "ssl" (port 465) or "none", '
                          f"not {security!r}")
    if security == "none" and not _is_loopback(host):
        raise ConfigError(f'{where} security = "none" sends the password and the report in clear text; '
                          f'it is allowed only for a test server on this machine, not {host}')
    port = SECURITY_PORTS[security] if report.smtp_port is None else report.smtp_port
    if not 0 < port < 65536:
        raise ConfigError(f"{where} smtp_port must be a port number such as 587 or 465, not {port!r}")
    if report.username is not None and not report.username:
        raise ConfigError(f"{where} username must be a non-empty string (or left out to send without login)")
    password_env = DEFAULT_PASSWORD_ENV if report.password_env is None else report.password_env
    if not password_env.isidentifier():
        raise ConfigError(f"{where} password_env must be the NAME of an environment variable, "
                          f"e.g. {DEFAULT_PASSWORD_ENV}")
    timeout = DEFAULT_TIMEOUT if report.timeout is None else report.timeout
    if timeout <= 0:
        raise ConfigError(f"{where} timeout must be a number of seconds above 0")
    return SmtpSettings(to=report.to, sender=report.sender, host=host, port=port, security=security,
                        username=report.username, password_env=password_env, tls_verify=report.tls_verify,
                        timeout=float(timeout))


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


def _is_address(value: object) -> bool:
    return isinstance(value, str) and "@" in parseaddr(value)[1]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
