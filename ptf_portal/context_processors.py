from membership.roles import is_secretariat, person_of


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_secretariat": False, "current_person": None}
    return {"is_secretariat": is_secretariat(user), "current_person": person_of(user)}
