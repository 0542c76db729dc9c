from django.utils.functional import SimpleLazyObject

from membership.roles import is_secretariat, managed_group_ids, person_id_of, person_of


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_secretariat": False, "has_person": False, "current_person": None, "leads_groups": False}
    # The navigation only asks whether there is a person: the person is loaded if a template reads it.
    return {"is_secretariat": is_secretariat(user), "has_person": person_id_of(user) is not None,
            "leads_groups": bool(managed_group_ids(user)),
            "current_person": SimpleLazyObject(lambda: person_of(user))}
