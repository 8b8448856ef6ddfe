"""`tiekeeper report` and `tiekeeper send`: the report on disk, and delivered to a real SMTP
server on loopback; a failed send is one line, exits non-zero and keeps the report."""
import email
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.test_delivery import free_port

pytestmark = pytest.mark.slow  # the demo world loaded, then reported


class Inbox:
    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK queued"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A demo world loaded once: (database, config)."""
    from pipelines.cli import main
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out), "--people", "60", "--as-of", "2026-11-25T18:30"]) == 0
    return out / "tiekeeper.duckdb", out / "tiekeeper.toml"


def with_report_section(config: Path, tmp_path: Path, port: int) -> Path:
    mine = tmp_path / "tiekeeper.toml"
    mine.write_text(config.read_text().replace("[sources]", "[report]\nto = [\"jane@example.com\"]\n"
                                               "from = \"tiekeeper@example.com\"\nsmtp_host = \"127.0.0.1\"\n"
                                               f"smtp_port = {port}\nsecurity = \"none\"\n\n[sources]", 1))
    return mine


def test_report_writes_the_html_its_charts_and_the_eml_and_prints_the_path(cli, demo, tmp_path):
    db, config = demo
    result = cli("--db", db, "--config", config, "--as-of", "2026-11-23", "report", "--out", tmp_path / "out")
    assert result.code == 0, result.err
    html = Path(result.out.strip())
    assert html == tmp_path / "out" / "2026-W48.html" and html.exists()
    assert (tmp_path / "out" / "2026-W48.eml").exists()
    assert list((tmp_path / "out").glob("*.png"))
    assert "cid:" not in html.read_text()  # the browser copy points at the PNGs beside it


def test_send_delivers_the_report_to_the_configured_recipients(cli, demo, tmp_path):
    db, config = demo
    inbox, port = Inbox(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        result = cli("--db", db, "--config", with_report_section(config, tmp_path, port), "send", "--out", tmp_path)
    finally:
        server.stop()
    assert result.code == 0, result.err
    assert "250 OK queued" in result.out
    (received,) = inbox.messages
    message = email.message_from_bytes(received, policy=policy.default)
    assert message["To"] == "jane@example.com" and message["Subject"].startswith("Your network, ")
    assert [part.get_content_type() for part in message.walk()][:4] == [
        "multipart/alternative", "text/plain", "multipart/related", "text/html"]
    saved = email.message_from_bytes(next(tmp_path.glob("*.eml")).read_bytes(), policy=policy.default)
    assert saved["Message-ID"] == message["Message-ID"]  # what was sent is what was kept


def test_a_failed_send_is_one_line_exits_non_zero_and_keeps_the_report(cli, demo, tmp_path):
    db, config = demo
    result = cli("--db", db, "--config", with_report_section(config, tmp_path, free_port()), "send", "--out", tmp_path)
    assert result.code == 1
    assert result.err.count("\n") == 1 and "refused" in result.err and str(tmp_path) in result.err
    assert list(tmp_path.glob("*.html")) and list(tmp_path.glob("*.eml"))


def test_send_without_smtp_settings_says_what_to_configure(cli, demo, tmp_path):
    db, config = demo
    result = cli("--db", db, "--config", config, "send")
    assert result.code == 1 and result.err.count("\n") == 1 and "[report]" in result.err
