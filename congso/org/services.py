"""State changes of the organisation: administrative-unit succession (sắp xếp đơn vị hành chính).

Every change to units goes through `apply_succession`, which writes the event, its crosswalk links, closes and opens
the units' dated versions, and keeps the denormalised current state on AdminUnit in step — in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from congso.org.choices import SuccessionKind, UnitLevel
from congso.org.models import AdminUnit, AdminUnitVersion, SuccessionEvent, SuccessionLink


@dataclass
class NewUnit:
    """A unit that an event creates (merge into a new unit, split, establish)."""

    code: str
    name: str
    unit_type: str
    level: str
    parent: AdminUnit | None = None


@dataclass
class SuccessionPlan:
    kind: str
    effective_date: dt.date
    legal_basis: str = ""
    note: str = ""
    predecessors: list[AdminUnit] = field(default_factory=list)
    # Successors that already exist (a merge into a continuing unit) or are created by the event.
    successors: list[AdminUnit] = field(default_factory=list)
    new_units: list[NewUnit] = field(default_factory=list)
    # For rename / re-parent: the unit's new name, type or parent.
    new_name: str | None = None
    new_unit_type: str | None = None
    new_parent: AdminUnit | None = None
    # Re-parent every child of these units to `new_parent` (e.g. communes when their district is dissolved).
    reparent_children_of: list[AdminUnit] = field(default_factory=list)


def create_unit(code, name, unit_type, level, parent=None, valid_from=None, event=None) -> AdminUnit:
    """A new unit with its first version. Codes are never reused, even after a unit ceased to exist."""
    if AdminUnit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Unit code %(code)s is already used (codes are never reused).") % {"code": code}})
    unit = AdminUnit(code=code, name=name, unit_type=unit_type, level=level, parent=parent, valid_from=valid_from)
    unit.full_clean()
    unit.save()
    AdminUnitVersion.objects.create(
        unit=unit, name=name, unit_type=unit_type, parent=parent, valid_from=valid_from, event=event
    )
    return unit


def _open_version(unit: AdminUnit) -> AdminUnitVersion:
    version = unit.versions.filter(valid_to__isnull=True).order_by("-valid_from").first()
    if version is None:
        raise ValidationError(_("Unit %(code)s has no open version.") % {"code": unit.code})
    return version


def _change_unit(unit: AdminUnit, day: dt.date, event: SuccessionEvent, **changes) -> None:
    """Close the unit's open version at `day` and open a new one carrying `changes`."""
    current = _open_version(unit)
    if current.valid_from and current.valid_from >= day:
        raise ValidationError(
            _("Unit %(code)s already changed on or after %(day)s.") % {"code": unit.code, "day": day.strftime("%d/%m/%Y")}
        )
    current.valid_to = day
    current.save(update_fields=["valid_to"])
    new = AdminUnitVersion(
        unit=unit,
        name=changes.get("name", current.name),
        unit_type=changes.get("unit_type", current.unit_type),
        parent=changes.get("parent", current.parent),
        valid_from=day,
        event=event,
    )
    new.save()
    unit.name, unit.unit_type, unit.parent = new.name, new.unit_type, new.parent
    unit.save()


def _end_unit(unit: AdminUnit, day: dt.date) -> None:
    if unit.valid_to is not None:
        raise ValidationError(_("Unit %(code)s has already ceased to exist.") % {"code": unit.code})
    version = _open_version(unit)
    version.valid_to = day
    version.save(update_fields=["valid_to"])
    unit.valid_to = day
    unit.save()


@transaction.atomic
def apply_succession(plan: SuccessionPlan) -> SuccessionEvent:
    """Record and carry out one succession event; either all of it happens or nothing."""
    day = plan.effective_date
    for unit in plan.predecessors + plan.reparent_children_of:
        if not unit.exists_on(day - dt.timedelta(days=1)):
            raise ValidationError(_("Unit %(code)s does not exist before the event.") % {"code": unit.code})
    event = SuccessionEvent.objects.create(
        kind=plan.kind, effective_date=day, legal_basis=plan.legal_basis, note=plan.note
    )
    created = [
        create_unit(n.code, n.name, n.unit_type, n.level, n.parent, valid_from=day, event=event) for n in plan.new_units
    ]
    successors = list(plan.successors) + created

    if plan.kind in (SuccessionKind.MERGE, SuccessionKind.SPLIT, SuccessionKind.DISSOLVE):
        if plan.kind != SuccessionKind.DISSOLVE and (not plan.predecessors or not successors):
            raise ValidationError(_("A merge or split needs predecessors and successors."))
        if plan.kind == SuccessionKind.MERGE and len(successors) != 1:
            raise ValidationError(_("A merge has exactly one successor."))
        for child_parent in plan.reparent_children_of:
            # Children still existing on the day (those merged away the same day are already closed).
            for child in AdminUnit.objects.as_of(day).filter(parent=child_parent):
                if child not in plan.predecessors:
                    _change_unit(child, day, event, parent=plan.new_parent)
        continuing = {s.pk for s in successors}
        for unit in plan.predecessors:
            for successor in successors:
                if successor.pk != unit.pk:
                    SuccessionLink.objects.create(event=event, predecessor=unit, successor=successor)
            if unit.pk not in continuing:
                _end_unit(unit, day)
    elif plan.kind in (SuccessionKind.RENAME, SuccessionKind.REPARENT):
        if not plan.predecessors:
            raise ValidationError(_("Name the unit to change."))
        changes = {}
        if plan.new_name:
            changes["name"] = plan.new_name
        if plan.new_unit_type:
            changes["unit_type"] = plan.new_unit_type
        if plan.kind == SuccessionKind.REPARENT:
            if plan.new_parent is not None and plan.new_parent.level == UnitLevel.COMMUNE:
                raise ValidationError(_("A commune cannot be a parent unit."))
            changes["parent"] = plan.new_parent
        for unit in plan.predecessors:
            _change_unit(unit, day, event, **changes)
    elif plan.kind == SuccessionKind.ESTABLISH:
        if not created:
            raise ValidationError(_("Establishing needs at least one new unit."))
    return event


def crosswalk(code: str, on: dt.date | None = None) -> list[AdminUnit]:
    """The unit(s) that carry an old code's territory on `on` (default today), following every succession.

    A unit that still exists on `on` maps to itself; a merged unit to its successor; a split unit to all parts.
    """
    from congso.org.querysets import today

    on = on or today()
    start = AdminUnit.objects.get(code=code)
    result, seen, frontier = [], set(), [start]
    while frontier:
        unit = frontier.pop()
        if unit.pk in seen:
            continue
        seen.add(unit.pk)
        if unit.exists_on(on):
            result.append(unit)
            continue
        links = SuccessionLink.objects.filter(predecessor=unit, event__effective_date__lte=on).select_related("successor")
        frontier.extend(link.successor for link in links)
    return sorted(result, key=lambda u: u.code)


def hierarchy_on(day: dt.date) -> dict[int | None, list[tuple[AdminUnit, AdminUnitVersion]]]:
    """The unit tree as it was on `day`: parent id → [(unit, its version that day)], two queries in all."""
    versions = (
        AdminUnitVersion.objects.filter(
            unit__in=AdminUnit.objects.as_of(day),
        )
        .filter_valid_on(day)
        .select_related("unit")
    )
    tree: dict[int | None, list] = {}
    for version in versions:
        tree.setdefault(version.parent_id, []).append((version.unit, version))
    for children in tree.values():
        children.sort(key=lambda pair: pair[0].code)
    return tree
