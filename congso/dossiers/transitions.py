"""The transition table of the engine: which action is allowed in which status, for which role, at which agency.

Pure data, documented in docs/dossier-transitions.md (kept in step by a test). "where" names the agency whose
members may act: `receiving` (the agency that received the dossier), `current` (the agency holding it now),
`either` (the holding agency, or the desk of the receiving agency), `responsible` (the agency responsible for
the result, or the one holding the dossier).
"""

from __future__ import annotations

from dataclasses import dataclass

from congso.dossiers.choices import Action, Status
from congso.org.choices import Role

S = Status
DESK, SPEC, HEAD, LEAD = Role.DESK_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.AGENCY_LEADER
HANDLERS = frozenset({SPEC, HEAD, LEAD})
OPEN_RECEIVED = frozenset({S.RECEIVED, S.IN_PROGRESS, S.SUPPLEMENT_REQUESTED, S.FINANCIAL_OBLIGATION})


@dataclass(frozen=True)
class Rule:
    from_statuses: frozenset
    to_status: Status | None  # None: the status does not change (or is restored, for supply / payment)
    roles: frozenset
    where: str = "current"
    applicant_may: bool = False
    reason_required: bool = False
    # A system account (AccountType.SYSTEM: e.g. the payment gateway's notices) may take this action.
    system_may: bool = False


TRANSITIONS: dict[str, Rule] = {
    Action.ACCEPT: Rule(frozenset({S.NEW}), S.RECEIVED, frozenset({DESK, LEAD}), "receiving"),
    Action.REFUSE: Rule(frozenset({S.NEW}), S.REFUSED, frozenset({DESK, LEAD}), "receiving", reason_required=True),
    Action.REQUEST_SUPPLEMENT: Rule(frozenset({S.NEW, S.RECEIVED, S.IN_PROGRESS}), S.SUPPLEMENT_REQUESTED,
                                    frozenset({DESK}) | HANDLERS, "either", reason_required=True),
    Action.SUPPLY: Rule(frozenset({S.SUPPLEMENT_REQUESTED}), None, frozenset({DESK}) | HANDLERS, "either",
                        applicant_may=True),
    Action.FORWARD: Rule(frozenset({S.RECEIVED, S.IN_PROGRESS}), S.IN_PROGRESS, frozenset({DESK}) | HANDLERS),
    Action.SEND_BACK: Rule(frozenset({S.IN_PROGRESS}), S.IN_PROGRESS, HANDLERS, reason_required=True),
    Action.ASSIGN: Rule(OPEN_RECEIVED, None, frozenset({HEAD, LEAD, Role.ADMINISTRATOR})),
    Action.TRANSFER: Rule(frozenset({S.IN_PROGRESS}), S.IN_PROGRESS, HANDLERS, reason_required=True),
    Action.RETURN_TRANSFER: Rule(frozenset({S.IN_PROGRESS}), S.IN_PROGRESS, HANDLERS),
    Action.REQUEST_PAYMENT: Rule(frozenset({S.IN_PROGRESS}), S.FINANCIAL_OBLIGATION, HANDLERS),
    Action.RECORD_PAYMENT: Rule(frozenset({S.NEW, S.RECEIVED, S.IN_PROGRESS, S.FINANCIAL_OBLIGATION, S.RESOLVED}),
                                None, frozenset({DESK}) | HANDLERS, "either", system_may=True),
    Action.APOLOGIZE: Rule(OPEN_RECEIVED, None, frozenset({HEAD, LEAD}), "responsible", reason_required=True),
    Action.STOP: Rule(OPEN_RECEIVED, S.STOPPED, frozenset({HEAD, LEAD}), "responsible", reason_required=True),
    Action.WITHDRAW: Rule(frozenset({S.NEW}) | OPEN_RECEIVED, S.WITHDRAWN, frozenset({DESK, LEAD}), "receiving",
                          applicant_may=True, reason_required=True),
    Action.COMPLETE: Rule(frozenset({S.IN_PROGRESS}), S.RESOLVED, HANDLERS),
    Action.RETURN_RESULT: Rule(frozenset({S.RESOLVED}), S.RETURNED, frozenset({DESK, LEAD}), "receiving"),
}

ACTION_NAMES = sorted(TRANSITIONS)


def allowed_actions(status: int) -> list[str]:
    return [name for name, rule in TRANSITIONS.items() if status in rule.from_statuses]
