"""One address per person whatever its case, and no look-alike addresses: the model, the admin, the importer."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from core.french import quoted
from membership.importer import import_directory
from membership.models import Person
from membership.roles import SECRETARIAT_GROUP
from tests.factories import InstitutionFactory, PartnerFactory, PersonFactory, UserFactory
from tests.membership.import_factories import MEMBER_COLUMNS, member, write_csv

pytestmark = pytest.mark.django_db
HOLDER_FR = "Cette adresse est déjà celle d'Aïssata Keïta (Belgique)"


@pytest.fixture
def aissata():
    belgique = PartnerFactory(name="Belgique")
    return PersonFactory(first_name="Aïssata", last_name="Keïta", email="aissata.keita@enabel.example",
                         institution=InstitutionFactory(partner=belgique, name="Enabel"))


@pytest.fixture
def admin_client(client, settings):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _person_post(institution, **values):
    data = {"last_name": "Diallo", "first_name": "Fatou", "email": "fatou.diallo@enabel.example",
            "function": "expert", "institution": institution.pk, "language": "fr", "user": "",
            "mandates-TOTAL_FORMS": 0, "mandates-INITIAL_FORMS": 0, "mandates-MIN_NUM_FORMS": 0,
            "mandates-MAX_NUM_FORMS": 1000}
    data.update(values)
    return data


# -- one address per person whatever its case ----------------------------------------------------------------

def test_address_case_variant_of_another_person_is_refused_by_the_model_with_the_holder_named(aissata):
    other = Person(first_name="Ann", last_name="Autre", email="Aissata.Keita@Enabel.example", function="expert",
                   institution=aissata.institution)
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        other.full_clean()
    assert HOLDER_FR in refused.value.message_dict["email"][0]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        other.full_clean()
    assert "already that of Aïssata Keïta (Belgique)" in refused.value.message_dict["email"][0]


def test_address_key_is_unique_in_the_database_whatever_the_path(aissata):
    # A path that skips every form (a factory, a shell) still meets the database's constraint.
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(email="AISSATA.KEITA@ENABEL.EXAMPLE", institution=aissata.institution)
    assert Person.objects.get().email_key == "aissata.keita@enabel.example"


def test_address_case_variant_is_refused_in_the_admin_with_the_holder_named(admin_client, aissata):
    response = admin_client.post(reverse("admin:membership_person_add"),
                                 _person_post(aissata.institution, email="Aissata.Keita@Enabel.example"),
                                 HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [HOLDER_FR + "."]
    assert Person.objects.count() == 1
    ok = admin_client.post(reverse("admin:membership_person_add"), _person_post(aissata.institution))
    assert ok.status_code == 302 and Person.objects.count() == 2


def test_address_case_variant_of_another_person_is_refused_by_the_importer_with_the_holder_named(tmp_path, aissata):
    path = write_csv(tmp_path / "members.csv", [
        member("aminata.traore@enabel.example", partner="Belgique", institution="Enabel"),
        member("Aissata.Keita@Enabel.example", partner="Belgique", institution="Enabel", first_name="Ann",
               last_name="Autre"),
    ], MEMBER_COLUMNS)
    with translation.override("fr"):
        result = import_directory(members=path)
    assert [(e.line, e.column) for e in result.errors] == [(3, "email")]
    assert HOLDER_FR in result.errors[0].message
    assert Person.objects.count() == 1  # nothing written


def test_address_same_person_in_another_case_is_recognised_by_the_importer_not_duplicated(tmp_path, aissata):
    path = write_csv(tmp_path / "members.csv", [
        member("AISSATA.Keita@enabel.example", partner="Belgique", institution="Enabel", first_name="Aïssata",
               last_name="Keïta"),
    ], MEMBER_COLUMNS)
    result = import_directory(members=path)
    assert result.ok, result.errors
    assert list(Person.objects.values_list("email", flat=True)) == ["aissata.keita@enabel.example"]


def test_address_case_variants_in_one_file_are_one_person(tmp_path, db):
    path = write_csv(tmp_path / "members.csv", [
        member("moussa.kone@afd.example", first_name="Moussa", last_name="Koné"),
        member("Moussa.Kone@AFD.example", first_name="Ibrahim", last_name="Koné", instance="GA"),
    ], MEMBER_COLUMNS)
    result = import_directory(members=path)
    assert not result.ok and {(e.line, e.column) for e in result.errors} == {(3, "first_name")}


def test_address_key_migration_reports_collisions_and_does_not_fail(aissata, capsys, caplog):
    twin = PersonFactory(email="Aissata.Keita@enabel.example.org", institution=aissata.institution)
    # As before the key existed: two people share an address that differs only in case.
    Person.objects.filter(pk=twin.pk).update(email="AISSATA.KEITA@Enabel.example", email_key=None)
    Person.objects.filter(pk=aissata.pk).update(email_key=None)
    fill = importlib.import_module("membership.migrations.0007_person_email_key_fill").fill_keys
    fill(django_apps, None)
    keys = dict(Person.objects.values_list("pk", "email_key"))
    assert keys == {aissata.pk: "aissata.keita@enabel.example", twin.pk: None}
    reported = capsys.readouterr().out + caplog.text
    assert f"person {twin.pk} <AISSATA.KEITA@Enabel.example> has the address of person {aissata.pk}" in reported
    # The later duplicate cannot be saved again until its address is corrected, and then it is keyed.
    twin.refresh_from_db()
    with pytest.raises(ValidationError):
        twin.full_clean()
    twin.email = "fatou.diallo@enabel.example"
    twin.full_clean()
    twin.save()
    assert Person.objects.get(pk=twin.pk).email_key == "fatou.diallo@enabel.example"


# -- look-alike domains (Unicode TR 39) ------------------------------------------------------------------------

@pytest.fixture
def seg_account(db):
    user = UserFactory(username="nouveau.seg", email="nouveau.seg@ptf-mali.example.org")
    user.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    return user


def test_lookalike_cyrillic_a_in_the_domain_is_refused_at_import_with_the_line(tmp_path, seg_account):
    path = write_csv(tmp_path / "members.csv", [
        member("awa.diarra@afd.example"),
        member("nouveau.seg@ptf-m\u0430li.example.org"),  # Cyrillic а
    ], MEMBER_COLUMNS)
    with translation.override("fr"):
        result = import_directory(members=path)
    assert [(e.line, e.column) for e in result.errors] == [(3, "email")]
    message = str(result.errors[0])
    address = quoted("nouveau.seg@ptf-m\u0430li.example.org", language="fr")
    assert message.endswith(f"members.csv:3: email: Le domaine de {address} mêle plusieurs écritures dans "
                            + quoted("ptf-m\u0430li", language="fr") + " (cyrillique, latin)\u202f: une telle adresse "
                            "peut se faire passer pour une autre, elle est refusée.")
    assert not Person.objects.exists()


def test_lookalike_dotless_i_of_a_secretariat_domain_is_refused_at_import(tmp_path, seg_account):
    path = write_csv(tmp_path / "members.csv", [member("nouveau.seg@ptf-mal\u0131.example.org")], MEMBER_COLUMNS)
    with translation.override("fr"):
        result = import_directory(members=path)
    assert [(e.line, e.column) for e in result.errors] == [(2, "email")]
    assert "ressemble à " + quoted("ptf-mali.example.org", language="fr") in result.errors[0].message
    assert not Person.objects.exists()


def test_lookalike_of_a_directory_domain_is_refused_in_the_admin(admin_client, aissata):
    response = admin_client.post(reverse("admin:membership_person_add"),
                                 _person_post(aissata.institution, email="fatou.diallo@enab\u0435l.example"),
                                 HTTP_ACCEPT_LANGUAGE="fr")  # Cyrillic е
    assert response.status_code == 200 and "email" in response.context["adminform"].form.errors
    assert Person.objects.count() == 1
    response = admin_client.post(reverse("admin:membership_person_add"),
                                 _person_post(aissata.institution, email="fatou.diallo@enabe1.example"))
    assert "ressemble" in response.context["adminform"].form.errors["email"][0]


def test_lookalike_rule_accepts_legitimate_internationalised_domains(tmp_path, seg_account, aissata):
    path = write_csv(tmp_path / "members.csv", [
        member("awa@b\u00fccher.example", partner="Allemagne"),
        member("ivan@\u043f\u0440\u0435\u0437\u0438\u0434\u0435\u043d\u0442.\u0440\u0444", partner="Russie"),
        member("amadou@coop\u00e9ration-mali.example", partner="Canada"),
    ], MEMBER_COLUMNS)
    result = import_directory(members=path)
    assert result.ok, [str(e) for e in result.errors]
    assert set(Person.objects.values_list("email", flat=True)) >= {
        "awa@xn--bcher-kva.example", "amadou@xn--coopration-mali-enb.example"}


def test_lookalike_within_one_file_is_refused_on_the_later_line(tmp_path, db):
    path = write_csv(tmp_path / "members.csv", [
        member("awa@ptf-mali.example.org"), member("ann@ptf-mal\u0131.example.org", instance="GA"),
    ], MEMBER_COLUMNS)
    result = import_directory(members=path)
    assert [(e.line, e.column) for e in result.errors] == [(3, "email")]
