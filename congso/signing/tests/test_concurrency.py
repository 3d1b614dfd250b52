"""Two issuances of one dossier at once (PostgreSQL row lock / SQLite IMMEDIATE transaction): two distinct, valid
records, or the first record for the same PDF — never a half-written or corrupt file."""

import hashlib
import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from congso.core.testing import run_threads
from congso.dossiers.choices import Status
from congso.dossiers.models import Dossier, DossierFile, ResultDocument
from congso.signing.models import IssuedDocument
from congso.signing.services import issue_e_result
from congso.signing.tests.conftest import in_progress, sample_pdf
from congso.signing.verification import _context


def _valid(issued) -> bool:
    with issued.file.file.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != issued.sha256:
        return False
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(content)).embedded_signatures[0],
                                    signer_validation_context=_context())
    return status.intact and status.valid and status.trusted


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_different_pdfs_at_once_give_two_distinct_valid_records(signing_tx):
    w = signing_tx
    d = in_progress(w)
    first, second = sample_pdf("Giấy chứng nhận"), sample_pdf("Bản sao")

    results = run_threads(lambda content, user: issue_e_result(d, user, content, name="Kết quả"),
                          [(first, w.spec), (second, w.lead)])
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    records = list(IssuedDocument.objects.filter(dossier=d))
    assert len(records) == 2 and len({r.token for r in records}) == 2 and len({r.sha256 for r in records}) == 2
    assert all(_valid(r) for r in records)
    assert Dossier.objects.get(pk=d.pk).status == Status.RESOLVED
    assert ResultDocument.objects.filter(dossier=d, is_electronic=True).count() == 2
    assert DossierFile.objects.filter(dossier=d, kind="result").count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_pdf_twice_at_once_is_issued_once(signing_tx):
    w = signing_tx
    d = in_progress(w)
    content = sample_pdf()

    results = run_threads(lambda user: issue_e_result(d, user, content, name="Kết quả"), [(w.spec,), (w.lead,)])
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    values = [value for _, value in results]
    assert values[0].pk == values[1].pk and sorted(v.created for v in values) == [False, True]
    assert IssuedDocument.objects.filter(dossier=d).count() == 1
    assert ResultDocument.objects.filter(dossier=d).count() == 1
    # The loser's signed copy was never stored: one result file on record and on disk.
    assert DossierFile.objects.filter(dossier=d, kind="result").count() == 1
    assert _valid(values[0])
