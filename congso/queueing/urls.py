"""/xep-hang/: the staff's counter pages (quay/…) and each agency's public kiosk, ticket and display pages."""

from django.urls import path

from congso.queueing import views_counter, views_public

app_name = "queueing"

urlpatterns = [
    path("quay/", views_counter.counter_list, name="counters"),
    path("quay/<int:pk>/", views_counter.counter_page, name="counter"),
    path("quay/<int:pk>/hang-cho/", views_counter.waiting_fragment, name="counter-waiting"),
    path("quay/<int:pk>/phieu/<int:ticket_pk>/<slug:action>/", views_counter.ticket_action, name="ticket-action"),
    path("quay/<int:pk>/<slug:action>/", views_counter.counter_action, name="counter-action"),
    path("<str:agency_code>/", views_public.kiosk, name="kiosk"),
    path("<str:agency_code>/phieu/<uuid:token>/", views_public.ticket_page, name="ticket"),
    path("<str:agency_code>/man-hinh/", views_public.display, name="display"),
    path("<str:agency_code>/man-hinh/bang/", views_public.display_board, name="display-board"),
]
