from django.urls import path

from congso.indices.api import views

urlpatterns = [
    path("score", views.ScoreView.as_view(), name="index766-score"),
    path("compute", views.ComputeView.as_view(), name="index766-compute"),
]
