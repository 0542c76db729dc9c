"""A TCP proxy on loopback whose link can be cut: every connection through it dropped and new ones refused,
until it is restored. The fault tests put it between the workers and PostgreSQL to cut the database."""

from __future__ import annotations

import socket
import threading

from tests.smtp_sink import free_port


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self.cut_off = False
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.stopped = False
        self.errors: list[BaseException] = []  # what ended or troubled the accepting thread (for diagnostics)
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> TcpProxy:
        self.thread.start()
        return self

    def _accept(self):
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except OSError as exc:
                self.errors.append(exc)
                return
            if self.cut_off:
                client.close()  # the database is unreachable: the connection fails at once
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.sockets |= {client, server}
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                self._close(sock)

    def _close(self, sock):
        with self.lock:
            self.sockets.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def cut(self):
        """Drop every connection through the proxy and refuse new ones."""
        self.cut_off = True
        with self.lock:
            sockets = list(self.sockets)
        for sock in sockets:
            self._close(sock)

    def restore(self):
        self.cut_off = False

    def stop(self):
        self.stopped = True
        self.cut()
        self.listener.close()
