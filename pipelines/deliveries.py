"""The weekly report's delivery as the pipeline runs it: who it goes to and how it is sent, from
`[report]` of tiekeeper.toml, and which reports were sent to whom (`report_deliveries`), so that a
re-run in the same week does not mail it again. Rendering is `reports.weekly`, sending
`reports.smtp`; neither reads the config or the database on its own."""
from __future__ import annotations

import datetime as dt
import ipaddress
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import duckdb

from pipelines.config import Config, ConfigError
from reports.smtp import DEFAULT_PASSWORD_ENV, DEFAULT_TIMEOUT, SmtpSettings

SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


def report_folder(db: Path, out: Path | None) -> Path:
    """Where the report is written: `out`, else `reports/` beside the database."""
    return out or db.parent / "reports"


def report_addresses(config: Config, sender: str | None = None,
                     recipients: list[str] | None = None) -> tuple[str, list[str]]:
    """Who the message is from and to: `sender` and `recipients` when given, else `[report]`'s from
    and to, else the owner's first address (me@localhost without one)."""
    settings = config.report
    owner = config.owner.emails[0] if config.owner.emails else "me@localhost"
    to = recipients or (settings.to if settings and settings.to else [owner])
    return sender or (settings and settings.sender) or owner, list(to)


def smtp_settings(config: Config) -> SmtpSettings:
    """The delivery settings of `[report]` (its types were checked when the config was read); anything
    missing or unsafe for sending is a one-line ConfigError."""
    where = f"{config.where}: [report]"
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


def last_delivery(con: duckdb.DuckDBPyConnection, iso_week: str, recipients: list[str]) -> dt.datetime | None:
    """When the week's report last went to exactly these recipients, if it did."""
    row = con.execute("""select max(sent_at) from report_deliveries
                         where iso_week = ? and list_sort(recipients) = list_sort(?::varchar[])""",
                      [iso_week, recipients]).fetchall()
    return row[0][0]


def record_delivery(con: duckdb.DuckDBPyConnection, iso_week: str, recipients: list[str], message: EmailMessage,
                    answer: str) -> None:
    """Notes that the week's report went to `recipients`, with the server's answer."""
    con.execute("insert into report_deliveries values (?, ?, ?, now(), ?)",
                [iso_week, recipients, message["Message-ID"], answer])


def _is_address(value: object) -> bool:
    return isinstance(value, str) and "@" in parseaddr(value)[1]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
