"""The simulator's sign-in page: a person types their personal ID number and the shared test password."""

from django.contrib.auth import get_user_model, login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from congso.eid_simulator.identities import IDENTITIES, PASSWORD


def sign_in(request):
    error = ""
    next_url = request.GET.get("next") or request.POST.get("next") or "/"
    if request.method == "POST":
        citizen_id = request.POST.get("citizen_id", "").strip()
        known = {p["citizen_id"] for p in IDENTITIES}
        if citizen_id in known and request.POST.get("password") == PASSWORD:
            user, _created = get_user_model().objects.get_or_create(username=citizen_id)
            login(request, user)
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = "/"
            return redirect(next_url)
        error = "Số định danh hoặc mật khẩu không đúng."
    return render(request, "eid_simulator/sign_in.html",
                  {"identities": IDENTITIES, "error": error, "next": next_url}, status=400 if error else 200)
