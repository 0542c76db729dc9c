"""`make upgrade-check`: a database filled by the previous release's code, migrated by this code, keeps every row.

1. The previous release is the newest commit of this history whose pyproject.toml names another version (or
   UPGRADE_FROM=<commit>). Its tree is checked out into a temporary folder (git worktree).
2. With that code, on a throwaway PostgreSQL database: `migrate`, then `load_demo` (the directory, meetings,
   invitations, answers, minutes) — the data an operator has when upgrading.
3. Every table's row count and a digest of every column are read.
4. With this code: `migrate`. Then the same are read again. A table or a column that disappeared, a row count
   that changed or a column whose content changed fails the check, unless tests/upgrade_expected.txt names it
   with the reason (a migration meant to rewrite it).

Environment: UPGRADE_POSTGRES (default postgres://postgres@127.0.0.1:5432), UPGRADE_FROM (a commit). Exit 0
when every row survived; prints what differs otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "tests" / "upgrade_expected.txt"


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout.strip()


def version_at(commit: str) -> str | None:
    try:
        return tomllib.loads(git("show", f"{commit}:pyproject.toml"))["project"]["version"]
    except (subprocess.CalledProcessError, KeyError, tomllib.TOMLDecodeError):
        return None


def previous_release() -> str:
    if os.environ.get("UPGRADE_FROM"):
        return os.environ["UPGRADE_FROM"]
    current = version_at("HEAD")
    for commit in git("rev-list", "--first-parent", "HEAD").split():
        version = version_at(commit)
        if version and version != current:
            return commit
    if git("rev-parse", "--is-shallow-repository") == "true":
        print(f"upgrade-check: SKIPPED, this clone is shallow and holds no release before {current}")
        sys.exit(0)
    sys.exit(f"upgrade-check: no earlier release than {current} in this history")


def snapshot(dsn: str) -> dict[str, dict]:
    """{table: {"rows": n, "columns": {column: md5 of its values in primary-key order}}}"""
    out = {}
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1")
        for (table,) in cur.fetchall():
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                        "AND table_name = %s ORDER BY ordinal_position", [table])
            columns = [c for (c,) in cur.fetchall()]
            order = sql.Identifier("id") if "id" in columns else sql.SQL("1")
            cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            digests = {"rows": cur.fetchone()[0], "columns": {}}
            for column in columns:
                cur.execute(sql.SQL("SELECT md5(coalesce(string_agg(coalesce({c}::text, '<null>'), '|' ORDER BY {o}), ''))"
                                    " FROM {t}").format(c=sql.Identifier(column), o=order, t=sql.Identifier(table)))
                digests["columns"][column] = cur.fetchone()[0]
            out[table] = digests
    return out


def expected_changes() -> set[str]:
    """Lines `table` or `table.column`, then ` -- reason`; blank lines and # comments ignored."""
    if not EXPECTED.exists():
        return set()
    names = set()
    for line in EXPECTED.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(line.split(" -- ", 1)[0].strip())
    return names


def compare(before: dict, after: dict, allowed: set[str]) -> list[str]:
    problems = []
    for table, old in before.items():
        if table in allowed:
            continue
        new = after.get(table)
        if new is None:
            problems.append(f"table {table} disappeared ({old['rows']} rows)")
            continue
        if new["rows"] != old["rows"]:
            problems.append(f"table {table}: {old['rows']} rows before, {new['rows']} after")
        for column, digest in old["columns"].items():
            if f"{table}.{column}" in allowed:
                continue
            if column not in new["columns"]:
                problems.append(f"column {table}.{column} disappeared")
            elif new["columns"][column] != digest:
                problems.append(f"column {table}.{column}: its content changed")
    return problems


# The virtualenv holds this checkout as an editable install, whose import hook would hand the previous release
# any module it lacks from this checkout (a new `ptf_portal.admin`, say): its code runs without that hook.
WITHOUT_EDITABLE_HOOK = (
    "import runpy, sys; "
    "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in getattr(f, '__name__', type(f).__name__).lower()]; "
    "sys.argv = ['manage.py', *sys.argv[1:]]; sys.path.insert(0, '.'); "
    "runpy.run_path('manage.py', run_name='__main__')"
)


def run(python: str, cwd: Path, env: dict, *args: str) -> None:
    command = [python, "manage.py", *args] if cwd == ROOT else [python, "-c", WITHOUT_EDITABLE_HOOK, *args]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"upgrade-check: `manage.py {' '.join(args)}` failed in {cwd}:\n{done.stdout[-2000:]}\n"
                 f"{done.stderr[-4000:]}")


def main() -> int:
    server = os.environ.get("UPGRADE_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    database = f"ptf_upgrade_{os.getpid()}"
    dsn = f"{server}/{database}"
    python = sys.executable
    base = previous_release()
    print(f"upgrade-check: from {base[:10]} (release {version_at(base)}) to HEAD (release {version_at('HEAD')})")
    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    try:
        with tempfile.TemporaryDirectory(prefix="ptf-previous-") as folder:
            previous = Path(folder) / "tree"
            git("worktree", "add", "--detach", str(previous), base)
            try:
                with tempfile.TemporaryDirectory() as var:
                    env = {**os.environ, "DATABASE_URL": dsn, "VAR_DIR": var, "DEBUG": "1",
                           "CELERY_BROKER_URL": "", "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
                    env.pop("PYTHONPATH", None)
                    run(python, previous, env, "migrate", "--noinput")
                    run(python, previous, env, "load_demo")
                    before = snapshot(dsn)
                    run(python, ROOT, env, "migrate", "--noinput")
                    after = snapshot(dsn)
            finally:
                git("worktree", "remove", "--force", str(previous))
    finally:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        admin.close()
    problems = compare(before, after, expected_changes())
    rows = sum(t["rows"] for t in before.values())
    if problems:
        print(f"upgrade-check: FAILED, {len(problems)} difference(s) over {len(before)} tables:")
        for line in problems:
            print(f"  - {line}")
        return 1
    print(f"upgrade-check: ok, {len(before)} tables and {rows} rows kept, every column's content unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
