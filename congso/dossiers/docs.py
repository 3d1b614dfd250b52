"""Renders the transition table as Markdown, so docs/dossier-transitions.md is generated from the code
(`congso dossier_transitions > docs/dossier-transitions.md`) and a test keeps the two identical."""

from congso.dossiers.choices import Status
from congso.dossiers.transitions import TRANSITIONS

WHERE = {
    "receiving": "receiving agency",
    "current": "agency holding the dossier",
    "either": "holding agency, or the receiving agency's desk",
    "responsible": "agency responsible for the result, or the holding agency",
}


def transition_table() -> str:
    lines = [
        "| Action | From status | To status | Roles | At | Applicant may | Reason required |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in sorted(TRANSITIONS):
        rule = TRANSITIONS[name]
        sources = ", ".join(f"{int(s)} {Status(s).name.lower()}" for s in sorted(rule.from_statuses))
        target = f"{int(rule.to_status)} {rule.to_status.name.lower()}" if rule.to_status else "unchanged / restored"
        roles = ", ".join(sorted(str(r.value) for r in rule.roles))
        lines.append(
            f"| `{name}` | {sources} | {target} | {roles} | {WHERE[rule.where]} | "
            f"{'yes' if rule.applicant_may else 'no'} | {'yes' if rule.reason_required else 'no'} |"
        )
    return "\n".join(lines) + "\n"
