"""How fast `connectors.mbox.read_mbox` reads a big mbox, against plain stdlib `mailbox.mbox`.

    .venv/bin/python benchmarks/bench_mbox_parse.py                  # generate 100,000 messages
    .venv/bin/python benchmarks/bench_mbox_parse.py --messages 20000
    .venv/bin/python benchmarks/bench_mbox_parse.py --mbox PATH      # an mbox of your own

The generated file is Gmail-Takeout shaped: a Takeout From_ line, X-GM-THRID and X-Gmail-Labels,
Received/ARC/DKIM headers as Gmail stores them, mail to and from the owner and 3,000 correspondents
(encoded, quoted and bare display names, some people far more frequent than others), multipart
bodies with text and HTML parts and, for some messages, a base64 attachment (about 10 KB a message
on average). It is written under benchmarks/out/ and reused while the parameters are the same.

Both readers run in the same invocation, each in its own subprocess so that its peak RSS is its
own. The file is read once beforehand so both see a warm page cache. The baseline is iterating
`mailbox.mbox(path, create=False)` and reading five headers of each message.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"

FIRST = ["Jane", "John", "Maria", "Jörg", "Søren", "Zoë", "Li", "Ahmed", "Olga", "Pierre", "Chloé",
         "Ana", "Raj", "Yuki", "Emma", "Noah", "Łukasz", "Sven", "Amélie", "Kofi"]
LAST = ["Doe", "Smith", "Müller", "Nørgaard", "García", "Wang", "Khan", "Petrova", "Dubois",
        "O'Brien", "Silva", "Patel", "Tanaka", "Jones", "Kowalski", "Lindqvist", "Mensah"]
DOMAINS = ["example.com", "acme.io", "globex.net", "initech.org", "umbrella.co.uk", "gmail.com"]
SUBJECTS = ["Quarterly numbers", "Lunch next week?", "Re: contract draft", "Intro: two people you should meet",
            "Your invoice", "Über die Präsentation", "Follow-up from the conference", "Fwd: slides",
            "Café on Friday ☕", "Project plan v3"]
LABELS = ["Inbox,Important,Opened,Category Personal", "Sent,Opened", "Archived,Opened,Category Updates",
          "Inbox,Opened,Category Promotions", "Opened,Work,Category Personal"]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
OWNER = "Sam Owner <owner@example.com>"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _encoded(text: str, rng: random.Random) -> str:
    if text.isascii():
        return text
    if rng.random() < 0.5:
        return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="
    q = "".join(c if c.isascii() and c.isalnum() else "_" if c == " " else
                "".join(f"={b:02X}" for b in c.encode()) for c in text)
    return f"=?UTF-8?Q?{q}?="


def _mailbox(rng: random.Random) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    addr = f"{first.lower()}.{last.lower()}@{rng.choice(DOMAINS)}".encode("ascii", "ignore").decode()
    style = rng.random()
    if style < 0.15:
        return addr
    if style < 0.3:
        return f'"{last}, {first}" <{addr}>'
    return f"{_encoded(f'{first} {last}', rng)} <{addr}>"


def _b64(rng: random.Random, n: int) -> str:
    return base64.b64encode(rng.randbytes(n)).decode()


def _folded_b64(rng: random.Random, n: int, indent: str = "        ") -> str:
    text = _b64(rng, n)
    return f"\n{indent}".join(text[i:i + 70] for i in range(0, len(text), 70))


def generate(path: Path, messages: int, seed: int = 1) -> None:
    """Writes a Takeout-shaped mbox of `messages` messages to `path`."""
    rng = random.Random(seed)
    # A pool of attachments and bodies, reused so that generating 1 GB takes seconds, not minutes.
    attachments = [base64.encodebytes(rng.randbytes(rng.randint(10_000, 50_000))).decode() for _ in range(40)]
    # Correspondents, each always written the same way, some far more often than others.
    people = [_mailbox(rng) for _ in range(3000)]
    paragraphs = [" ".join(rng.choice(SUBJECTS + FIRST + LAST) for _ in range(60)) for _ in range(50)]
    t0 = 1_600_000_000
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        batch = []
        for n in range(messages):
            when = time.gmtime(t0 + n * 600 + rng.randint(0, 599))
            date = (f"{WEEKDAYS[when.tm_wday]}, {when.tm_mday} {MONTHS[when.tm_mon - 1]} {when.tm_year} "
                    f"{when.tm_hour:02d}:{when.tm_min:02d}:{when.tm_sec:02d} {rng.choice(['+0000', '-0800', '+0100', '+0530'])}")
            envelope = (f"{WEEKDAYS[when.tm_wday]} {MONTHS[when.tm_mon - 1]} {when.tm_mday:02d} "
                        f"{when.tm_hour:02d}:{when.tm_min:02d}:{when.tm_sec:02d} +0000 {when.tm_year}")
            gmail_id = 1_700_000_000_000_000_000 + n * 7919
            others = list(dict.fromkeys(  # half the mail is with the 30 most frequent correspondents
                people[min(int((rng.paretovariate(1.0) - 1) * 30), len(people) - 1)]
                for _ in range(rng.choice([1, 1, 1, 2, 3]))))
            if rng.random() < 0.35:  # sent by the owner
                sender, to = OWNER, ", ".join(others)
            else:
                sender, to = others[0], ", ".join([OWNER] + others[1:])
            cc = ", ".join(rng.choice(people) for _ in range(rng.choice([0, 0, 0, 1, 2])))
            boundary = f"000000000000{n:016x}"
            reply = rng.random() < 0.4
            headers = [
                f"From {gmail_id}@xxx {envelope}",
                f"X-GM-THRID: {gmail_id - (n % 5) * 7919}",
                f"X-Gmail-Labels: {rng.choice(LABELS)}",
                "Delivered-To: owner@example.com",
                f"Received: by 2002:a05:6a10:{n % 9999:x}:b0:5a1:{n % 777:x}:{n % 65535:x} with SMTP id {_b64(rng, 9)};\n"
                f"        {date}",
                f"X-Google-Smtp-Source: {_b64(rng, 60)}",
                f"X-Received: by 2002:a17:906:{n % 4096:x} with SMTP id {_b64(rng, 9)}.{n % 97};\n        {date}",
                f"ARC-Seal: i=1; a=rsa-sha256; t={t0 + n}; cv=none;\n        d=google.com; s=arc-20160816;\n"
                f"        b={_folded_b64(rng, 256)}",
                f"ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=google.com; s=arc-20160816;\n"
                f"        h=to:subject:message-id:date:from:mime-version:dkim-signature;\n"
                f"        bh={_b64(rng, 32)};\n        b={_folded_b64(rng, 256)}",
                "ARC-Authentication-Results: i=1; mx.google.com;\n       dkim=pass header.i=@example.com;\n"
                "       spf=pass (google.com: domain of sender designates 209.85.220.41 as permitted sender)",
                f"Return-Path: <{sender.rpartition('<')[2].rstrip('>')}>",
                f"Received: from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\n"
                f"        by mx.google.com with SMTPS id {_b64(rng, 12)}\n        for <owner@example.com>\n"
                f"        (Google Transport Security);\n        {date}",
                "Received-SPF: pass (google.com: domain of sender designates 209.85.220.41 as permitted sender)",
                "Authentication-Results: mx.google.com;\n       dkim=pass header.i=@example.com header.s=20230601;\n"
                "       spf=pass smtp.mailfrom=example.com;\n       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com",
                f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n        d=example.com; s=20230601; t={t0 + n};\n"
                f"        h=to:subject:message-id:date:from:mime-version:from:to:cc:subject:date:message-id:reply-to;\n"
                f"        bh={_b64(rng, 32)};\n        b={_folded_b64(rng, 256)}",
                f"X-Gm-Message-State: {_folded_b64(rng, 60)}",
                "MIME-Version: 1.0",
                f"From: {sender}",
                f"Date: {date}",
                f"Message-ID: <CA+{_b64(rng, 30)}@mail.gmail.com>",
                f"Subject: {_encoded(rng.choice(SUBJECTS), rng)}",
                f"To: {to}",
            ]
            if cc:
                headers.append(f"Cc: {cc}")
            if reply:
                headers.append(f"In-Reply-To: <CA+{_b64(rng, 30)}@mail.gmail.com>")
                headers.append(f"References: <CA+{_b64(rng, 30)}@mail.gmail.com>\n <CA+{_b64(rng, 30)}@mail.gmail.com>")
            text = "\n".join(rng.sample(paragraphs, rng.randint(1, 4)))
            if rng.random() < 0.05:
                text += "\n>From the archive: an escaped line, as Gmail writes it.\n"
            parts = [
                f"--{boundary}\nContent-Type: multipart/alternative; boundary=\"{boundary}alt\"\n\n"
                f"--{boundary}alt\nContent-Type: text/plain; charset=\"UTF-8\"\n\n{text}\n\n"
                f"--{boundary}alt\nContent-Type: text/html; charset=\"UTF-8\"\n\n<div dir=\"ltr\">{text}</div>\n\n"
                f"--{boundary}alt--"]
            if rng.random() < 0.12:
                parts.append(f"--{boundary}\nContent-Type: application/pdf; name=\"report-{n}.pdf\"\n"
                             f"Content-Disposition: attachment; filename=\"report-{n}.pdf\"\n"
                             f"Content-Transfer-Encoding: base64\nX-Attachment-Id: f_{n:x}\n\n"
                             f"{rng.choice(attachments)}")
            headers.append(f"Content-Type: multipart/mixed; boundary=\"{boundary}\"")
            batch.append("\n".join(headers) + "\n\n" + "\n".join(parts) + f"\n--{boundary}--\n\n")
            if len(batch) == 1000:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))


def _peak_rss_mb() -> float:
    """This process's peak resident set size in MB (VmHWM), from /proc where there is one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_stdlib(path: Path) -> int:
    import mailbox

    count = 0
    box = mailbox.mbox(path, create=False)
    try:
        for message in box:
            message["From"], message["To"], message["Cc"], message["Date"], message["Message-ID"]
            count += 1
    finally:
        box.close()
    return count


