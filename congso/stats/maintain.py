"""Keeping the aggregates exact: every change to a dossier is applied as (new contribution − old contribution),
inside the transaction that made the change (house rule 6: nothing half-written, nothing drifts).

- `on_event` runs from the engine's `event_recorded` signal, inside the action's transaction, with the dossier
  already updated in memory (and its row locked). It reads one state row by key; only the events that can change
  components (create, supply) or results (complete) read those child rows.
- `resync` recomputes dossiers from their stored rows (ratings, complaints, imports, `stats rebuild --from/--to`).
"""

from __future__ import annotations

from django.db import transaction

from congso.dossiers.choices import Action
from congso.stats import facts as facts_module
from congso.stats.contributions import CachedFlags, contribution, decode, difference, encode, facts_of
from congso.stats.models import DossierStatsState
from congso.stats.upsert import apply

# Actions that change no field a contribution reads (they move the dossier between steps, people and agencies, or
# record the hand-over of a result already counted): skipped, so they cost the aggregates nothing. `stats check` in
# the tests would show a drift if one of them started to matter.
NEUTRAL_ACTIONS = frozenset({Action.FORWARD, Action.SEND_BACK, Action.ASSIGN, Action.TRANSFER,
                             Action.RETURN_TRANSFER, Action.RETURN_RESULT})


def on_event(event, dossier) -> None:
    if event.action in NEUTRAL_ACTIONS:
        return
    if event.action == Action.CREATE:  # a new dossier has no state row yet
        state = None
    else:
        state = DossierStatsState.objects.select_for_update().filter(pk=dossier.pk).first()
    flags = CachedFlags.from_dict(state.flags) if state else None
    if flags is None or event.action == Action.CREATE:
        flags = _fresh_flags(dossier)
    elif event.action == Action.SUPPLY:
        flags.__dict__.update(_components(dossier.pk))
    elif event.action == Action.COMPLETE:
        flags.__dict__.update(facts_module.result_flags([dossier.pk]).get(dossier.pk, {}))
    _store(dossier.pk, state, contribution(facts_of(dossier, flags)), flags)


def _components(pk: int) -> dict:
    return facts_module.component_flags([pk]).get(pk, {"components": 0, "all_digitized": False, "any_reused": False,
                                                        "any_from_store": False})


def _fresh_flags(dossier) -> CachedFlags:
    # At creation the pinned version is already in memory; elsewhere one query.
    version = dossier.procedure_version
    flags = CachedFlags(result_is_document=bool(version.result_is_document), **_components(dossier.pk))
    flags.__dict__.update(facts_module.result_flags([dossier.pk]).get(dossier.pk, {}))
    flags.rating = facts_module.rating_flags([dossier.pk]).get(dossier.pk)
    flags.complained = dossier.pk in facts_module.complaint_flags([dossier.pk])
    return flags


def _store(pk: int, state, new: dict, flags: CachedFlags) -> None:
    old = decode(state.contribution) if state else {}
    apply(difference(old, new))
    encoded, flag_data = encode(new), flags.as_dict()
    if state is None:
        DossierStatsState.objects.create(dossier_id=pk, contribution=encoded, flags=flag_data)
    elif state.contribution != encoded or state.flags != flag_data:
        DossierStatsState.objects.filter(pk=pk).update(contribution=encoded, flags=flag_data)


def resync(dossier_ids) -> int:
    """Recompute these dossiers from their stored rows and apply the differences. Returns how many changed."""
    ids = sorted(set(dossier_ids))
    changed = 0
    with transaction.atomic():
        states = {s.pk: s for s in DossierStatsState.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        loaded = facts_module.load_facts(ids)
        for pk in ids:
            state = states.get(pk)
            if pk not in loaded:  # the dossier is gone: take its contribution back
                if state is not None:
                    apply(difference(decode(state.contribution), {}))
                    state.delete()
                    changed += 1
                continue
            f = loaded[pk]
            new = contribution(f)
            if state is None or decode(state.contribution) != new or state.flags != f.flags.as_dict():
                _store(pk, state, new, f.flags)
                changed += 1
    return changed
