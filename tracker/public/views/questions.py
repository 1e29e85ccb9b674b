"""The newsroom's questions to agencies: the overdue ones, and where answers went."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from tracker.core.models import AgencyQuestion


def questions_with_anchors(questions, entries) -> list[AgencyQuestion]:
    """Return questions, oldest first, each answer linked to its entry on the timeline.

    ENTRIES are the commitment's timeline with their anchors set (commitment_detail).
    """
    anchors = {entry.pk: entry.anchor for entry in entries}
    result = sorted(questions, key=lambda question: (question.sent_on, question.pk))
    for question in result:
        question.anchor = anchors.get(question.answer_entry_id, "")
    return result


def overdue_questions(request):
    """List the unanswered questions past their deadline, longest overdue first."""
    today = timezone.localdate()
    public = AgencyQuestion.objects.public().select_related("commitment")
    overdue = list(public.overdue(today).order_by("deadline", "sent_on", "pk"))
    waiting = list(
        public.unanswered().filter(deadline__gte=today).order_by("deadline", "sent_on", "pk")
    )
    answered = list(public.filter(answered_on__isnull=False).order_by("-answered_on", "-pk")[:50])
    return render(
        request,
        "tracker/questions.html",
        {"overdue": overdue, "waiting": waiting, "answered": answered, "today": today},
    )
