"""connectors.gmail and connectors.google_api: the Gmail API, metadata only, quota-aware, offline.

Services are built from the discovery document shipped with google-api-python-client and driven by
`HttpMockSequence`: each test lists the exact HTTP answers, in order, and checks the requests made.
"""
import datetime as dt
import hashlib
import json
import urllib.parse

import google.oauth2.credentials
import httplib2
import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpMockSequence

from connectors import SourceError
from connectors.gmail import (
    ALREADY_STORED,
    DELETED,
    HISTORY_EXPIRED,
    METADATA_HEADERS,
    GmailCursor,
    LabelsChanged,
    MessageDeleted,
    sync_gmail,
)
from connectors.google_api import ANONYMOUS, RateLimiter, backoff_delay, build_service, is_retryable, with_backoff
from connectors.records import Address, Skipped
from tests.records import mail

UTC = dt.timezone.utc
ENDPOINT = "http://127.0.0.1:8765/"
MESSAGES = ENDPOINT + "gmail/v1/users/me/messages"


# --- fakes -------------------------------------------------------------------------------------

class FakeClock:
    """A clock that only moves when slept on."""

    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class CountingLimiter:
    """Records the quota units asked for, in order, and never waits."""

    def __init__(self):
        self.units: list[int] = []

    def acquire(self, units: int) -> None:
        self.units.append(units)


def ok(body: dict) -> tuple[dict, str]:
    return {"status": "200", "content-type": "application/json"}, json.dumps(body)


def failure(status: int, reason: str, message: str) -> tuple[dict, str]:
    return {"status": str(status), "content-type": "application/json"}, json.dumps(
        {"error": {"code": status, "message": message,
                   "errors": [{"message": message, "domain": "global", "reason": reason}]}})


RATE_LIMITED = failure(429, "rateLimitExceeded", "Too many concurrent requests for user.")
NOT_FOUND = failure(404, "notFound", "Requested entity was not found.")


