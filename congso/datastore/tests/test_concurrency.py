"""Two requests reusing the same document at once: consistent rows on both databases."""

import datetime as dt

import pytest

from congso.core.testing import run_threads
from congso.datastore.models import ApplicantDocument, DocumentUse
from congso.datastore.services import reuse_in_dossier
from congso.datastore.tests.conftest import START, online, resolve
from congso.dossiers.models import Dossier, DossierComponent

LATER = START + dt.timedelta(days=7)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_document_twice_in_one_dossier_at_once_gives_one_use(world_tx):
    w = world_tx
    resolve(w, online(w))
    document = ApplicantDocument.objects.get()
    d = online(w, at=LATER)
    components = d.components.count()

    def reuse():
        return reuse_in_dossier(document, d, "Giấy chứng nhận", w.citizen, at=LATER)

    results = run_threads(reuse, [(), (), ()])
    assert all(kind == "ok" for kind, _ in results), results
    uses = [value for _, value in results]
    assert sorted(u.created for u in uses) == [False, False, True]
    assert len({u.pk for u in uses}) == 1 and len({u.component_id for u in uses}) == 1
    assert DocumentUse.objects.count() == 1
    assert DossierComponent.objects.filter(dossier=d).count() == components + 1
    assert DossierComponent.objects.filter(dossier=d, reused=True).count() == 1
    assert Dossier.objects.get(pk=d.pk).version == d.version + 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_document_in_two_dossiers_at_once_gives_two_uses(world_tx):
    w = world_tx
    resolve(w, online(w))
    document = ApplicantDocument.objects.get()
    first, second = online(w, at=LATER), online(w, at=LATER + dt.timedelta(minutes=1))

    def reuse(dossier):
        return reuse_in_dossier(document, dossier, "Giấy chứng nhận", w.citizen, at=LATER + dt.timedelta(hours=1))

    results = run_threads(reuse, [(first,), (second,)])
    assert all(kind == "ok" and value.created for kind, value in results), results
    assert sorted(DocumentUse.objects.values_list("dossier_id", flat=True)) == sorted([first.pk, second.pk])
    for dossier in (first, second):
        component = DossierComponent.objects.get(dossier=dossier, reused=True)
        assert component.data_store_use.document == document and component.file.dossier_id == dossier.pk
        assert Dossier.objects.get(pk=dossier.pk).version == dossier.version + 1
