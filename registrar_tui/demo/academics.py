"""Enrolments with evaluations and absences, past terms as history, repertoire."""

from __future__ import annotations

from datetime import date, timedelta

from registrar_tui.demo.context import CURRENT_TERM, DEMO_TODAY, DemoContext, DisciplineInfo, at
from registrar_tui.demo.people import StudentProfile
from registrar_tui.demo.pools import (
    ABSENCE_JUSTIFIED,
    ABSENCE_UNJUSTIFIED,
    COMMENTS_HIGH,
    COMMENTS_LOW,
    COMMENTS_MID,
    EVALUATION_TITLES,
    FINAL_TITLE,
    WORKS,
)
from registrar_tui.models import DisciplineKind, EnrolmentStatus, RepertoireEventKind, Season

# (kind, title, month, day) per season; the year is the term's.
_EVENTS = {
    Season.AUTUMN: (
        (RepertoireEventKind.MASTERCLASS, "Classe de maître — cordes et piano", 10, 17),
        (RepertoireEventKind.RECITAL, "Récital d'automne", 11, 8),
        (RepertoireEventKind.EXAM, "Examens de fin de session — automne", 12, 9),
        (RepertoireEventKind.CONCERT, "Concert de Noël", 12, 13),
    ),
    Season.WINTER: (
        (RepertoireEventKind.MASTERCLASS, "Classe de maître — interprétation", 3, 14),
        (RepertoireEventKind.COMPETITION, "Concours des jeunes interprètes", 4, 11),
        (RepertoireEventKind.CONCERT, "Concert du printemps", 4, 26),
        (RepertoireEventKind.EXAM, "Examens de fin de session — hiver", 5, 2),
    ),
    Season.SUMMER: ((RepertoireEventKind.CONCERT, "Concert de fin de camp d'été", 8, 5),),
}
_VENUES = {
    "MTL": ("Grande salle du Conservatoire", "Chapelle du Bon-Pasteur", "Studio 3"),
    "QC": ("Salle Saint-Jean", "Église Saint-Roch", "Studio A"),
    "GAT": ("Salle Laurier", "Maison de la culture de Gatineau", "Studio 1"),
}


def _comment(ctx: DemoContext, mark: int) -> str:
    pool = COMMENTS_HIGH if mark >= 85 else (COMMENTS_MID if mark >= 65 else COMMENTS_LOW)
    return ctx.pick(pool)


def _mark(ctx: DemoContext) -> int:
    """About normal around 80 (sum of three uniforms: cheaper than `gauss`)."""
    r = ctx.rng.random
    return max(35, min(100, int(80 + (r() + r() + r() - 1.5) * 18)))


def _weekday_between(ctx: DemoContext, start: date, end: date) -> date:
    day = ctx.day_between(start, end)
    if day.weekday() >= 5:
        day -= timedelta(days=day.weekday() - 4)
    return max(day, start)


