"""Desk intake (/can-bo/tiep-nhan/): the wizard's steps and the receipt."""

from django.urls import path
from django.views.generic import RedirectView

from congso.workspace.intake import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="workspace:intake_procedure"), name="intake_start"),
    path("thu-tuc/", views.procedure, name="intake_procedure"),
    path("thu-tuc/tim/", views.procedure_results, name="intake_procedure_results"),
    path("nguoi-nop/", views.applicant, name="intake_applicant"),
    path("thanh-phan/", views.components, name="intake_components"),
    path("phi-hen-tra/", views.review, name="intake_review"),
    path("luu/", views.save, name="intake_save"),
    path("tu-choi/", views.refuse, name="intake_refuse"),
    path("huy/", views.cancel, name="intake_cancel"),
    path("bien-nhan/<str:code>/", views.receipt, name="intake_receipt"),
]
