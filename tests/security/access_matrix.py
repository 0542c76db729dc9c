"""The access matrix: every URL name × every role → the status the policy demands.

Roles (tests/security/world.py): anonymous; no_mandate (a person without any mandate); rep (GEC titular:
a representative of another instance for every GA or group object); ga_member; gt_member (member of group A);
leader_b (leader of another group for group A's objects); leader_a; secretariat; admin (superuser).
Meetings: gec, ga, a (group A), b (group B), a_held (a held meeting of group A).

`expect(default, **roles)` gives `default` to every logged-in role and LOGIN (a redirect to the login page)
to anonymous users, unless overridden. A URL name missing here fails test_every_url_has_an_entry.
"""

from tests.accounts.helpers import issue_link
from tests.security.matrix_runner import LOGIN, Case, expect

OK, REDIRECT, BAD_REQUEST, DENIED, NOT_FOUND = 200, 302, 400, 403, 404
EVERYONE = {"anonymous": OK}
STAFF = {"secretariat": OK, "admin": OK}
STAFF_REDIRECT = {"secretariat": REDIRECT, "admin": REDIRECT}


def meeting(key):
    return lambda w: {"pk": w.meetings[key].pk}


def meeting_id(key):
    return lambda w: {"meeting_id": w.meetings[key].pk}


def item(meeting_key, item_key=None):
    return lambda w: {"pk": w.meetings[meeting_key].pk, "item_pk": w.items[item_key or meeting_key].pk}


def procedure(key):
    return lambda w: {"pk": w.extra["procedures"][key].pk}


def body(key):
    return lambda w: {"body_id": w.instances[key].pk}


def document(key):
    return lambda w: {"pk": w.documents[key].pk}


# Who may read each meeting (A4: GA only to its members and the SEG; a group only to its members and leaders).
READERS = {
    "gec": {"rep": OK, **STAFF},
    "ga": {"ga_member": OK, **STAFF},
    "a": {"gt_member": OK, "leader_a": OK, **STAFF},
    "b": {"leader_b": OK, **STAFF},
}
# Drafts (decided): a draft is its managers' work in progress; members see neither it in the meetings list nor its
# page by its id, until its agenda is proposed.
DRAFT_READERS = {"gec_draft": STAFF, "ga_draft": STAFF, "a_draft": {"leader_a": OK, **STAFF}}
# Referrals (A3, A4): the SEG and GA members see every referral; a GEC member sees the questions the GEC asked,
# and a question the GA took up itself only once its conclusion is returned to the GEC.
REFERRAL_ORIGINS = ("gec", "self")
REFERRAL_STATES = ("requested", "scheduled", "concluded", "returned")


def referral_readers(origin, state):
    gec_side = origin == "gec" or state == "returned"
    return {"ga_member": OK, **STAFF, **({"rep": OK} if gec_side else {})}


# Who manages each meeting: the SEG everywhere, a leader in their own group only.
MANAGERS = {"gec": STAFF, "ga": STAFF, "a": {"leader_a": OK, **STAFF}, "a_held": {"leader_a": OK, **STAFF},
            "b": {"leader_b": OK, **STAFF}}


def managers_redirect(key):
    return {role: REDIRECT for role in MANAGERS[key]}


def read_cases(name_kwargs):
    return {key: Case(expect(DENIED, **READERS[key]), name_kwargs(key)) for key in READERS}


def manage_get(kwargs, keys=("gec", "ga", "a", "b")):
    return {key: Case(expect(DENIED, **MANAGERS[key]), kwargs(key)) for key in keys}


def manage_post(kwargs, keys=("gec", "a", "b"), data=lambda w: {}):
    return {key: Case(expect(DENIED, **managers_redirect(key)), kwargs(key), "POST", data) for key in keys}


