"""The workspace's home page: what this person has to do now, by role."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "workspace/home.html", {})
