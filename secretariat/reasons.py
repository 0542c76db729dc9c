"""Why someone is on a distribution list: a rule ID and a sentence, rendered in the reader's language (M10).

Entries store (rule, code, params); the sentence is rendered when read, so the same stored list reads
in French for one user and in English for another.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.french import of_name, with_article

TEXTS = {
    "titular": _("Titular member of %(instance)s for %(the_partner)s"),
    "deputy": _("Deputy %(of_partner)s in %(instance)s, with the mandate to decide in the titular's absence"),
    "un_separate_seat": _("UN agency holding its own seat in the GEC: the One UN policy is advisory"),
    "un_coordinating": _("Coordinating agency, the UN system's only representation in %(instance)s"),
    "topic_expert": _("Invited for the item “%(item)s” for competence on its topic"),
    "expert": _("Expert designated by %(the_partner)s in %(instance)s"),
    "binome": _("Binôme of an expert %(of_partner)s in %(instance)s, able to take over"),
    "leader": _("Leader of %(instance)s"),
    "co_lead": _("Co-lead of %(instance)s"),
    "interlocutor": _("Government interlocutor designated for the dialogue of %(instance)s"),
    "troika": _("%(partner)s is %(troika_role)s of the Troïka %(year)s, represented at the level of %(instance)s"),
    "delegate": _("Represents %(the_partner)s by delegation %(of_delegator)s"),
}

TROIKA_ROLES = {
    "lead": _("the lead"),
    "incoming": _("the deputy lead of the year"),
    "outgoing": _("the outgoing lead"),
}


def render_reason(reason: dict, *, with_rule: bool = True) -> str:
    """The sentence, followed by its rule ID for the SEG and the audit (`with_rule=False`: in words only, as partners
    read it)."""
    code = reason.get("code", "")
    params = dict(reason.get("params") or {})
    if code == "text":  # a sentence written by another module (presenters, A5), already translated
        sentence = params.get("text", "")
    else:
        if "partner" in params:
            # French names a partner with its article: "pour l'Allemagne", "du Canada" (stored lists without
            # an article read "d'Allemagne", "de Canada").
            article = params.get("partner_article", "")
            params["the_partner"] = with_article(params["partner"], article=article)
            params["of_partner"] = of_name(params["partner"], article=article)
        if "delegator" in params:
            params["of_delegator"] = of_name(params["delegator"])
        if "troika_role" in params:
            params["troika_role"] = str(TROIKA_ROLES.get(params["troika_role"], params["troika_role"]))
        template = TEXTS.get(code)
        sentence = str(template) % params if template is not None else code
    return f"{sentence} ({reason.get('rule', '')})" if with_rule else sentence


def render_reasons(reasons: list[dict]) -> str:
    return "; ".join(render_reason(r) for r in reasons)
