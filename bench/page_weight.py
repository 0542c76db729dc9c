"""Page weight of the dashboard and a meeting page: HTML + CSS + JS bytes, raw and gzipped.

Run: .venv/bin/python bench/page_weight.py   (builds a throw-away test database with the portal tests' cast)
"""

import datetime
import gzip
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptf_portal.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    settings.REQUIRE_2FA_FOR_STAFF = False  # force_login below stands for a completed login
    connection.creation.create_test_db(verbosity=0)
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from meetings import services
    from membership.roles import SECRETARIAT_GROUP
    from secretariat.services import invitations_send
    from tests.meetings.factories import at
    from tests.portal.factories import make_cast

    cast = make_cast()
    seg = User.objects.create_user("seg", "seg@example.org", "x")
    seg.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    meeting = services.meeting_create(instance=cast.gec, title="GEC", start=at(3),
                                      end=at(3) + datetime.timedelta(hours=2))
    for i in range(5):
        services.agenda_item_add(meeting=meeting, title=f"Item {i}", category="policy_dialogue",
                                 expected_outcome="information")
    services.meeting_propose_agenda(meeting=meeting)
    invitations_send(meeting=meeting, by_user=seg)
    client = Client()
    client.force_login(seg)
    for name, url in (("dashboard", "/meetings/dashboard/"), ("meeting page", f"/meetings/{meeting.pk}/")):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: the page weight would be meaningless")
        html = response.content
        assets = re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)
        sizes = {"html": len(html)}
        gz = len(gzip.compress(html))
        for asset in assets:
            data = Path(finders.find(asset.decode())).read_bytes()
            sizes[asset.decode()] = len(data)
            gz += len(gzip.compress(data))
        total = sum(sizes.values())
        parts = ", ".join(f"{k} {v:,} B" for k, v in sizes.items())
        print(f"{name}: {total:,} bytes ({gz:,} gzipped) — {parts}")
    htmx = Path(finders.find("js/htmx.min.js")).read_bytes()
    print(f"+ js/htmx.min.js {len(htmx):,} B ({len(gzip.compress(htmx)):,} gzipped), loaded only while invitations "
          "are being sent (progress polling)")


if __name__ == "__main__":
    main()
