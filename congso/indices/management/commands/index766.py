"""`congso index766 score --counts FILE.json` and `congso index766 compute --unit CODE --from DATE --to DATE`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from congso.indices import services
from congso.indices.scope import InvalidPeriod, Period, UnknownUnit, parse_date, resolve
from congso.indices.scoring import CountsError, score, to_jsonable


class Command(BaseCommand):
    help = "Decision 766 index: score a counts file, or compute counts and scores of a unit and period."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        scoring = sub.add_parser("score", help="Score a counts file (docs/index766.md format); prints JSON.")
        scoring.add_argument("--counts", required=True, help="Path of the counts JSON file ('-' for stdin).")
        compute = sub.add_parser("compute", help="Count from the database and score; prints JSON.")
        compute.add_argument("--unit", required=True, help="Agency identifier or administrative-unit code.")
        compute.add_argument("--from", dest="date_from", required=True, help="First day (dd/mm/yyyy or ISO).")
        compute.add_argument("--to", dest="date_to", required=True, help="Last day, inclusive.")

    def handle(self, *args, subcommand, **options):
        if subcommand == "score":
            return self._score(options["counts"])
        return self._compute(options["unit"], options["date_from"], options["date_to"])

    def _print(self, data) -> None:
        self.stdout.write(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2))

    def _score(self, path: str) -> None:
        try:
            if path == "-":
                import sys

                counts = json.load(sys.stdin)
            else:
                with open(path, encoding="utf-8") as handle:
                    counts = json.load(handle)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path} is not JSON: {exc}") from None
        key = counts.get("profile") if isinstance(counts, dict) else None
        profile = self._profile(key)
        try:
            self._print(score(counts, profile.parameters, profile.key))
        except CountsError as exc:
            raise CommandError(f"invalid counts: {exc}") from None

    def _profile(self, key):
        from congso.indices.models import IndexProfile

        if key is None:
            from django.utils import timezone

            return services.profile_for(timezone.localdate())
        found = IndexProfile.objects.filter(key=key).first() if isinstance(key, str) else None
        if found is None:
            raise CommandError(f"unknown profile {str(key)[:40]!r}")
        return services.Profile(found.key, found.parameters)

    def _compute(self, unit: str, date_from: str, date_to: str) -> None:
        try:
            period = Period(parse_date(date_from), parse_date(date_to))
        except InvalidPeriod as exc:
            raise CommandError(str(exc)) from None
        try:
            scope = resolve(unit)
        except UnknownUnit:
            raise CommandError(f"unknown unit {unit[:40]!r}: give an agency identifier or a unit code") from None
        self._print(services.compute(scope, period).as_json())
