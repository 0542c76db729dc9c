"""Data: fold the rows of each person into one (in its own transaction: PostgreSQL creates no index while
the row updates' deferred triggers are pending)."""

from django.db import migrations

ANSWERED = ("attending", "declined", "delegated", "tentative")


def one_row_per_person(apps, schema_editor):
    """Fold the rows of each (meeting, person) into one: the person's invitation with its latest message.

    Before, an update or a cancellation added a row per person and a delegation added a row for the
    deputy even when the deputy was already invited in copy. The kept row is the person's first
    invitation; it takes the latest message (kind, sequence, state), the answer, the delegation it
    carries, and counts the messages that were sent. Rows whose answer was recorded get the link as
    channel and the version they answered.
    """
    Invitation = apps.get_model("secretariat", "Invitation")
    groups: dict = {}
    for row in Invitation.objects.order_by("meeting_id", "pk"):
        key = (row.meeting_id, row.person_id or row.email.lower())
        groups.setdefault(key, []).append(row)
    for rows in groups.values():
        requests = [r for r in rows if r.kind == "request"] or rows
        own = [r for r in requests if r.delegated_from_id is None]
        keep = own[0] if own else requests[0]
        latest = rows[-1]
        answered = [r for r in requests if r.rsvp in ANSWERED]
        answer = max(answered, key=lambda r: (r.rsvp_at is not None, r.rsvp_at, r.pk)) if answered else None
        answer_values = (answer.rsvp, answer.rsvp_at, answer.delegated_to_id, answer.sequence) if answer else None
        delegated = next((r for r in requests if r.delegated_from_id is not None), None)
        delegation = (delegated.pk, delegated.reason, delegated.delegated_from_id) if delegated else None
        others = [r for r in rows if r.pk != keep.pk]
        sent = sum(1 for r in rows if r.state == "sent")
        reminded = max((r.reminded_at for r in rows if r.reminded_at), default=None)
        # A delegation pointed at a person's first request row, which is the one kept: nothing points at the others.
        Invitation.objects.filter(pk__in=[r.pk for r in others]).delete()
        keep.kind, keep.sequence, keep.message = latest.kind, latest.sequence, latest.message
        keep.state, keep.sent_at, keep.last_error = latest.state, latest.sent_at, latest.last_error
        keep.attempts = latest.attempts
        keep.messages_sent, keep.reminded_at = sent, reminded
        if answer_values is not None:
            keep.rsvp, keep.rsvp_at, keep.delegated_to_id, keep.answered_sequence = answer_values
            keep.answer_channel = "link"
        if delegation is not None and delegation[0] != keep.pk:
            keep.recipient, keep.reason, keep.delegated_from_id = "to", delegation[1], delegation[2]
        keep.save()
    for row in Invitation.objects.filter(rsvp__in=ANSWERED, answer_channel=""):
        row.answer_channel, row.answered_sequence = "link", row.sequence
        row.save(update_fields=["answer_channel", "answered_sequence"])


class Migration(migrations.Migration):

    dependencies = [
        ("secretariat", "0002_invitation_one_per_person_and_answers"),
    ]

    operations = [
        migrations.RunPython(one_row_per_person, migrations.RunPython.noop),
    ]
