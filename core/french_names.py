"""French articles of the world's country names and of the usual development partners.

Used when a partner's article is empty: "du Canada", "des États-Unis", "de l'Allemagne", "d'Haïti", "de la Banque
mondiale", "du PNUD". Each line: the article (le, la, les, l' or - for none), then the name as the directory spells
it. Names are matched case-insensitively, ignoring the kind of apostrophe and repeated spaces. Sources: the French
foreign ministry's list of states and capitals (gender and number) and the organisations' own French usage.
"""

from __future__ import annotations

import re
import unicodedata

_TABLE = """
l'|Afghanistan
l'|Afrique du Sud
l'|Albanie
l'|Algérie
l'|Allemagne
l'|Andorre
l'|Angola
-|Antigua-et-Barbuda
l'|Arabie saoudite
l'|Argentine
l'|Arménie
l'|Australie
l'|Autriche
l'|Azerbaïdjan
les|Bahamas
-|Bahreïn
le|Bangladesh
la|Barbade
la|Belgique
le|Belize
le|Bénin
le|Bhoutan
la|Biélorussie
la|Birmanie
la|Bolivie
la|Bosnie-Herzégovine
le|Botswana
le|Brésil
le|Brunei
la|Bulgarie
le|Burkina Faso
le|Burundi
le|Cabo Verde
le|Cap-Vert
le|Cambodge
le|Cameroun
le|Canada
la|Centrafrique
la|République centrafricaine
le|Chili
la|Chine
-|Chypre
la|Colombie
les|Comores
le|Congo
la|République du Congo
la|République démocratique du Congo
la|RDC
les|Îles Cook
la|Corée du Nord
la|Corée du Sud
la|République de Corée
le|Costa Rica
la|Côte d'Ivoire
la|Croatie
-|Cuba
le|Danemark
-|Djibouti
la|Dominique
la|République dominicaine
l'|Égypte
les|Émirats arabes unis
l'|Équateur
l'|Érythrée
l'|Espagne
l'|Estonie
l'|Eswatini
les|États-Unis
les|États-Unis d'Amérique
l'|Éthiopie
les|Fidji
la|Finlande
la|France
le|Gabon
la|Gambie
la|Géorgie
le|Ghana
la|Grèce
la|Grenade
le|Guatemala
la|Guinée
la|Guinée équatoriale
la|Guinée-Bissau
le|Guyana
-|Haïti
le|Honduras
la|Hongrie
l'|Inde
l'|Indonésie
l'|Irak
l'|Iran
l'|Irlande
l'|Islande
-|Israël
l'|Italie
la|Jamaïque
le|Japon
la|Jordanie
le|Kazakhstan
le|Kenya
le|Kirghizistan
-|Kiribati
le|Kosovo
le|Koweït
le|Laos
le|Lesotho
la|Lettonie
le|Liban
le|Liberia
la|Libye
le|Liechtenstein
la|Lituanie
le|Luxembourg
la|Macédoine du Nord
-|Madagascar
la|Malaisie
le|Malawi
les|Maldives
le|Mali
-|Malte
le|Maroc
les|Îles Marshall
-|Maurice
la|Mauritanie
le|Mexique
la|Micronésie
la|Moldavie
-|Monaco
la|Mongolie
le|Monténégro
le|Mozambique
le|Myanmar
la|Namibie
-|Nauru
le|Népal
le|Nicaragua
le|Niger
le|Nigeria
la|Norvège
la|Nouvelle-Zélande
-|Oman
l'|Ouganda
l'|Ouzbékistan
le|Pakistan
les|Palaos
la|Palestine
le|Panama
la|Papouasie-Nouvelle-Guinée
le|Paraguay
les|Pays-Bas
le|Pérou
les|Philippines
la|Pologne
le|Portugal
le|Qatar
la|Roumanie
le|Royaume-Uni
la|Russie
le|Rwanda
-|Saint-Kitts-et-Nevis
-|Saint-Marin
-|Saint-Vincent-et-les-Grenadines
le|Saint-Siège
-|Sainte-Lucie
les|Îles Salomon
le|Salvador
les|Samoa
-|Sao Tomé-et-Principe
le|Sénégal
la|Serbie
les|Seychelles
la|Sierra Leone
-|Singapour
la|Slovaquie
la|Slovénie
la|Somalie
le|Soudan
le|Soudan du Sud
le|Sri Lanka
la|Suède
la|Suisse
le|Suriname
la|Syrie
le|Tadjikistan
la|Tanzanie
le|Tchad
la|Tchéquie
la|République tchèque
la|Thaïlande
le|Timor oriental
le|Timor-Leste
le|Togo
les|Tonga
la|Trinité-et-Tobago
la|Tunisie
le|Turkménistan
la|Turquie
-|Tuvalu
l'|Ukraine
l'|Uruguay
le|Vanuatu
le|Vatican
le|Venezuela
le|Viêt Nam
le|Vietnam
le|Yémen
la|Zambie
le|Zimbabwe
la|Banque mondiale
la|Banque africaine de développement
la|BAD
la|Banque islamique de développement
la|BID
la|Banque européenne d'investissement
la|BEI
la|Banque ouest-africaine de développement
la|BOAD
l'|Union européenne
l'|UE
la|Délégation de l'Union européenne
l'|Union africaine
la|CEDEAO
l'|UEMOA
l'|ONU
l'|Organisation des Nations unies
le|Système des Nations unies
le|PNUD
le|Programme des Nations unies pour le développement
le|PAM
le|Programme alimentaire mondial
l'|UNICEF
le|Fonds des Nations unies pour l'enfance
le|FNUAP
l'|UNFPA
le|Fonds des Nations unies pour la population
le|HCR
le|Haut-Commissariat des Nations unies pour les réfugiés
l'|OMS
l'|Organisation mondiale de la santé
la|FAO
l'|Organisation des Nations unies pour l'alimentation et l'agriculture
l'|UNESCO
l'|OIT
l'|Organisation internationale du travail
l'|OIM
l'|Organisation internationale pour les migrations
l'|OCHA
l'|ONUSIDA
le|FIDA
la|MINUSMA
-|ONU Femmes
le|FMI
le|Fonds monétaire international
le|Fonds mondial
l'|AFD
l'|Agence française de développement
l'|USAID
l'|Agence des États-Unis pour le développement international
la|GIZ
la|KfW
la|JICA
l'|Agence japonaise de coopération internationale
la|Coopération suisse
la|DDC
la|Coopération belge
l'|Enabel
la|Coopération allemande
la|Coopération canadienne
l'|ASDI
la|Coopération suédoise
la|Coopération danoise
la|Coopération luxembourgeoise
la|Coopération néerlandaise
la|Coopération espagnole
l'|AECID
la|Coopération italienne
l'|AICS
l'|Ambassade de France
"""

ARTICLES = ("le", "la", "les", "l'", "")


def _key(name: str) -> str:
    name = unicodedata.normalize("NFC", name).replace("\u2019", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", name).strip().casefold()


def _parse(table: str) -> dict[str, str]:
    articles = {}
    for line in table.strip().splitlines():
        article, name = line.split("|", 1)
        articles[_key(name)] = "" if article == "-" else article
    return articles


NAMES: dict[str, str] = _parse(_TABLE)


def known(name: str) -> bool:
    """Whether the table knows this name (its article may be none: "Haïti", "Cuba", "ONU Femmes")."""
    return _key(name) in NAMES


def article_for(name: str) -> str:
    """The French article of a country or organisation name ("le", "la", "les", "l'"), or "" if none or unknown."""
    return NAMES.get(_key(name), "")
