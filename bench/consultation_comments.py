"""Benchmark: does a consultation's page stay fast with 50,000 comments?

Builds two throw-away SQLite databases, each with one open consultation of four sections:
a small one (50 comments) and a big one (`--comments`, default 50,000; one in five on an
exact passage, one in four a reply, some supports). The consultation and its agency are
made through the actions; the comments are bulk-inserted (they are data, not behaviour).
Then it times the consultation page (sections, counts, highlighted passages, the first
page of comments), one section's comments, the API's comment list and the summary page,
against the minimal view of `bench/urls.py` measured in the same run (one row by primary
key through the same middleware). It prints each page's query count and median time as a
ratio to the baseline, in both sizes, and the big/small ratio.

    .venv/bin/python bench/consultation_comments.py [--comments 50000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL = 50
BASELINE = "/bench/one-row/?id=1"


def build(comment_count: int) -> int:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from townhall.agencies import actions as agency_actions
    from townhall.consultations import actions
    from townhall.consultations.models import Comment, Consultation, Support
    from townhall.conversations.rendering import render_markdown

    User = get_user_model()
    admin = User.objects.create_superuser(email="admin@bench.example", display_name="Admin")
    agency = agency_actions.create_agency(
        by=admin,
        name="Transportation",
        purpose="Safe streets.",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
    )
    staff = User.objects.create_user(email="staff@bench.example", display_name="Nadia")
    agency_actions.add_staff_member(
        by=admin, agency=agency, user=staff, public_name="Nadia Petrovic", job_title="Engineer"
    )
    now = timezone.now()
    sections = [
        ("Purpose", "This plan makes every street safe to walk, cycle and cross by 2030."),
        ("Speed limits", "The speed limit on residential streets drops from 25 mph to 20 mph."),
        ("Crossings", "Every elementary school gets a raised crossing within two years."),
        ("Reporting", "Every serious injury is published on a public map within a month."),
    ]
    consultation = actions.create_consultation(
        by=staff,
        agency=agency,
        title="Safer streets plan",
        summary="A draft plan.",
        sections=sections,
        opens_at=now - dt.timedelta(days=30),
        closes_at=now + dt.timedelta(days=30),
    )
    version = consultation.current_version
    assert version is not None
    rows = list(version.sections.order_by("order"))
    people = User.objects.bulk_create(
        User(
            email=f"p{i}@bench.example",
            display_name=f"Resident {i}",
            assurance_level="email_verified",
        )
        for i in range(min(comment_count, 2000))
    )
    passages = ["drops from 25 mph to 20 mph", "raised crossing", "safe to walk", "public map"]
    body = "I think this section should say more about enforcement. **Really.**"
    html = render_markdown(body)
    batch: list[Comment] = []
    tops: list[int] = []
    start = now - dt.timedelta(days=29)
    for i in range(comment_count):
        section_index = i % 4
        batch.append(
            Comment(
                consultation=consultation,
                version=version,
                section=rows[section_index] if i % 7 else None,
                passage=passages[section_index] if i % 5 == 0 and i % 7 else "",
                author=people[i % len(people)],
                body=body,
                body_html=html,
                created_at=start + dt.timedelta(seconds=i * 40),
            )
        )
        if len(batch) == 5000 or i == comment_count - 1:
            made = Comment.objects.bulk_create(batch)
            tops.extend(c.pk for c in made if c.pk is not None)
            batch = []
    # One in four becomes a reply to an earlier top-level comment of the same section.
    replies = [(pk, tops[max(0, n - 8)]) for n, pk in enumerate(tops) if n % 4 == 3]
    for pk, parent in replies:
        Comment.objects.filter(pk=pk).exclude(pk=parent).update(parent_id=parent)
    Support.objects.bulk_create(
        Support(section=rows[i % 4], user=person, stance="support" if i % 3 else "oppose")
        for i, person in enumerate(people)
    )
    # The actions keep each section's counts; bulk inserts skip them, so count once here.
    Consultation.objects.filter(pk=consultation.pk).update(
        top_comment_count=Comment.objects.filter(
            consultation=consultation, parent__isnull=True
        ).count()
    )
    from django.db.models import Count, Q

    from townhall.consultations.models import Section

    for section in Section.objects.filter(version=version).annotate(
        shown=Count("comments", filter=Q(comments__is_hidden=False), distinct=True),
        top=Count("comments", filter=Q(comments__parent__isnull=True), distinct=True),
    ):
        Section.objects.filter(pk=section.pk).update(
            comment_count=section.shown,
            top_comment_count=section.top,
            support_count=Support.objects.filter(section=section, stance="support").count(),
            oppose_count=Support.objects.filter(section=section, stance="oppose").count(),
        )
    return consultation.pk


def paths_for(pk: int, section: int) -> list[str]:
    return [
        BASELINE,
        f"/consultations/{pk}/",
        f"/consultations/{pk}/?section={section}&page=3",
        f"/api/v1/consultations/{pk}/comments/",
        f"/api/v1/consultations/{pk}/",
        f"/consultations/{pk}/summary/",
    ]


def measure(comment_count: int, repeat: int) -> dict[str, tuple[float, int]]:
    """In a child process, so each size gets its own settings and database."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(comment_count), "--repeat", str(repeat)],
        check=True,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "TOWNHALL_VAR_DIR": tempfile.mkdtemp(prefix="townhall-bench-"),
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "STATIC_MANIFEST": "false",
            "DEBUG": "false",
        },
        cwd=ROOT,
    )
    result = {}
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            _, name, seconds, count = line.split()
            result[name] = (float(seconds), int(count))
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--child", type=int)
    args = parser.parse_args()

    if args.child is not None:
        sys.path.insert(0, str(ROOT))
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        began = time.perf_counter()
        pk = build(args.child)
        print(f"BUILT {time.perf_counter() - began:.1f}s", file=sys.stderr)
        from bench.page_timing import time_paths
        from townhall.consultations.models import Consultation

        current = Consultation.objects.get(pk=pk).current_version
        assert current is not None
        section = current.sections.order_by("order")[1].pk
        for index, (seconds, count) in enumerate(
            time_paths(paths_for(pk, section), args.repeat).values()
        ):
            print(f"RESULT {index} {seconds:.6f} {count}")
        return

    small = measure(SMALL, args.repeat)
    big = measure(args.comments, args.repeat)
    names = [
        "baseline",
        "consultation page",
        "one section, page 3",
        "API comments",
        "API consultation",
        "summary page",
    ]
    print(f"{SMALL} vs {args.comments:,} comments; times are medians / the baseline view")
    print(f"{'page':22} {'queries':>8} {'small/base':>11} {'big/base':>9} {'big/small':>10}")
    base_small, base_big = small["0"][0], big["0"][0]
    for index, name in enumerate(names[1:], start=1):
        key = str(index)
        print(
            f"{name:22} {small[key][1]:>3}/{big[key][1]:<4} {small[key][0] / base_small:11.1f} "
            f"{big[key][0] / base_big:9.1f} {big[key][0] / small[key][0]:10.2f}"
        )


if __name__ == "__main__":
    main()
