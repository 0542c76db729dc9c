"""A real Dovecot IMAP server for the tests: Debian's `dovecot-imapd`, a throw-away configuration and maildir,
a passwd-file user, plain login on the loopback address only, a free port. Stopped at the end of the session."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.processes import output, spawn

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "seg@ptf-mali.example.org", "mailbox-test-password"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
"""


@dataclass
class Dovecot:
    host: str
    port: int
    user: str
    password: str
    process: subprocess.Popen
    root: Path

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(root: Path, timeout: float = 15.0) -> Dovecot:
    """Start Dovecot in the foreground (-F) on a free port; raises RuntimeError when it cannot."""
    if not os.path.exists(DOVECOT):
        raise RuntimeError("dovecot is not installed (apt-get install -y dovecot-imapd)")
    for sub in ("run", "state", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        # Mail is never accessed as root: the maildir belongs to `nobody`; Dovecot's own users run the rest.
        mail_user = pwd.getpwnam("nobody")
        os.chown(root / "home", mail_user.pw_uid, mail_user.pw_gid)
        uid, gid, users = mail_user.pw_uid, mail_user.pw_gid, ""
    else:
        me = pwd.getpwuid(os.geteuid())
        uid, gid = me.pw_uid, me.pw_gid
        users = f"default_login_user = {me.pw_name}\ndefault_internal_user = {me.pw_name}\n"
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    (root / "passwd").chmod(0o644)
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(root=root, uid=uid, gid=gid, users=users, port=port))
    process = spawn([DOVECOT, "-F", "-c", str(config)])
    server = Dovecot("127.0.0.1", port, USER, PASSWORD, process, root)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = output(process)
            raise RuntimeError(f"dovecot exited: {out} {server.log()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                if sock.recv(64).startswith(b"* OK"):
                    return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"dovecot did not answer on port {port}: {server.log()}")


def stop(server: Dovecot) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
