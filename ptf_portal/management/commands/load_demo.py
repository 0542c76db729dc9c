"""`manage.py load_demo`: the demo directory of Mali's PTF and the demo logins.

The directory comes from the CSV files in membership/demo/ and goes through the importer,
like the secretariat's own spreadsheets. Two things there depend on today's date:
an `end` written `+Nd` is N days from today (mandates about to end, for the dashboard's
warnings), and only the Troïka of last, this and next year is loaded from troika.csv.
Running the command again the same day changes nothing.
"""

import csv
import datetime
import io
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Case, Q, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from instances.models import Instance
from instances.permissions import sync_leader_permissions
from membership.importer import import_directory
from membership.models import Mandate, Person
from membership.roles import SECRETARIAT_GROUP
from membership.services import person_link_account
from ptf_portal.two_factor import ensure_demo_device

DEMO_DIR = Path(__file__).resolve().parents[3] / "membership" / "demo"
RELATIVE_DAYS = re.compile(r"^\+(\d+)d$")
CHANGE_REASON = "load_demo"
# username: (password, what the account shows)
# Labels follow LANGUAGE_CODE (French by default), like every message of the command.
ACCOUNTS = {
    "admin": ("admin-demo-2024", gettext_lazy("administrator (all rights)")),
    "seg": ("seg-demo-2024", gettext_lazy("secretariat (SEG)")),
    "leader": ("leader-demo-2024", gettext_lazy("leader of GT-SANTE")),
    "partner": ("partner-demo-2024", gettext_lazy("GEC titular for Belgium, expert in GT-AGRICULTURE")),
}
PARTNER_PERSON = ("Belgique", "GEC", "titular")
# Accounts that need a second factor (membership.roles.requires_second_factor) get a demo TOTP device.
TOTP_ACCOUNTS = ("admin", "seg")


def _named_file(name: str, text: str) -> io.BytesIO:
    data = io.BytesIO(text.encode("utf-8"))
    data.name = name
    return data


def demo_files(today: datetime.date) -> dict:
    """The demo CSV files with their relative dates resolved, as named file objects for the importer."""
    with open(DEMO_DIR / "members.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        match = RELATIVE_DAYS.match(row["end"])
        if match:
            row["end"] = (today + datetime.timedelta(days=int(match.group(1)))).isoformat()
    members = io.StringIO()
    writer = csv.DictWriter(members, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    with open(DEMO_DIR / "troika.csv", encoding="utf-8", newline="") as fh:
        lines = fh.read().splitlines()
    years = {str(today.year + delta) for delta in (-1, 0, 1)}
    troika = "\n".join([lines[0]] + [line for line in lines[1:] if line.split(",", 1)[0] in years]) + "\n"
    return {
        "members": _named_file("members.csv", members.getvalue()),
        "groups": _named_file("groups.csv", (DEMO_DIR / "groups.csv").read_text(encoding="utf-8")),
        "troika": _named_file("troika.csv", troika),
    }


def demo_emails() -> set[str]:
    with open(DEMO_DIR / "members.csv", encoding="utf-8", newline="") as fh:
        return {row["email"].strip().lower() for row in csv.DictReader(fh)}


def other_directory_size() -> int:
    """How many people of the database are not from the demo: a directory imported by the secretariat."""
    emails = demo_emails()
    return sum(1 for email in Person.objects.values_list("email", flat=True) if email.strip().lower() not in emails)


class Command(BaseCommand):
    help = ("Load the demo directory (partners, groups, mandates, Troïka) and the demo login accounts; "
            "next to an imported directory, --accounts-only adds the demo accounts alone.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--accounts-only", action="store_true",
            help="only the four demo accounts, linked to people of the directory already in the database",
        )

    def handle(self, *args, **options):
        accounts_only = options["accounts_only"]
        if not accounts_only and other_directory_size():
            raise CommandError(_(
                "The database already holds a directory (%(count)d people not from the demo): the demo directory "
                "cannot be added to it. Run “load_demo --accounts-only” to add only the demo accounts, or use an "
                "empty database."
            ) % {"count": other_directory_size()}, returncode=1)
        with transaction.atomic():
            if accounts_only:
                result = None
                self._accounts(any_directory=True)
            else:
                result = import_directory(**demo_files(datetime.date.today()), change_reason=CHANGE_REASON)
                if not result.ok:
                    for problem in result.errors:
                        self.stderr.write(str(problem))
                    raise CommandError(_("The demo files do not import: fix them first."))
                self._accounts()
        if result is not None:
            self.stdout.write(result.summary)
        self.stdout.write("")
        self.stdout.write(_("Demo accounts (user / password):"))
        for username, (password, label) in ACCOUNTS.items():
            self.stdout.write(f"  {username:8} {password:20} {label}")
        self.stdout.write("")
        self.stdout.write(_("Secretariat staff and admins also give a code from an authenticator app (TOTP)."))
        for username in TOTP_ACCOUNTS:
            self.stdout.write(f"  {username:8} {self.otpauth_urls[username]}")
        self.stdout.write(_("Add these to an authenticator app, or print the current code with: "
                            "python manage.py demo_totp USERNAME"))
        self.stdout.write(_("Open %(url)s") % {"url": "http://127.0.0.1:8000/"})
        if not settings.DEBUG:
            self.stdout.write(self.style.WARNING(_("DEBUG is off: change these passwords before any real use.")))

    def _accounts(self, any_directory: bool = False) -> None:
        users = {name: self._user(name, password) for name, (password, _label) in ACCOUNTS.items()}
        admin = users["admin"]
        if not (admin.is_superuser and admin.is_staff):
            admin.is_superuser = admin.is_staff = True
            admin.save(update_fields=["is_superuser", "is_staff"])
        secretariat, _created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
        users["seg"].groups.add(secretariat)
        groups = Instance.objects.select_related("leader_person").filter(leader_person__isnull=False)
        if any_directory:
            # Someone else's directory: people who have no account of their own yet, GT-SANTE or Belgium first.
            free = Q(leader_person__user__isnull=True) | Q(leader_person__user=users["leader"])
            health = groups.filter(free).order_by(Case(When(code="GT-SANTE", then=0), default=1), "code").first()
        else:
            health = groups.filter(code="GT-SANTE").first()
        self._link(health.leader_person if health else None, users["leader"])
        titulars = (
            Mandate.objects.active_on(datetime.date.today())
            .filter(instance__code=PARTNER_PERSON[1], role=PARTNER_PERSON[2])
            .select_related("person")
        )
        if any_directory:
            titulars = titulars.filter(Q(person__user__isnull=True) | Q(person__user=users["partner"])).order_by(
                Case(When(person__institution__partner__name=PARTNER_PERSON[0], then=0), default=1), "pk")
        else:
            titulars = titulars.filter(person__institution__partner__name=PARTNER_PERSON[0])
        titular = titulars.first()
        self._link(titular.person if titular else None, users["partner"])
        sync_leader_permissions(health)
        self.otpauth_urls = {name: ensure_demo_device(users[name]) for name in TOTP_ACCOUNTS}

    @staticmethod
    def _user(username: str, password: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username, f"{username}@demo.example.org", password)
        return user

    @staticmethod
    def _link(person: Person | None, user: User) -> None:
        if person is None:
            raise CommandError(_("The demo directory lacks the person for the “%(user)s” account.")
                               % {"user": user.username})
        if person.user_id != user.pk:
            for other in Person.objects.filter(user=user).exclude(pk=person.pk):
                person_link_account(person=other, user=None, reason=CHANGE_REASON)
            person_link_account(person=person, user=user, reason=CHANGE_REASON)
