from django.urls import path

from congso.signing import views

app_name = "signing"

urlpatterns = [
    path("", views.home, name="home"),
    path("chung-thu-goc.pem", views.roots, name="roots"),
    path("ky/<str:code>", views.issue, name="issue"),
    path("tai-ve/<slug:token>", views.download, name="download"),
    # Last: the code printed under the QR code (one path segment, letters, digits, - and _).
    path("<slug:token>", views.record, name="record"),
]
