"""Long work shows progress: a bar on a terminal, periodic log lines when nobody is watching."""
import io
import logging

from pipelines import progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_without_a_terminal_progress_is_logged_with_count_rate_and_eta(monkeypatch, caplog):
    monkeypatch.setattr(progress, "LOG_EVERY_SECONDS", 0.0)
    caplog.set_level(logging.INFO, logger="tiekeeper")
    with progress.byte_progress("mbox", 4_000_000, stream=io.StringIO()) as advance:
        advance(1_000_000)
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith("mbox: 1.0 MB of 4.0 MB (25%), ")
    assert "/s, about" in line and line.endswith("s left")


def test_on_a_terminal_progress_is_a_bar_that_goes_away_when_done():
    screen = Terminal()
    with progress.byte_progress("mbox", 2_000_000, stream=screen) as advance:
        advance(2_000_000)
    assert "mbox" in screen.getvalue()


def test_api_progress_counts_items_with_rate_and_eta_in_the_log(monkeypatch, caplog):
    monkeypatch.setattr(progress, "LOG_EVERY_SECONDS", 0.0)
    caplog.set_level(logging.INFO, logger="tiekeeper")
    with progress.count_progress("gmail", "messages", stream=io.StringIO()) as counts:
        counts.update(1500, 6000)
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith("gmail (messages): 1,500 of 6,000 (25%), ") and line.endswith("s left")


def test_api_progress_on_a_terminal_is_a_bar():
    screen = Terminal()
    with progress.count_progress("gcal", "events", stream=screen) as counts:
        counts.advance(40)
    assert "gcal" in screen.getvalue()


def test_slow_work_is_told_in_seconds_each_not_as_zero_per_second(monkeypatch, caplog):
    monkeypatch.setattr(progress, "LOG_EVERY_SECONDS", 0.0)
    clock = iter([100.0, 112.0])  # started, then 2 cuts done 12 s later
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    caplog.set_level(logging.INFO, logger="tiekeeper")
    with progress.count_progress("backtest", "cuts", stream=io.StringIO()) as counts:
        counts.update(2, 16)
    (line,) = [r.getMessage() for r in caplog.records]
    assert "2 of 16 (12%), 6.0 s each, about 84 s left" in line, line
