"""Run every benchmark in bench/ one after the other (`make bench`).

Each script prints its own numbers. Some need PostgreSQL and Redis: export DATABASE_URL and
CELERY_BROKER_URL first (see README, "Benchmarks").
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["bench_import.py", "bench_distribution.py", "bench_invitations.py", "profile_invitation_task.py",
           "page_weight.py", "bench_pages.py", "bench_pdf.py", "bench_inbound.py", "bench_admin_pages.py",
           "bench_growth.py", "bench_search.py"]


def main() -> int:
    status = 0
    for name in SCRIPTS:
        script = HERE / name
        if not script.exists():
            continue
        print(f"\n=== {name}", flush=True)
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        status = status or result.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