def batch(*parts: tuple[str, tuple[dict, str]]) -> tuple[dict, str]:
    """A multipart/mixed batch answer: one (request id, (headers, body)) per part."""
    chunks = []
    for request_id, (headers, body) in parts:
        status = int(headers["status"])
        reason = {200: "OK", 404: "Not Found", 429: "Too Many Requests"}.get(status, "Error")
        chunks.append(f"--BOUNDARY\r\nContent-Type: application/http\r\n"
                      f"Content-ID: <response-0a1b2c + {request_id}>\r\n\r\n"
                      f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n\r\n{body}\r\n")
    return ({"status": "200", "content-type": 'multipart/mixed; boundary="BOUNDARY"'},
            "".join(chunks) + "--BOUNDARY--\r\n")


def api_message(hex_id: str, headers: list[tuple[str, str]], *, labels=("INBOX",),
                internal_date="1741656684000", thread_id=None) -> dict:
    """A message resource as messages.get returns it with format=metadata."""
    return {"id": hex_id, "threadId": thread_id or hex_id, "labelIds": list(labels),
            "historyId": "8990", "internalDate": internal_date, "sizeEstimate": 4321,
            "payload": {"partId": "", "mimeType": "multipart/alternative", "filename": "",
                        "headers": [{"name": name, "value": value} for name, value in headers]}}


def service_for(*responses):
    http = HttpMockSequence(list(responses))
    return build_service("gmail", "v1", http=http, api_endpoint=ENDPOINT), http


def sync(service, cursor=None, **kwargs) -> list:
    kwargs.setdefault("limiter", CountingLimiter())
    kwargs.setdefault("sleep", lambda seconds: None)
    return list(sync_gmail(service, cursor=cursor, **kwargs))


def query(uri: str) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(urllib.parse.urlsplit(uri).query)


def batch_parts(body: str) -> list[str]:
    """The request lines (`GET /path?query`) of the parts of a batch request body."""
    return [line.split(" HTTP/")[0] for line in body.splitlines() if line.startswith("GET ")]


def get_line(hex_id: str) -> str:
    headers = "".join(f"&metadataHeaders={urllib.parse.quote(h)}" for h in METADATA_HEADERS)
    return f"GET /gmail/v1/users/me/messages/{hex_id}?format=metadata{headers}&alt=json"


# --- a real-shaped mailbox ---------------------------------------------------------------------

JOERG = api_message("1874a0c3e5f6b7d1", [
    ("Delivered-To", "owner@example.com"),
    ("From", "=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <Joerg.Mueller@example.org>"),
    ("To", "Owner <owner@example.com>"),
    ("Cc", '"Doe, Jane" <jane.doe@example.com>'),
    ("Subject", "=?UTF-8?Q?Caf=C3=A9_on_Friday=3F?="),
    ("Date", "Tue, 11 Mar 2025 01:31:24 -0000"),
    ("Message-ID", "<CAJ1xYz4kPq8Rw@mail.gmail.com>"),
], labels=["INBOX", "IMPORTANT", "CATEGORY_PERSONAL", "Label_12"])
REPLY = api_message("1874a0c3e5f6b7d2", [
    ("From", "Owner <owner@example.com>"),
    ("To", "=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg.mueller@example.org>"),
    ("Subject", "Re: =?UTF-8?Q?Caf=C3=A9_on_Friday=3F?="),
    ("Date", "not a date at all"),
    ("Message-ID", "<CAOwner7reply9@mail.gmail.com>"),
    ("In-Reply-To", "<CAJ1xYz4kPq8Rw@mail.gmail.com>"),
    ("References", "<CAJ0aaa1first@mail.gmail.com>\r\n <CAJ1xYz4kPq8Rw@mail.gmail.com>"),
], labels=["SENT"], internal_date="1741683729000", thread_id="1874a0c3e5f6b7d1")
DIGEST = api_message("1874a0c3e5f6b7d3", [
    ("From", "Acme Weekly <news@acme.example>"),
    ("Reply-To", "Acme Support <support@acme.example>"),
    ("To", "owner@example.com"),
    ("Subject", "Your weekly digest"),
    ("Date", "Wed, 12 Mar 2025 08:00:02 +0100"),
    ("Message-ID", "<20250312070002.1a2b3c@acme.example>"),
    ("List-Id", "=?UTF-8?Q?Acme_Wochen=C3=BCbersicht?= <weekly.acme.example>"),
    ("List-Unsubscribe", "<https://acme.example/unsubscribe>"),
    ("Precedence", "Bulk"),
    ("Auto-Submitted", "Auto-Generated"),
], labels=["SPAM", "UNREAD"])

EXPECTED = [
    mail(message_id="CAJ1xYz4kPq8Rw@mail.gmail.com",
         header_hash=hashlib.sha256(
             b"Delivered-To: owner@example.com\n"
             b"From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <Joerg.Mueller@example.org>\n"
             b"To: Owner <owner@example.com>\n"
             b'Cc: "Doe, Jane" <jane.doe@example.com>\n'
             b"Subject: =?UTF-8?Q?Caf=C3=A9_on_Friday=3F?=\n"
             b"Date: Tue, 11 Mar 2025 01:31:24 -0000\n"
             b"Message-ID: <CAJ1xYz4kPq8Rw@mail.gmail.com>\n").hexdigest(),
         gmail_id="1762210117445924817",
         thread_id="1762210117445924817",
         sent_at=dt.datetime(2025, 3, 11, 1, 31, 24, tzinfo=UTC),
         from_addr=Address("joerg.mueller@example.org", "Jörg Müller"),
         to=[Address("owner@example.com", "Owner")],
         cc=[Address("jane.doe@example.com", "Doe, Jane")],
         subject="Café on Friday?",
         labels=["Inbox", "Important", "Category Personal", "Label_12"],
         size_bytes=4321,  # sizeEstimate: the message's size, though only its headers are fetched
         origin="gmail:1874a0c3e5f6b7d1"),
    mail(message_id="CAOwner7reply9@mail.gmail.com",
         gmail_id="1762210117445924818",
         thread_id="1762210117445924817",
         in_reply_to="CAJ1xYz4kPq8Rw@mail.gmail.com",
         references=["CAJ0aaa1first@mail.gmail.com", "CAJ1xYz4kPq8Rw@mail.gmail.com"],
         sent_at=dt.datetime(2025, 3, 11, 9, 2, 9, tzinfo=UTC),  # internalDate: the Date is unreadable
         from_addr=Address("owner@example.com", "Owner"),
         to=[Address("joerg.mueller@example.org", "Jörg Müller")],
         subject="Re: Café on Friday?",
         labels=["Sent"],
         size_bytes=4321,  # sizeEstimate: the message's size, though only its headers are fetched
         origin="gmail:1874a0c3e5f6b7d2"),
    mail(message_id="20250312070002.1a2b3c@acme.example",
         gmail_id="1762210117445924819",
         thread_id="1762210117445924819",
         sent_at=dt.datetime(2025, 3, 12, 7, 0, 2, tzinfo=UTC),
         from_addr=Address("news@acme.example", "Acme Weekly"),
         reply_to=[Address("support@acme.example", "Acme Support")],
         to=[Address("owner@example.com", None)],
         subject="Your weekly digest",
         labels=["Spam", "Unread"],
         list_id="Acme Wochenübersicht <weekly.acme.example>",
         has_list_unsubscribe=True,
         precedence="bulk",
         auto_submitted="auto-generated",
         size_bytes=4321,  # sizeEstimate: the message's size, though only its headers are fetched
         origin="gmail:1874a0c3e5f6b7d3"),
]


def listed(*messages: dict, next_page: str | None = None) -> tuple[dict, str]:
    page = {"messages": [{"id": m["id"], "threadId": m["threadId"]} for m in messages],
            "resultSizeEstimate": len(messages)}
    return ok({**page, "nextPageToken": next_page} if next_page else page)


def full_sync_answers():
    return [ok({"emailAddress": "owner@example.com", "messagesTotal": 3, "historyId": "9001"}),
            listed(JOERG, REPLY, next_page="page-2"),
            listed(DIGEST, next_page="page-3"),
            ok({"resultSizeEstimate": 0}),  # a last page without a `messages` key
            batch(*((m["id"], ok(m)) for m in (JOERG, REPLY, DIGEST)))]


# --- full sync ---------------------------------------------------------------------------------

def test_full_sync_yields_every_message_then_the_history_id_taken_before_listing():
    service, _ = service_for(*full_sync_answers())
    assert sync(service) == [*EXPECTED, GmailCursor("9001")]


def test_full_sync_lists_500_per_page_and_fetches_metadata_headers_in_a_batch_on_the_endpoint():
    service, http = service_for(*full_sync_answers())
    sync(service)
    uris = [(method, uri.split("?")[0]) for uri, method, _, _ in http.request_sequence]
    assert uris == [("GET", ENDPOINT + "gmail/v1/users/me/profile"),
                    ("GET", MESSAGES), ("GET", MESSAGES), ("GET", MESSAGES),
                    ("POST", ENDPOINT + "batch")]
    lists = [query(uri) for uri, _, _, _ in http.request_sequence[1:4]]
    assert lists == [[("maxResults", "500"), ("includeSpamTrash", "true"), ("alt", "json")],
                     [("maxResults", "500"), ("pageToken", "page-2"), ("includeSpamTrash", "true"),
                      ("alt", "json")],
                     [("maxResults", "500"), ("pageToken", "page-3"), ("includeSpamTrash", "true"),
                      ("alt", "json")]]
    assert batch_parts(http.request_sequence[4][2]) == [get_line(m["id"]) for m in (JOERG, REPLY, DIGEST)]
    assert ("metadataHeaders", "Message-ID") in query(get_line("x"))  # repeated, one per header


def test_an_empty_mailbox_makes_no_batch_request():
    service, http = service_for(ok({"historyId": "17"}), ok({"resultSizeEstimate": 0}))
    assert sync(service) == [GmailCursor("17")]
    assert len(http.request_sequence) == 2


def test_messages_are_fetched_in_batches_of_batch_size_with_progress():
    service, http = service_for(ok({"historyId": "9001"}), listed(JOERG, REPLY, DIGEST),
                                batch((JOERG["id"], ok(JOERG)), (REPLY["id"], ok(REPLY))),
                                batch((DIGEST["id"], ok(DIGEST))))
    reported = []
    records = sync(service, batch_size=2, progress=lambda done, total: reported.append((done, total)))
    assert records == [*EXPECTED, GmailCursor("9001")]
    assert [len(batch_parts(body)) for _, method, body, _ in http.request_sequence if method == "POST"] == [2, 1]
    assert reported == [(2, 3), (3, 3)]


def test_a_message_listed_on_two_pages_is_fetched_once():
    service, http = service_for(ok({"historyId": "9001"}), listed(JOERG, REPLY, next_page="page-2"),
                                listed(REPLY), batch((JOERG["id"], ok(JOERG)), (REPLY["id"], ok(REPLY))))
    assert sync(service) == [*EXPECTED[:2], GmailCursor("9001")]
    assert batch_parts(http.request_sequence[3][2]) == [get_line(JOERG["id"]), get_line(REPLY["id"])]


def test_a_message_deleted_after_listing_is_skipped():
    service, _ = service_for(ok({"historyId": "9001"}), listed(JOERG, REPLY),
                             batch((JOERG["id"], ok(JOERG)), (REPLY["id"], NOT_FOUND)))
    assert sync(service) == [EXPECTED[0], Skipped("gmail:1874a0c3e5f6b7d2", DELETED), GmailCursor("9001")]


def test_resume_skips_the_ids_already_stored():
    service, http = service_for(ok({"historyId": "9001"}), listed(JOERG, REPLY, DIGEST),
                                batch((REPLY["id"], ok(REPLY))))
    asked = []

    def known_ids(ids):
        asked.append(ids)
        return {"1762210117445924817", "1762210117445924819"}

    assert sync(service, known_ids=known_ids) == [
        Skipped("gmail:1874a0c3e5f6b7d1", ALREADY_STORED), Skipped("gmail:1874a0c3e5f6b7d3", ALREADY_STORED),
        EXPECTED[1], GmailCursor("9001")]
    assert asked == [["1762210117445924817", "1762210117445924818", "1762210117445924819"]]
    assert batch_parts(http.request_sequence[2][2]) == [get_line(REPLY["id"])]


def test_every_call_asks_the_limiter_for_its_quota_units_first():
    limiter = CountingLimiter()
    service, _ = service_for(*full_sync_answers())
    sync(service, limiter=limiter)
    assert limiter.units == [1, 5, 5, 5, 3 * 5]  # getProfile, 3 list pages, one batch of 3 gets


def test_a_message_whose_headers_cannot_be_read_is_rejected():
    broken = {**REPLY, "payload": {"headers": [{"name": "From"}]}}  # a header without a value
    service, _ = service_for(ok({"historyId": "9001"}), listed(JOERG, broken),
                             batch((JOERG["id"], ok(JOERG)), (REPLY["id"], ok(broken))))
    records = sync(service)
    assert records[0] == EXPECTED[0]
    assert records[1].location == "gmail:1874a0c3e5f6b7d2"
    assert records[1].reason == "cannot read the headers (KeyError: 'value')"
    assert records[2] == GmailCursor("9001")


# --- faults ------------------------------------------------------------------------------------

def test_failed_batch_parts_go_into_the_next_batch_not_one_by_one():
    slept = []
    service, http = service_for(ok({"historyId": "9001"}), listed(JOERG, REPLY, DIGEST),
                                batch((JOERG["id"], RATE_LIMITED), (REPLY["id"], ok(REPLY)),
                                      (DIGEST["id"], failure(503, "backendError", "Backend Error"))),
                                batch((JOERG["id"], ok(JOERG)), (DIGEST["id"], ok(DIGEST))))
    limiter = CountingLimiter()
    records = sync(service, limiter=limiter, sleep=slept.append)
    assert records == [EXPECTED[1], EXPECTED[0], EXPECTED[2], GmailCursor("9001")]
    assert [batch_parts(body) for _, method, body, _ in http.request_sequence if method == "POST"] == [
        [get_line(m["id"]) for m in (JOERG, REPLY, DIGEST)], [get_line(JOERG["id"]), get_line(DIGEST["id"])]]
    assert limiter.units == [1, 5, 15, 10]  # the retried parts are charged again, in the next batch
    assert len(slept) == 1 and 1 <= slept[0] < 2  # two of three parts failed: the server is struggling


def test_a_part_that_fails_once_costs_no_wait_of_its_own():
    slept = []
    service, http = service_for(ok({"historyId": "9001"}), listed(JOERG, REPLY, DIGEST),
                                batch((JOERG["id"], ok(JOERG)), (REPLY["id"], RATE_LIMITED)),
                                batch((REPLY["id"], ok(REPLY)), (DIGEST["id"], ok(DIGEST))))
    records = sync(service, batch_size=2, sleep=slept.append)
    assert records == [*EXPECTED, GmailCursor("9001")]
    assert slept == []


def test_a_part_that_keeps_failing_stops_the_run_after_the_retries(monkeypatch):
    from connectors import google_api
    monkeypatch.setattr(google_api, "RETRY_TRIES", 3)
    service, _ = service_for(ok({"historyId": "9001"}), listed(JOERG),
                             *[batch((JOERG["id"], RATE_LIMITED))] * 3)
    with pytest.raises(SourceError, match=r"HTTP 429.*still failing after retries"):
        sync(service, sleep=lambda seconds: None)


def test_a_whole_batch_failing_with_500_is_sent_again():
    service, http = service_for(ok({"historyId": "9001"}), listed(JOERG),
                                failure(500, "backendError", "Backend Error"), batch((JOERG["id"], ok(JOERG))))
    assert sync(service) == [EXPECTED[0], GmailCursor("9001")]
    assert [method for _, method, _, _ in http.request_sequence] == ["GET", "GET", "POST", "POST"]


def test_403_rate_limit_exceeded_is_retried():
    quota = failure(403, "rateLimitExceeded", "Quota exceeded for quota metric 'Queries' and limit "
                                              "'Queries per minute per user'")
    service, http = service_for(ok({"historyId": "9001"}), quota, ok({"resultSizeEstimate": 0}))
    assert sync(service) == [GmailCursor("9001")]
    assert len(http.request_sequence) == 3


def test_403_metadata_scope_refusing_q_is_not_retried_and_stops_the_run_with_one_line():
    refused = failure(403, "forbidden", "Metadata scope does not support 'q' parameter")
    service, http = service_for(ok({"historyId": "9001"}), refused)
    with pytest.raises(SourceError) as raised:
        sync(service)
    assert str(raised.value) == ("Gmail API: request refused with HTTP 403: Metadata scope does not support "
                                 "'q' parameter (check the scopes granted: run `tiekeeper auth google` again)")
    assert len(http.request_sequence) == 2


def test_an_expired_token_asks_to_authorize_again():
    service, _ = service_for(failure(401, "authError", "Invalid Credentials"))
    with pytest.raises(SourceError, match=r"^Gmail API: the Google authorization has expired or was revoked "
                                          r"\(run `tiekeeper auth google` again\)$"):
        sync(service)


def test_rate_limits_that_never_end_stop_the_run_after_the_retries():
    service, http = service_for(*[RATE_LIMITED] * 8)
    with pytest.raises(SourceError, match="HTTP 429: Too many concurrent requests for user. "
                                          r"\(still failing after retries"):
        sync(service)
    assert len(http.request_sequence) == 8


def test_which_errors_are_retried():
    def error(answer):
        headers, body = answer
        return HttpError(httplib2.Response(headers), body.encode())

    assert is_retryable(error(RATE_LIMITED))
    assert is_retryable(error(failure(503, "backendError", "Backend Error")))
    assert is_retryable(error(failure(403, "userRateLimitExceeded", "User Rate Limit Exceeded")))
    assert is_retryable(ConnectionResetError())
    assert not is_retryable(error(failure(403, "forbidden", "Metadata scope does not support 'q' parameter")))
    assert not is_retryable(error(failure(403, "dailyLimitExceeded", "Daily Limit Exceeded")))
    assert not is_retryable(error(NOT_FOUND))
    assert not is_retryable(ConnectionRefusedError())


def test_backoff_doubles_with_up_to_a_second_of_jitter_capped_at_64_seconds():
    assert [backoff_delay(n, jitter=lambda: 0.5) for n in range(8)] == [1.5, 2.5, 4.5, 8.5, 16.5, 32.5, 64, 64]
    assert backoff_delay(0, retry_after=30, jitter=lambda: 0.5) == 30


def test_with_backoff_sleeps_between_tries_and_returns_the_answer():
    answers = iter([ConnectionResetError(), TimeoutError(), "answer"])

    def call():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    slept = []
    assert with_backoff(call, sleep=slept.append, jitter=lambda: 0.25) == "answer"
    assert slept == [1.25, 2.25]


# --- incremental sync --------------------------------------------------------------------------

def test_incremental_run_fetches_added_and_relabelled_messages_once_each():
    history = {"history": [
        {"id": "9002", "messages": [{"id": JOERG["id"], "threadId": JOERG["threadId"]}],
         "messagesAdded": [{"message": {"id": JOERG["id"], "threadId": JOERG["threadId"], "labelIds": ["INBOX"]}}]},
        {"id": "9003", "messages": [{"id": JOERG["id"], "threadId": JOERG["threadId"]}],
         "labelsAdded": [{"message": {"id": JOERG["id"], "threadId": JOERG["threadId"]}, "labelIds": ["Label_12"]}]},
    ], "nextPageToken": "more", "historyId": "9010"}
    last_page = {"history": [
        {"id": "9004", "labelsRemoved": [{"message": {"id": DIGEST["id"], "threadId": DIGEST["threadId"]},
                                          "labelIds": ["INBOX"]}]},
    ], "historyId": "9011"}
    service, http = service_for(ok(history), ok(last_page),
                                batch((JOERG["id"], ok(JOERG)), (DIGEST["id"], ok(DIGEST))))
    limiter = CountingLimiter()
    assert sync(service, cursor="9001", limiter=limiter) == [EXPECTED[0], EXPECTED[2], GmailCursor("9011")]
    pages = [(uri.split("?")[0], query(uri)) for uri, _, _, _ in http.request_sequence[:2]]
    common = [("startHistoryId", "9001"), ("historyTypes", "messageAdded"), ("historyTypes", "messageDeleted"),
              ("historyTypes", "labelAdded"), ("historyTypes", "labelRemoved"), ("maxResults", "500")]
    assert pages == [(ENDPOINT + "gmail/v1/users/me/history", [*common, ("alt", "json")]),
                     (ENDPOINT + "gmail/v1/users/me/history", [*common, ("pageToken", "more"), ("alt", "json")])]
    assert http.request_sequence[2][0] == ENDPOINT + "batch"
    assert limiter.units == [2, 2, 10]


def test_incremental_run_yields_deletions_and_the_new_labels_of_stored_messages_without_fetching_them():
    history = {"history": [
        {"id": "9002", "labelsAdded": [{"message": {"id": JOERG["id"], "threadId": JOERG["threadId"],
                                                    "labelIds": ["INBOX", "STARRED"]}, "labelIds": ["STARRED"]}]},
        {"id": "9003", "labelsRemoved": [{"message": {"id": JOERG["id"], "threadId": JOERG["threadId"],
                                                      "labelIds": ["STARRED"]}, "labelIds": ["INBOX"]}]},
        {"id": "9004", "messagesDeleted": [{"message": {"id": REPLY["id"], "threadId": REPLY["threadId"]}}]},
        {"id": "9005", "labelsAdded": [{"message": {"id": DIGEST["id"], "threadId": DIGEST["threadId"],
                                                    "labelIds": ["SPAM"]}, "labelIds": ["SPAM"]}]},
    ], "historyId": "9011"}
    service, http = service_for(ok(history), batch((DIGEST["id"], ok(DIGEST))))
    stored = {"1762210117445924817", "1762210117445924818"}  # JOERG and REPLY, not DIGEST
    records = sync(service, cursor="9001", mirrored_ids=lambda: stored)
    assert records == [LabelsChanged("1762210117445924817", ["Starred"]), EXPECTED[2],
                       MessageDeleted("1762210117445924818"), GmailCursor("9011")]
    assert batch_parts(http.request_sequence[1][2]) == [get_line(DIGEST["id"])]  # only the unstored one


def test_incremental_run_without_changes_makes_at_most_3_calls():
    service, http = service_for(ok({"historyId": "9001"}))
    assert sync(service, cursor="9001") == [GmailCursor("9001")]
    assert len(http.request_sequence) <= 3


def test_an_expired_history_id_triggers_a_full_sync():
    service, http = service_for(NOT_FOUND, *full_sync_answers())
    records = sync(service, cursor="12")
    assert records == [Skipped("gmail:history", HISTORY_EXPIRED), *EXPECTED, GmailCursor("9001")]
    assert [uri.split("?")[0] for uri, _, _, _ in http.request_sequence[:3]] == [
        ENDPOINT + "gmail/v1/users/me/history", ENDPOINT + "gmail/v1/users/me/profile", MESSAGES]


# --- quota -------------------------------------------------------------------------------------

def test_limiter_100_gets_at_250_units_per_second_take_2_seconds():
    clock = FakeClock()
    limiter = RateLimiter(250, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        limiter.acquire(5)
    assert clock.now - 1000 == pytest.approx(2.0)


def test_limiter_allows_one_burst_after_idling_but_no_more():
    clock = FakeClock()
    limiter = RateLimiter(250, clock=clock, sleep=clock.sleep)
    clock.now += 60  # idle for a minute: the bucket fills to one second's worth, not 60
    limiter.acquire(250)
    assert clock.slept == []
    limiter.acquire(500)  # a request larger than the bucket waits for its whole cost
    assert clock.slept == [pytest.approx(2.0)]


# --- building services -------------------------------------------------------------------------

def test_an_anonymous_service_for_an_emulator_sends_no_credentials():
    service = build_service("gmail", "v1", credentials=ANONYMOUS, api_endpoint=ENDPOINT)
    request = service.users().getProfile(userId="me")
    assert request.uri == ENDPOINT + "gmail/v1/users/me/profile?alt=json"
    assert type(request.http) is httplib2.Http  # not wrapped in an authorizing transport


def test_a_service_with_user_credentials_authorizes_every_request():
    token = google.oauth2.credentials.Credentials(token="ya29.token")
    service = build_service("gmail", "v1", credentials=token)
    request = service.users().getProfile(userId="me")
    assert request.uri == "https://gmail.googleapis.com/gmail/v1/users/me/profile?alt=json"
    assert request.http.credentials is token