def run_read_mbox(path: Path) -> int:
    sys.path.insert(0, str(ROOT))
    from connectors.mbox import read_mbox
    from connectors.records import MailMessage

    return sum(1 for record in read_mbox([path]) if type(record) is MailMessage)


def _child(reader: str, path: Path) -> None:
    started = time.perf_counter()
    count = {"stdlib": run_stdlib, "read_mbox": run_read_mbox}[reader](path)
    print(json.dumps({"seconds": time.perf_counter() - started, "messages": count, "peak_rss_mb": _peak_rss_mb()}))


def _measure(reader: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", reader, str(path)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mbox", type=Path, help="an existing mbox file (default: generate one)")
    parser.add_argument("--messages", type=int, default=100_000, help="messages to generate (default 100,000)")
    parser.add_argument("--child", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return

    path = args.mbox
    if path is None:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"takeout-{args.messages}.mbox"
        if not path.exists():
            print(f"generating {path} ({args.messages:,} messages) ...", flush=True)
            started = time.perf_counter()
            generate(path.with_suffix(".part"), args.messages)
            path.with_suffix(".part").rename(path)
            print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    size = path.stat().st_size
    with open(path, "rb") as file:  # warm the page cache so both readers see the same
        while file.read(64 << 20):
            pass

    print(f"{path.name}: {size / 1e6:,.0f} MB", flush=True)
    results = {}
    for reader in ("stdlib", "read_mbox"):
        results[reader] = result = _measure(reader, path)
        print(f"  {reader:<10} {result['seconds']:7.2f} s  {result['messages']:>9,} messages  "
              f"{result['messages'] / result['seconds']:>9,.0f} msg/s  peak RSS {result['peak_rss_mb']:6.1f} MB",
              flush=True)
    print(f"  read_mbox is {results['stdlib']['seconds'] / results['read_mbox']['seconds']:.1f}x the stdlib baseline")


if __name__ == "__main__":
    main()
