"""The applicant's data store (kho dữ liệu): their e-results and digitised papers, to download and reuse."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from congso.datastore.models import ApplicantDocument
from congso.datastore.services import documents_for
from congso.portal.views.common import download


@login_required
def documents(request):
    page = Paginator(documents_for(request.user).select_related("source_dossier"), 20).get_page(
        request.GET.get("page"))
    return render(request, "portal/data_store.html", {"page": page})


@login_required
def document_file(request, pk: int):
    document = get_object_or_404(ApplicantDocument.objects.owned_by(request.user), pk=pk)
    return download(document.file, document.original_name, document.content_type)
