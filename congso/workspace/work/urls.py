from django.urls import path

from congso.workspace.work import views_dossier, views_home, views_lists, views_supervisor

urlpatterns = [
    path("", views_home.home, name="home"),
    path("viec/<slug:key>/", views_lists.worklist, name="worklist"),
    path("tim-kiem/", views_lists.search, name="search"),
    path("giao-viec/", views_lists.reassign, name="reassign"),
    path("giam-sat/", views_supervisor.supervisor, name="supervisor"),
    path("giam-sat/<str:agency_code>/ho-so/", views_supervisor.supervised_list, name="supervised-list"),
    path("ho-so/<str:code>/", views_dossier.dossier_detail, name="dossier"),
    path("ho-so/<str:code>/xem-day-du/", views_dossier.reveal, name="dossier-reveal"),
    path("ho-so/<str:code>/tep/<int:file_id>/", views_dossier.dossier_file, name="dossier-file"),
    path("ho-so/<str:code>/thao-tac/<slug:action>/", views_dossier.act, name="dossier-action"),
]
