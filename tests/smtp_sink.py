"""A real SMTP server on loopback (aiosmtpd) whose faults can be set while it runs.

Used by the fault tests, the invitations benchmark and `make stack`. It binds a free port and records every
message it took in, even one whose acknowledgement it then drops (the server has it: RFC 1047's case).

Settable at any time (attributes of `SmtpSink`):
- `connect_delay` seconds before answering EHLO/HELO (a provider's per-connection set-up: TLS, login...);
- `message_delay` seconds before answering the end of DATA (the message is taken in first);
- `refuse_rcpt` {address: "550 5.1.1 ..."}: refuse these recipients at RCPT;
- `data_reply` e.g. "451 4.3.0 try later": refuse every message at the end of DATA;
- `drop_after_data`: take the message in, then close the connection without answering.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import threading
import time
from email import message_from_bytes

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
INVITATION_HEADER = re.compile(rb"^X-PTF-Invitation: (\d+)\s*$", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if self.sink.connect_delay:
            await asyncio.sleep(self.sink.connect_delay)
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        if self.sink.connect_delay:
            await asyncio.sleep(self.sink.connect_delay)
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.sink.refuse_rcpt.get(address.lower())
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.data_reply:
            if self.sink.message_delay:
                await asyncio.sleep(self.sink.message_delay)
            self.sink.refused += 1
            return self.sink.data_reply
        # Like a real server, the message is taken in (queued) before the acknowledgement is written: a client
        # that dies while waiting for it has delivered it all the same (RFC 1047).
        raw = envelope.original_content or envelope.content
        with self.sink.lock:
            self.sink.messages.append(raw)
            if self.sink.directory:
                with open(os.path.join(self.sink.directory, f"{len(self.sink.messages):06d}.eml"), "wb") as out:
                    out.write(raw)
        if self.sink.message_delay:
            await asyncio.sleep(self.sink.message_delay)
        if self.sink.drop_after_data:
            self.sink.dropped += 1
            server.transport.abort()
            return "250 dropped"  # written nowhere: the connection is gone
        return "250 OK"


class _CountingSMTP(SMTP):
    def connection_made(self, transport):
        self.event_handler.sink.connections += 1
        self.event_handler.sink.open_connections += 1
        super().connection_made(transport)

    def connection_lost(self, error):
        self.event_handler.sink.open_connections -= 1
        super().connection_lost(error)


class _Controller(Controller):
    def factory(self):
        return _CountingSMTP(self.handler, **self.SMTP_kwargs)


class SmtpSink:
    def __init__(self, *, connect_delay: float = 0.0, message_delay: float = 0.0):
        self.connect_delay = connect_delay
        self.message_delay = message_delay
        self.refuse_rcpt: dict[str, str] = {}
        self.data_reply = ""
        self.drop_after_data = False
        self.messages: list[bytes] = []
        self.directory = ""  # when set, each message taken in is also written there as NNNNNN.eml
        self.connections = 0
        self.open_connections = 0
        self.refused = 0
        self.dropped = 0
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = None

    def start(self) -> SmtpSink:
        """Listen (again, on the same port after a stop)."""
        connections = self.connections
        self.controller = _Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      ready_timeout=10, decode_data=False)
        self.controller.start()
        self.connections = connections  # the controller's own readiness check is not a client
        deadline = time.monotonic() + 2
        while self.open_connections and time.monotonic() < deadline:
            time.sleep(0.01)
        self.open_connections = 0
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def env(self) -> dict:
        """Environment for a process (worker, gunicorn) that should send here."""
        return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(self.port), "EMAIL_USE_TLS": "0"}

    def invitation_counts(self) -> dict[int, int]:
        """How many copies of each invitation the server took in."""
        counts: dict[int, int] = {}
        with self.lock:
            messages = list(self.messages)
        for raw in messages:
            for match in INVITATION_HEADER.findall(raw):
                counts[int(match)] = counts.get(int(match), 0) + 1
        return counts

    def message_ids(self) -> list[str]:
        with self.lock:
            # Unfolded: a long Message-ID (large id, long domain) is folded onto a continuation line, as RFC 5322 allows.
            return ["".join(str(message_from_bytes(raw)["Message-ID"]).split()) for raw in self.messages]

    def wait_for(self, n: int, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= n:
                return True
            time.sleep(0.05)
        return False


def main(argv) -> int:
    """A sink process (bench, `make stack`): python tests/smtp_sink.py [PORT] [--connect-delay S]
    [--message-delay S] [--dir DIR]. Prints its port; on SIGTERM prints its counts as JSON and exits."""
    import argparse
    import json
    import signal

    parser = argparse.ArgumentParser()
    parser.add_argument("port", nargs="?", type=int, default=0)
    parser.add_argument("--connect-delay", type=float, default=0.0)
    parser.add_argument("--message-delay", type=float, default=0.0)
    parser.add_argument("--dir", default="", help="write each message there as it arrives")
    args = parser.parse_args(argv)
    sink = SmtpSink(connect_delay=args.connect_delay, message_delay=args.message_delay)
    if args.port:
        sink.port = args.port
    sink.directory = args.dir
    sink.start()
    print(f"SMTP sink on 127.0.0.1:{sink.port}", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    while not stopped.wait(0.2):
        pass
    sink.stop()
    print(json.dumps({"connections": sink.connections, "messages": len(sink.messages)}), flush=True)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
