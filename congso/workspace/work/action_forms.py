"""The small form behind each action button of the dossier page: which inputs an action asks for, read from the
POST into the keyword arguments `perform` takes. Validation of the values themselves stays in the engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congso.dossiers.choices import Action, PaymentMethod
from congso.dossiers.services.common import BadInput
from congso.dossiers.transitions import TRANSITIONS
from congso.org.models import Agency, Membership

# Actions that end or refuse the dossier: the form asks to tick a confirmation.
GRAVE = {Action.REFUSE, Action.STOP, Action.WITHDRAW}
MAX_RESULT_FILES = 5


@dataclass
class ActionForm:
    """What the template needs to draw one action's form."""

    action: str
    label: str
    reason_required: bool
    inputs: list[str] = field(default_factory=list)
    grave: bool = False
    assignees: list = field(default_factory=list)
    agencies: list = field(default_factory=list)
    results: list = field(default_factory=list)
    help: str = ""


INPUTS = {
    Action.REQUEST_SUPPLEMENT: ["items"],
    Action.SUPPLY: ["files"],
    Action.FORWARD: ["assignee"],
    Action.SEND_BACK: ["assignee"],
    Action.ASSIGN: ["assignee"],
    Action.TRANSFER: ["to_agency", "share_hours", "assignee"],
    Action.REQUEST_PAYMENT: ["amount", "description"],
    Action.RECORD_PAYMENT: ["amount", "method", "reference"],
    Action.APOLOGIZE: ["new_due_at"],
    Action.COMPLETE: ["results"],
}

HELP = {
    Action.REQUEST_SUPPLEMENT: gettext_lazy("List every missing or incorrect paper, one per line: the law allows "
                                            "one request that names everything."),
    Action.APOLOGIZE: gettext_lazy("The apology must be sent before the current appointment passes."),
    Action.COMPLETE: gettext_lazy("Record the result documents; an uploaded PDF becomes the electronic result."),
}


def _people(agency_ids):
    ids = Membership.objects.active().filter(agency_id__in=agency_ids).values("user_id")
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("full_name", "username")
                .only("id", "username", "full_name", "first_name", "last_name", "organisation_name"))


def build_forms(dossier, actions: list[str]) -> list[ActionForm]:
    forms = []
    for action in actions:
        inputs = INPUTS.get(action, [])
        form = ActionForm(action=action, label=str(Action(action).label),
                          reason_required=TRANSITIONS[action].reason_required, inputs=inputs,
                          grave=action in GRAVE, help=str(HELP.get(action, "")))
        if "assignee" in inputs:
            form.assignees = _people(_assignee_agencies(dossier, action))
        if "to_agency" in inputs:
            form.agencies = list(Agency.objects.exclude(pk=dossier.current_agency_id).filter(valid_to__isnull=True)
                                 .order_by("tree_path").only("id", "code", "name")[:500])
        if "results" in inputs:
            form.results = list(dossier.procedure_version.results.all())
        forms.append(form)
    return forms


def _assignee_agencies(dossier, action) -> list[int]:
    if action == Action.FORWARD:
        # The next step of the plan names its agency; before receipt the plan may be empty.
        plan = dossier.plan or []
        index = (dossier.current_step.plan_index if dossier.current_step else -1)
        index = -1 if index is None else index
        nxt = plan[index + 1] if index + 1 < len(plan) else None
        agency = Agency.objects.filter(pk=nxt.get("agency")).values_list("pk", flat=True).first() if nxt else None
        return [agency or dossier.current_agency_id]
    return [dossier.current_agency_id]


def _local_datetime(raw: str) -> dt.datetime:
    raw = (raw or "").strip()
    for pattern in ("%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"):
        try:
            return timezone.make_aware(dt.datetime.strptime(raw, pattern))
        except ValueError:
            continue
    raise BadInput({"new_due_at": _("Give the new appointment as a date and time.")})


def read_params(action: str, post, files, user) -> dict:
    """The keyword arguments for `perform` from the form's POST. Raises BadInput on an unreadable value."""
    params: dict = {}
    inputs = INPUTS.get(action, [])
    if "items" in inputs:
        params["items"] = [line.strip() for line in post.get("items", "").splitlines() if line.strip()]
    if "assignee" in inputs and post.get("assignee"):
        if not str(post["assignee"]).isdigit():
            raise BadInput({"assignee": _("Unknown user.")})
        params["assignee"] = int(post["assignee"])
    if "to_agency" in inputs:
        params["to_agency"] = post.get("to_agency", "")
        params["share_hours"] = post.get("share_hours") or None
    if "amount" in inputs:
        params["amount"] = post.get("amount", "").replace(".", "").replace(",", "").strip()
    if "description" in inputs:
        params["description"] = post.get("description", "")[:2000]
    if "method" in inputs:
        method = post.get("method", str(PaymentMethod.OFFLINE))
        if not method.isdigit():
            raise BadInput({"method": _("Unknown payment method.")})
        params["method"] = int(method)
        params["reference"] = post.get("reference", "")[:100]
    if "new_due_at" in inputs:
        params["new_due_at"] = _local_datetime(post.get("new_due_at", ""))
    if "files" in inputs:
        params["files"] = files.getlist("files")[:20]
    if "results" in inputs:
        params["results"] = _results(post, files)
    return params


def _results(post, files) -> list[dict]:
    """Rows result_name_N / result_number_N / result_catalog_N / result_file_N, N = 0 … MAX_RESULT_FILES - 1."""
    results = []
    for index in range(MAX_RESULT_FILES):
        name = post.get(f"result_name_{index}", "").strip()[:500]
        item = {"name": name, "number": post.get(f"result_number_{index}", "").strip()[:100]}
        chosen = post.get(f"result_catalog_{index}", "")
        if chosen:
            if not chosen.isdigit():
                raise BadInput({"results": _("This result does not belong to the procedure.")})
            item["catalog_result_id"] = int(chosen)
        upload = files.get(f"result_file_{index}")
        if upload is not None:
            item["file"] = upload
        if item["name"] or item.get("catalog_result_id") or item.get("file"):
            results.append(item)
    return results
