"""Feedback pages: the public form and published answers; the sender's own items; the agencies' handling pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congso.catalog.models import Procedure
from congso.core import ratelimit
from congso.core.problems import Problem
from congso.core.text import fold
from congso.dossiers.models import Dossier
from congso.feedback import services
from congso.feedback.forms import FeedbackForm
from congso.feedback.models import Feedback, FeedbackStatus, FeedbackSubject
from congso.org.models import Agency
from congso.workspace.work.access import staff_required

SUBMIT_LIMIT = (5, 3600)  # five items per hour per address


def _errors_into(form, problem: Problem) -> None:
    for field, texts in (getattr(problem, "errors", None) or {}).items():
        target = field if field in form.fields else None
        for text in texts if isinstance(texts, list | tuple) else [texts]:
            form.add_error(target, str(text))
    if not getattr(problem, "errors", None):
        form.add_error(None, str(problem.detail))


def public_list(request):
    items = Feedback.objects.filter(status=FeedbackStatus.PUBLISHED).select_related("agency")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        items = items.filter(search_text__contains=fold(q))
    page = Paginator(items.order_by("-published_at", "-id"), 20).get_page(request.GET.get("page"))
    mine = Feedback.objects.filter(sender=request.user).order_by("-received_at")[:20] \
        if request.user.is_authenticated else []
    return render(request, "feedback/public_list.html", {"page": page, "q": q, "mine": mine})


def send(request):
    initial = {}
    if request.user.is_authenticated:
        initial = {"sender_name": request.user.display_name, "sender_email": request.user.email,
                   "sender_phone": request.user.phone}
    for key in ("subject", "procedure_code", "dossier_code"):
        if request.GET.get(key):
            initial[key] = request.GET[key][:64]
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.hit(request, "feedback", SUBMIT_LIMIT):
            form.add_error(None, _("Too many feedback items from your address. Try again in an hour."))
            return render(request, "feedback/send.html", {"form": form}, status=429)
        data = form.cleaned_data
        procedure = Procedure.objects.filter(code=data["procedure_code"].strip()).first() \
            if data["procedure_code"] else None
        dossier = None
        if data["subject"] == FeedbackSubject.DOSSIER and data["dossier_code"]:
            # A complaint about a dossier comes from its applicant (logged in): nobody else may name it.
            dossier = Dossier.objects.for_user(request.user).filter(code=data["dossier_code"].strip()).first()
            if dossier is None:
                form.add_error("dossier_code", _("Log in with the account that submitted this dossier to send "
                                                 "feedback about it."))
        if data["subject"] == FeedbackSubject.PROCEDURE and data["procedure_code"] and procedure is None:
            form.add_error("procedure_code", _("No procedure has this code."))
        if not form.errors:
            try:
                item = services.submit(
                    subject=data["subject"], title=data["title"], content=data["content"],
                    sender_name=data["sender_name"], sender_email=data["sender_email"],
                    sender_phone=data["sender_phone"], user=request.user, procedure=procedure,
                    agency=data["agency"], dossier=dossier)
            except Problem as problem:
                _errors_into(form, problem)
            else:
                return render(request, "feedback/sent.html", {"item": item})
    return render(request, "feedback/send.html", {"form": form}, status=400 if form.errors else 200)


def detail(request, code: str):
    item = get_object_or_404(Feedback.objects.select_related("agency", "procedure"), code=code)
    own = request.user.is_authenticated and item.sender_id == request.user.pk
    if not own and item.status != FeedbackStatus.PUBLISHED:
        raise Http404
    return render(request, "feedback/detail.html", {"item": item, "own": own})


@login_required
@require_POST
def sender_action(request, code: str, what: str):
    item = get_object_or_404(Feedback, code=code, sender=request.user)
    try:
        if what == "react":
            services.react(item, request.user, request.POST.get("liked") == "1")
            messages.success(request, _("Thank you for your rating."))
        elif what == "reraise":
            new = services.reraise(item, request.user, request.POST.get("content", ""))
            messages.success(request, _("Sent again as %(code)s.") % {"code": new.code})
            return redirect("feedback:detail", code=new.code)
        else:
            raise Http404
    except Problem as problem:
        messages.error(request, _first(problem))
    return redirect("feedback:detail", code=item.code)


def _first(problem: Problem) -> str:
    for texts in (getattr(problem, "errors", None) or {}).values():
        return str(texts[0] if isinstance(texts, list | tuple) else texts)
    return str(problem.detail)


# --- staff -------------------------------------------------------------------------------------------------------


def _staff_items(user):
    return Feedback.objects.filter(agency__in=Agency.objects.for_user(user)).select_related("agency")


def next_deadline(item: Feedback):
    if item.status == FeedbackStatus.ANSWERED:
        return item.publish_due_at
    if item.status in services.OPEN:
        return item.answer_due_at
    return None


@login_required
@staff_required
def staff_list(request):
    items = _staff_items(request.user)
    status = request.GET.get("status", "open")
    if status == "open":
        items = items.filter(status__in=[*services.OPEN, FeedbackStatus.ANSWERED])
    elif status in FeedbackStatus.values:
        items = items.filter(status=status)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        items = items.filter(Q(code__icontains=q) | Q(search_text__contains=fold(q)))
    page = Paginator(items.order_by("answer_due_at", "id"), 25).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(item, next_deadline(item)) for item in page.object_list]
    return render(request, "feedback/staff_list.html", {
        "page": page, "rows": rows, "status": status, "statuses": FeedbackStatus.choices, "q": q, "now": now})


@login_required
@staff_required
def staff_detail(request, code: str):
    item = get_object_or_404(_staff_items(request.user).select_related("procedure", "dossier", "parent"), code=code)
    if request.method == "POST":
        action = request.POST.get("action", "")
        text = request.POST.get("text", "")
        handlers = {
            "reject": lambda: services.reject(item, request.user, text),
            "ask": lambda: services.ask_for_information(item, request.user, text),
            "answer": lambda: services.answer(item, request.user, text),
            "publish": lambda: services.publish(item, request.user),
        }
        if action not in handlers:
            raise Http404
        try:
            handlers[action]()
            messages.success(request, _("Saved."))
        except Problem as problem:
            messages.error(request, _first(problem))
        return redirect("feedback:staff-detail", code=item.code)
    return render(request, "feedback/staff_detail.html", {
        "item": item, "may_handle": services.may_handle(request.user, item), "deadline": next_deadline(item),
        "now": timezone.now()})