class Academics:
    """Generates the academic record term by term."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        # (term, est) -> past events: (event_id, kind)
        self.events: dict[tuple[int, int], list[tuple[int, RepertoireEventKind]]] = {}
        self.enrolments = 0
        self._create_events()

    def _create_events(self) -> None:
        ctx = self.ctx
        for term in ctx.ref.terms:
            if term.index > CURRENT_TERM:
                continue
            for est in ctx.ref.establishments:
                past: list[tuple[int, RepertoireEventKind]] = []
                for kind, title, month, day in _EVENTS[term.season]:
                    held_on = date(term.starts_on.year, month, day)
                    event_id = ctx.new_id("repertoire_event")
                    venue = _VENUES[est.code][
                        0 if kind is not RepertoireEventKind.MASTERCLASS else 2
                    ]
                    if kind is RepertoireEventKind.CONCERT and term.season is Season.AUTUMN:
                        venue = _VENUES[est.code][1]
                    ctx.add(
                        "repertoire_event",
                        {
                            "id": event_id,
                            "kind": kind,
                            "title": f"{title} {held_on.year}",
                            "held_on": held_on,
                            "venue": venue,
                            "establishment_id": est.id,
                        },
                    )
                    if held_on < DEMO_TODAY:
                        past.append((event_id, kind))
                self.events[(term.index, est.index)] = past

    def enrol(self, student: StudentProfile, term_index: int) -> tuple[DisciplineInfo, ...]:
        """Enrol the student for the term; returns the disciplines to bill."""
        ctx = self.ctx
        term = ctx.ref.terms[term_index]
        disciplines = student.disciplines
        if term.season is Season.SUMMER:
            disciplines = disciplines[:1]
        for disc in disciplines:
            self._enrolment(student, term_index, disc)
        main = disciplines[0]
        if main.kind is not DisciplineKind.THEORY and ctx.rng.random() < 0.35:
            self._perform(student, term_index, main)
        return disciplines

    def _enrolment(self, student: StudentProfile, term_index: int, disc: DisciplineInfo) -> None:
        ctx = self.ctx
        rng = ctx.rng
        term = ctx.ref.terms[term_index]
        course_id = ctx.course_for(term_index, student.est, disc)
        if term_index == CURRENT_TERM:
            ctx.course_students.setdefault(course_id, []).append(student)
        enrolment_id = ctx.new_id("enrolment")
        self.enrolments += 1
        # Hour resolution: far fewer distinct instants to convert when storing.
        r = rng.random
        enrolled_at = at(term.issued_on - timedelta(days=3 + int(r() * 38)), 13 + int(r() * 8))
        confirmed = at(term.starts_on - timedelta(days=1 + int(r() * 10)), 13 + int(r() * 8))
        row: dict[str, object] = {
            "id": enrolment_id,
            "student_id": student.id,
            "course_id": course_id,
            "status": EnrolmentStatus.ACTIVE,
            "enrolled_at": enrolled_at,
            "dropped_at": None,
            "attendance_confirmed_at": confirmed,
            "final_mark": None,
            "teacher_comment": "",
        }
        last_day = min(term.ends_on, DEMO_TODAY - timedelta(days=1))
        if term_index < CURRENT_TERM:
            if rng.random() < 0.03:
                row["status"] = EnrolmentStatus.DROPPED
                row["dropped_at"] = at(term.starts_on + timedelta(days=ctx.randint(10, 40)), 15)
                ctx.add("enrolment", row)
                return
            final = _mark(ctx)
            row["status"] = EnrolmentStatus.COMPLETED
            row["final_mark"] = final
            row["teacher_comment"] = _comment(ctx, final)
            ctx.add("enrolment", row)
            if term_index >= CURRENT_TERM - 3:  # last school year: the final exam too
                self._evaluation(enrolment_id, term.ends_on - timedelta(days=ctx.randint(5, 12)),
                                 FINAL_TITLE, final, str(row["teacher_comment"]))  # fmt: skip
            roll = rng.random()
            absences = 0 if roll < 0.7 else (1 if roll < 0.92 else 2)
        else:
            if rng.random() < 0.08:
                row["attendance_confirmed_at"] = None
            ctx.add("enrolment", row)
            titles = EVALUATION_TITLES[disc.kind.value]
            for _ in range(ctx.randint(1, 3)):
                mark = _mark(ctx)
                held = _weekday_between(ctx, term.starts_on + timedelta(days=14), last_day)
                comment = _comment(ctx, mark) if rng.random() < 0.6 else ""
                self._evaluation(enrolment_id, held, ctx.pick(titles), mark, comment)
            roll = rng.random()
            absences = 0 if roll < 0.55 else (1 if roll < 0.82 else (2 if roll < 0.95 else 3))
        for _ in range(absences):
            justified = rng.random() < 0.65
            ctx.add(
                "absence",
                {
                    "id": ctx.new_id("absence"),
                    "enrolment_id": enrolment_id,
                    "absent_on": _weekday_between(ctx, term.starts_on, last_day),
                    "is_justified": justified,
                    "reason": ctx.pick(ABSENCE_JUSTIFIED if justified else ABSENCE_UNJUSTIFIED),
                },
            )

    def _evaluation(
        self, enrolment_id: int, held_on: date, title: str, mark: int, comment: str
    ) -> None:
        self.ctx.add(
            "evaluation",
            {
                "id": self.ctx.new_id("evaluation"),
                "enrolment_id": enrolment_id,
                "held_on": held_on,
                "title": title,
                "mark": mark,
                "comment": comment,
            },
        )

    def _perform(self, student: StudentProfile, term_index: int, main: DisciplineInfo) -> None:
        ctx = self.ctx
        events = self.events.get((term_index, student.est))
        works = WORKS.get(main.code)
        if not events or not works:
            return
        event_id, _kind = ctx.pick(events)
        composer, title = ctx.pick(works)
        ctx.add(
            "repertoire_work",
            {
                "id": ctx.new_id("repertoire_work"),
                "event_id": event_id,
                "student_id": student.id,
                "composer": composer,
                "title": title,
            },
        )
