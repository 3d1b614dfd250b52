from django.urls import path

from congso.workcalendar.api.views import CalendarDayListView, DueDateView

app_name = "workcalendar-api"
urlpatterns = [
    path("due-date", DueDateView.as_view(), name="due-date"),
    path("days", CalendarDayListView.as_view(), name="days"),
]
