"""A directory that looks like the real one: partners with accents, many names starting with a vowel."""

from tests.secretariat.factories import partner, person, seat

PARTNERS = [
    "Agence Française de Développement", "Union européenne", "Ambassade d'Égypte", "Allemagne (GIZ)",
    "Organisation des Nations unies", "Office fédéral suisse", "Éthiopie — coopération Sud-Sud", "Irlande",
    "Italie (AICS)", "Espagne (AECID)", "Autriche", "États-Unis (USAID)", "Banque africaine de développement",
    "Banque mondiale", "Canada (AMC)", "Danemark", "Fonds monétaire international", "Japon (JICA)",
    "Luxembourg (LuxDev)", "Norvège", "Pays-Bas", "Royaume-Uni (FCDO)", "Suède (Asdi)", "UNICEF",
    "Organisation mondiale de la santé", "Programme alimentaire mondial", "Île-Maurice", "Inde (EXIM)",
    "Émirats arabes unis", "Ouganda",
]
FIRST = ["Aïssata", "Éloïse", "Ousmane", "Amadou", "Inès", "Ibrahim", "Yéli", "Fatoumata", "Élodie", "Ángel"]
LAST = ["Traoré", "Diarra", "Keïta", "Coulibaly", "Maïga", "Østergaard", "Öztürk", "Sidibé", "Évora", "Ndiaye"]


def directory(instance, n_partners: int):
    """n partners (cycling through the real-looking names), each with a titular and a deputy in `instance`."""
    people = []
    for i in range(n_partners):
        name = PARTNERS[i % len(PARTNERS)] + ("" if i < len(PARTNERS) else f" {i // len(PARTNERS) + 1}")
        p = partner(name)
        titular = person(p, first_name=FIRST[i % 10], last_name=LAST[i % 10], language="fr" if i % 3 else "en")
        deputy = person(p, first_name=FIRST[(i + 3) % 10], last_name=LAST[(i + 7) % 10], language="fr")
        seat(titular, instance, "titular")
        seat(deputy, instance, "deputy")
        people.append((p, titular, deputy))
    return people
