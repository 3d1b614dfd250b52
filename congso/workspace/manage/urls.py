"""Daily administration (/can-bo/quan-tri/): internal processes per agency, calendar days off and make-up days."""

from django.urls import path

from congso.workspace.manage import views

urlpatterns = [
    path("", views.index, name="manage_index"),
    path("quy-trinh/", views.processes, name="manage_processes"),
    path("quy-trinh/<int:version_id>/<int:agency_id>/", views.process_edit, name="manage_process"),
    path("quy-trinh/<int:version_id>/<int:agency_id>/mac-dinh/", views.process_default,
         name="manage_process_default"),
    path("lich/", views.calendar, name="manage_calendar"),
    path("lich/them/", views.calendar_add, name="manage_calendar_add"),
    path("lich/<int:pk>/sua/", views.calendar_edit, name="manage_calendar_edit"),
    path("lich/<int:pk>/xoa/", views.calendar_delete, name="manage_calendar_delete"),
]
