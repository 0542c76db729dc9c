"""Helpers that build meetings through the services, and a cast for the meetings tests."""

import datetime
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meetings import services
from membership.models import Mandate
from tests.factories import InstitutionFactory, PartnerFactory, PersonFactory

LONG_AGO = datetime.date(2000, 1, 1)
CATEGORY = {"GEC": "policy_dialogue", "GA": "security", "GT": "sector_dialogue", "GD": "cross_cutting"}


def at(days: float, hour: int = 9) -> datetime.datetime:
    """A moment `days` from now (negative: in the past), on the hour."""
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def meeting(instance, days=30, **kwargs):
    start = kwargs.pop("start", None) or at(days)
    kwargs.setdefault("title", f"{instance.code} meeting")
    return services.meeting_create(instance=instance, start=start, end=start + datetime.timedelta(hours=2), **kwargs)


def item(m, **kwargs):
    kwargs.setdefault("title", "Budget support")
    kwargs.setdefault("category", CATEGORY[m.instance.kind])
    kwargs.setdefault("expected_outcome", "information")
    return services.agenda_item_add(meeting=m, **kwargs)


def convened(instance, days=30, **kwargs):
    m = meeting(instance, days, **kwargs)
    item(m)
    services.meeting_propose_agenda(meeting=m)
    services.meeting_convene(meeting=m)
    return m


def held(instance, days=-2, **kwargs):
    m = convened(instance, days, **kwargs)
    services.meeting_mark_held(meeting=m)
    return m


def person_of(partner, **kwargs):
    return PersonFactory(institution=InstitutionFactory(partner=partner), **kwargs)


def seat(person, instance, role=Mandate.Role.TITULAR, **kwargs):
    """A mandate saved directly: the representation rules are membership's concern, not these tests'.

    bulk_create skips simple-history's post_save, which fails on Mandate while its history does not
    exclude the `instance` field (reported to the membership owner).
    """
    [mandate] = Mandate.objects.bulk_create(
        [Mandate(person=person, instance=instance, role=role, start=LONG_AGO, **kwargs)]
    )
    return mandate


def partner(name, **kwargs):
    return PartnerFactory(name=name, **kwargs)


def upload(name, content: bytes):
    return SimpleUploadedFile(name, content)


def pdf(name="report.pdf"):
    return upload(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def zip_bytes(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return buffer.getvalue()


def docx(name="note.docx", main="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"):
    types = f'<Types><Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
    return upload(name, zip_bytes({"[Content_Types].xml": types, "word/document.xml": "<w:document/>"}))