MATRIX = {
    "home": {"": Case(expect(OK))},
    "healthz": {"": Case(expect(OK, **EVERYONE))},
    # Monitoring: the operator's JSON (or its bearer token) and the SEG's banner (empty for everyone else).
    "status": {"": Case(expect(DENIED, anonymous=DENIED, **STAFF))},
    "status_banner": {"": Case(expect(OK))},
    "favicon": {"": Case(expect(301, anonymous=301))},
    "login": {"": Case(expect(REDIRECT, anonymous=OK))},
    "logout": {"": Case(expect(LOGIN), method="POST")},  # LOGOUT_REDIRECT_URL is the login page
    "set_language": {"": Case(expect(REDIRECT, anonymous=REDIRECT), method="POST", data=lambda w: {"language": "en"})},
    "two_factor_setup": {"": Case(expect(OK))},
    "two_factor_verify": {"": Case(expect(REDIRECT))},
    "two_factor_disable": {"": Case(expect(DENIED), method="POST")},
    "audit": {"": Case(expect(DENIED, **STAFF))},
    "admin:index": {"": Case(expect(REDIRECT, anonymous=REDIRECT, admin=OK))},
    # The admin pages of the meeting records run the portal's rules (meetings.admin_forms); staff only.
    **{f"admin:meetings_{model}_add": {"": Case(expect(REDIRECT, admin=OK))}
       for model in ("meeting", "agendaitem", "attendance", "decision", "actionitem", "referral")},
    "admin:meetings_meeting_change": {"": Case(expect(REDIRECT, admin=OK),
                                               lambda w: {"object_id": w.meetings["gec"].pk})},
    "admin:meetings_agendaitem_change": {"": Case(expect(REDIRECT, admin=OK),
                                                  lambda w: {"object_id": w.items["gec"].pk})},
    "admin:meetings_actionitem_change": {"": Case(expect(REDIRECT, admin=OK),
                                                  lambda w: {"object_id": w.extra["action_a"].pk})},
    "admin:meetings_referral_change": {"": Case(expect(REDIRECT, admin=OK),
                                                lambda w: {"object_id": w.extra["referral"].pk})},
    # The directory is shared knowledge among the partners: every logged-in user reads it.
    "directory:list": {"": Case(expect(OK))},
    "directory:organigram": {"": Case(expect(OK))},
    "directory:detail": {code: Case(expect(OK), lambda w, code=code: {"code": code}) for code in ("GEC", "GA", "GT-A")},
    "membership:partners": {"": Case(expect(OK))},
    "membership:partner": {"": Case(expect(OK), lambda w: {"pk": w.people["rep"].partner.pk})},
    "membership:my_mandates": {"": Case(expect(OK))},
    "secretariat:my_calendar": {"": Case(expect(OK))},
    # Portal access: the SEG (and admins) invite and enable again; only admins change who is in the SEG.
    "membership:access": {"": Case(expect(DENIED, **STAFF))},
    "membership:access_invite": {"": Case(expect(DENIED, **STAFF_REDIRECT), method="POST", data=lambda w: {
        "scope": "selected", "people": [w.people["rep"].pk]})},
    "membership:access_enable": {"": Case(expect(DENIED, **STAFF_REDIRECT), lambda w: {"pk": w.people["rep"].pk},
                                          "POST")},
    "membership:secretariat_staff": {"": Case(expect(DENIED, admin=OK))},
    # Annuaire → Importer / Exporter: the SEG and admins; an unknown or expired preview sends back to the upload.
    "membership:directory_import": {"": Case(expect(DENIED, **STAFF))},
    "membership:directory_import_preview": {"": Case(expect(DENIED, **STAFF_REDIRECT),
                                                     lambda w: {"token": "x" * 32})},
    "membership:directory_import_apply": {"": Case(expect(DENIED, **STAFF_REDIRECT),
                                                   lambda w: {"token": "x" * 32}, "POST")},
    "membership:directory_export": {"": Case(expect(DENIED, **STAFF))},
    "membership:secretariat_staff_remove": {
        "": Case(expect(DENIED, admin=REDIRECT), lambda w: {"pk": w.users["secretariat"].pk}, "POST")},
    "membership:secretariat_staff_reinvite": {
        "": Case(expect(DENIED, admin=REDIRECT), lambda w: {"pk": w.users["secretariat"].pk}, "POST")},
    # Links from e-mails: the secret is the credential. A bad link gets its page (200, never a 4xx that
    # would write the link to the log); a good one continues on a URL without the secret.
    "membership:activate": {
        "valid": Case(expect(REDIRECT, anonymous=REDIRECT), lambda w: {"token": issue_link(w.people["no_mandate"])}),
        "altered": Case(expect(OK, anonymous=OK), lambda w: {"token": issue_link(w.people["no_mandate"])[:-2] + "xx"}),
    },
    "membership:activate_password": {"": Case(expect(OK, anonymous=OK))},
    "membership:password_reset": {"": Case(expect(OK, anonymous=OK))},
    "membership:password_reset_done": {"": Case(expect(OK, anonymous=OK))},
    "membership:password_reset_complete": {"": Case(expect(OK, anonymous=OK))},
    "membership:password_reset_confirm": {
        "altered": Case(expect(OK, anonymous=OK), lambda w: {"uidb64": "MQ", "token": "set-password"}),
    },
    "meetings:list": {"": Case(expect(OK))},
    # The search: every logged-in user searches; what each finds follows the pages' policy (tests/search).
    "search:search": {"": Case(expect(OK))},
    "meetings:create": {"": Case(expect(DENIED, leader_a=OK, leader_b=OK, **STAFF))},
    "meetings:schedule": {"": Case(expect(DENIED, leader_a=OK, leader_b=OK, **STAFF))},
    "secretariat:dashboard": {"": Case(expect(DENIED, leader_a=OK, leader_b=OK, **STAFF))},
    "secretariat:dashboard_progress": {"": Case(expect(DENIED, leader_a=OK, leader_b=OK, **STAFF))},
    "secretariat:my_invitations": {"": Case(expect(OK))},
    # Only the invited person answers their own invitation from the portal; another's is refused.
    "secretariat:my_rsvp": {
        "own": Case(expect(DENIED, rep=REDIRECT), lambda w: {"pk": w.invitations["rep_gec"].pk}, "POST",
                    lambda w: {"answer": "attending"}),
        "ga": Case(expect(DENIED, ga_member=REDIRECT), lambda w: {"pk": w.invitations["ga_member_ga"].pk}, "POST",
                   lambda w: {"answer": "declined"}),
    },
    "secretariat:invitation_retry": {
        "gec": Case(expect(DENIED, **STAFF_REDIRECT), lambda w: {"pk": w.invitations["rep_gec"].pk}, "POST"),
        "a": Case(expect(DENIED, leader_a=REDIRECT, **STAFF_REDIRECT),
                  lambda w: {"pk": w.invitations["gt_member_a"].pk}, "POST"),
    },
    "meetings:actions": {"": Case(expect(OK))},
    "meetings:actions_csv": {"": Case(expect(OK))},  # the register's rows the reader may see, every page
    "meetings:my_groups": {"": Case(expect(OK))},  # the groups the account leads; empty for anyone else
    "meetings:action_done": {
        "a": Case(expect(DENIED, leader_a=REDIRECT, **STAFF_REDIRECT), lambda w: {"pk": w.extra["action_a"].pk}, "POST"),
    },
    "meetings:document": read_cases(document),
    # A3: referrals go between the GEC and the GA; members of both follow them, only the SEG files them.
    "meetings:referrals": {"": Case(expect(DENIED, rep=OK, ga_member=OK, **STAFF))},
    "meetings:referral_new": {"": Case(expect(DENIED, **STAFF))},
    "meetings:referral": {
        "": Case(expect(DENIED, rep=OK, ga_member=OK, **STAFF), lambda w: {"pk": w.extra["referral"].pk}),
        **{f"{origin}_{state}": Case(expect(DENIED, **referral_readers(origin, state)),
                                     lambda w, key=(origin, state): {"pk": w.extra["referrals"][key].pk})
           for origin in REFERRAL_ORIGINS for state in REFERRAL_STATES},
    },
    "meetings:detail": {
        **read_cases(meeting),
        **{key: Case(expect(DENIED, **readers), meeting(key)) for key, readers in DRAFT_READERS.items()},
    },
    "meetings:edit": manage_get(meeting),
    "secretariat:reschedule": manage_get(meeting),
    "meetings:propose_agenda": manage_post(meeting),
    "meetings:mark_held": manage_post(meeting),
    "secretariat:cancel": manage_post(meeting, data=lambda w: {"reason": "Clash with a national holiday"}),
    # Without the approving meeting the form comes back with its errors (200) — for managers only.
    "meetings:approve_minutes": {
        "a_held": Case(expect(DENIED, leader_a=OK, **STAFF), meeting("a_held"), "POST"),
    },
    # Members propose items to their instance's meetings (and managers).
    "meetings:propose_item": {**{key: Case(expect(DENIED, **READERS[key]), meeting(key)) for key in ("gec", "ga", "a")},
                              "gec_draft": Case(expect(DENIED, **STAFF), meeting("gec_draft"))},
    "meetings:item_add": manage_get(meeting),
    "meetings:item_edit": {
        **manage_get(item, keys=("gec", "a", "b")),
        # Changing the meeting id in the URL does not reach another meeting's item.
        "b_item_under_a": Case(expect(DENIED, leader_a=NOT_FOUND, secretariat=NOT_FOUND, admin=NOT_FOUND),
                               item("a", "b")),
    },
    "meetings:item_move": manage_post(item, data=lambda w: {"direction": "up"}),
    "meetings:item_remove": manage_post(item),
    "meetings:item_decide": manage_post(item, data=lambda w: {"decision": "accept", "reason": "In scope"}),
    "meetings:document_add": manage_get(meeting),
    "secretariat:distribution": manage_get(meeting),
    "secretariat:send": manage_post(meeting),
    "secretariat:progress": manage_get(meeting),
    "secretariat:failed": manage_get(meeting),
    "secretariat:answers": manage_get(meeting),
    "secretariat:answers_csv": manage_get(meeting),
    # Recording an answer on someone's behalf: managers only; an empty form comes back to the roster.
    "secretariat:answer_on_behalf": manage_post(meeting),
    "meetings:attendance": manage_get(meeting, keys=("a_held",)),
    "meetings:records": manage_get(meeting, keys=("a_held",)),
    "secretariat:distribution_csv": manage_get(meeting_id),
    "secretariat:distribution_vcard": manage_get(meeting_id),
    # Printed documents (A4): the convocation to readers, the sheet to managers, the minutes to cleared readers.
    "secretariat:report_convocation": read_cases(meeting),
    "secretariat:report_attendance": manage_get(meeting),
    "secretariat:report_minutes": {
        "a_held": Case(expect(DENIED, gt_member=OK, leader_a=OK, **STAFF), meeting("a_held")),
        "gec_without_minutes": Case(expect(DENIED, rep=NOT_FOUND, secretariat=NOT_FOUND, admin=NOT_FOUND),
                                    meeting("gec")),
    },
    # Reports on a body: for those who manage it; group activity for the SEG.
    "secretariat:assiduity": {"": Case(expect(DENIED, leader_a=OK, leader_b=OK, **STAFF))},
    "secretariat:assiduity_csv": {"": Case(expect(DENIED, leader_a=OK, leader_b=OK, **STAFF))},
    "secretariat:group_activity": {"": Case(expect(DENIED, **STAFF))},
    # Links from e-mails: the secret in the URL is the credential, no login needed.
    "secretariat:rsvp": {
        "valid": Case(expect(OK, **EVERYONE), lambda w: {"token": w.extra["rsvp_rep"]}),
        # An altered link gets a page that says so (400), never the invitation.
        "altered": Case(expect(BAD_REQUEST, anonymous=BAD_REQUEST),
                        lambda w: {"token": w.extra["rsvp_rep"][:-2] + "xx"}),
    },
    # The secretariat's mailbox: replies, bounces and addresses of everyone, for the SEG only.
    "secretariat:mailbox": {"": Case(expect(DENIED, **STAFF))},
    "secretariat:mailbox_handled": {
        "": Case(expect(DENIED, **STAFF_REDIRECT), lambda w: {"pk": w.extra["inbound"].pk}, "POST"),
    },
    # Confirming a held reply records an answer for someone: the SEG only (a message not held is refused, 302).
    "secretariat:mailbox_confirm": {
        "": Case(expect(DENIED, **STAFF_REDIRECT), lambda w: {"pk": w.extra["inbound"].pk}, "POST"),
    },
    "secretariat:calendar_feed": {
        "valid": Case(expect(OK, **EVERYONE), lambda w: {"token": w.extra["feed_rep"]}),
        "unknown": Case(expect(NOT_FOUND, anonymous=NOT_FOUND), lambda w: {"token": "not-a-feed-token"}),
    },
    # Written procedures: read by the body's members (A4: GA to GA members and the SEG), managed by the SEG (GEC,
    # GA) and a group's leaders; a partner answers for its own seat; the e-mailed link needs no login.
    "meetings:decisions": {"": Case(expect(OK))},
    "procedures:index": {"": Case(expect(OK))},
    "procedures:body_list": {key: Case(expect(DENIED, **READERS[key]), body(key.upper())) for key in READERS},
    "procedures:create": {key: Case(expect(DENIED, **MANAGERS[key]), body(key.upper())) for key in ("gec", "ga", "a")},
    "procedures:detail": {**{key: Case(expect(DENIED, **READERS[key]), procedure(key)) for key in READERS},
                          "gec_draft": Case(expect(DENIED, **STAFF), procedure("gec_draft"))},
    "procedures:edit": {"gec_draft": Case(expect(DENIED, **STAFF), procedure("gec_draft"))},
    "procedures:launch": {"gec_draft": Case(expect(DENIED, **STAFF_REDIRECT), procedure("gec_draft"), "POST")},
    "procedures:extend": {key: Case(expect(DENIED, **MANAGERS[key]), procedure(key)) for key in ("gec", "ga", "a")},
    "procedures:withdraw": {key: Case(expect(DENIED, **managers_redirect(key)), procedure(key), "POST",
                                      lambda w: {"reason": "Overtaken by events"}) for key in ("gec", "a")},
    "procedures:answer": {
        "gec": Case(expect(DENIED, rep=REDIRECT, **STAFF_REDIRECT), procedure("gec"), "POST",
                    lambda w: {"answer": "approve"}),
        "ga": Case(expect(DENIED, ga_member=REDIRECT, **STAFF_REDIRECT), procedure("ga"), "POST",
                   lambda w: {"answer": "approve"}),
    },
    "procedures:stand_in": {
        "gec": Case(expect(DENIED, rep=REDIRECT, **STAFF_REDIRECT),
                    lambda w: {"pk": w.extra["procedures"]["gec"].pk, "seat_pk": w.extra["procedure_seat_rep"].pk},
                    "POST", lambda w: {"on": "1"}),
    },
    "procedures:record_for": {
        "gec": Case(expect(DENIED, **STAFF_REDIRECT),
                    lambda w: {"pk": w.extra["procedures"]["gec"].pk, "seat_pk": w.extra["procedure_seat_rep"].pk},
                    "POST", lambda w: {"person": w.people["rep"].pk, "answer": "approve"}),
    },
    "procedures:attachment": {
        "gec": Case(expect(DENIED, **READERS["gec"]), procedure("gec")),
        "ga_none": Case(expect(DENIED, ga_member=NOT_FOUND, secretariat=NOT_FOUND, admin=NOT_FOUND), procedure("ga")),
    },
    "procedures:record_pdf": {
        "closed": Case(expect(DENIED, **READERS["gec"]), procedure("gec_closed")),
        "open": Case(expect(DENIED, rep=NOT_FOUND, secretariat=NOT_FOUND, admin=NOT_FOUND), procedure("gec")),
    },
    "procedures:answer_link": {
        "valid": Case(expect(OK, **EVERYONE), lambda w: {"token": w.extra["procedure_link_rep"]}),
        "altered": Case(expect(BAD_REQUEST, anonymous=BAD_REQUEST),
                        lambda w: {"token": w.extra["procedure_link_rep"][:-2] + "xx"}),
    },
}
