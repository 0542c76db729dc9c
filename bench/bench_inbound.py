"""Reading the secretariat's mailbox: how fast messages are classified, and how fast hostile ones are refused.

Needs nothing but the project (no database: the parser never touches it). Prints the median time per message
of each client-shaped fixture, and the time to refuse a 10 MB message and one of 5,000 parts.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import _bench_db  # noqa: F401  (sets Django up)

from secretariat.inbound import parse

MESSAGES = Path(__file__).resolve().parent.parent / "tests" / "secretariat" / "inbound" / "messages"
RUNS = 50


def timed(raw: bytes, runs: int = RUNS) -> tuple[float, str]:
    samples, kind = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        kind = parse.parse_message(raw).kind
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000, kind


def main() -> None:
    total = []
    for path in sorted(MESSAGES.glob("*.eml")):
        ms, kind = timed(path.read_bytes().replace(b"{{INVITATION_ID}}", b"1"))
        total.append(ms)
        print(f"{path.name:38} {kind:11} {ms:6.2f} ms")
    print(f"{'median over the fixtures':50} {statistics.median(total):6.2f} ms "
          f"(~{1000 / statistics.median(total):,.0f} messages/s on one core)")
    huge = b"From: a@b.example\nContent-Type: text/plain\n\n" + b"x" * (parse.MAX_MESSAGE_BYTES + 1)
    parts = b"From: a@b.example\nContent-Type: multipart/mixed; boundary=b\n\n" + b"".join(
        b"--b\nContent-Type: text/plain\n\nx\n" for _ in range(5000)) + b"--b--\n"
    for label, raw in (("10 MB message", huge), ("5,000 parts", parts)):
        ms, kind = timed(raw, runs=5)
        print(f"{label:38} {kind:11} {ms:6.2f} ms")


if __name__ == "__main__":
    main()
