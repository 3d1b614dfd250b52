from django.urls import path

from congso.queueing.api import views

urlpatterns = [
    path("<str:agency_code>/groups", views.GroupListView.as_view(), name="queue-groups"),
    path("<str:agency_code>/tickets", views.TicketCreateView.as_view(), name="queue-ticket-create"),
    path("<str:agency_code>/tickets/<uuid:token>", views.TicketDetailView.as_view(), name="queue-ticket"),
    path("<str:agency_code>/calls", views.BoardView.as_view(), name="queue-calls"),
]
