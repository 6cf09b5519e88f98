"""A deterministic national-scale dataset, written with bulk inserts (`lms bench generate`).

One cohort per kabupaten/kota (the first N by code) follows the shipped SPBE course. Each
has its participants, a mentor for every ten cohorts, a coordinator per region and one
admin. Every cohort has its schedule of meetings; the sessions held so far have
attendance, activity completions, pre-test, practice and post-test attempts (each
answer graded by the question type's own grader, so an attempt's score is the sum of its
answers' fractions times points), and assignment submissions with mentor reviews; the
latest ones wait in the mentors' grading queues.

Everything is drawn from `random.Random(seed)` and dated from a fixed start, so the same
arguments give the same accounts, answers and scores on SQLite and PostgreSQL. Rows are
written with `db.session.execute(insert(Model), rows)` in batches of `BATCH`; the function
only flushes, the caller commits. It needs a database without accounts or cohorts: run it
on a fresh one (migrated, with `lms regions load` done).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from random import Random
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from bench import (
    ADMIN_EMAIL,
    COURSE,
    PASSWORD,
    coordinator_email,
    mentor_email,
    participant_email,
)

BATCH = 5000
"""Rows per INSERT batch."""
START = date(2026, 9, 7)
"""The first cohorts start on this Monday; the others one to three weeks later."""
COHORTS_PER_MENTOR = 10
SAME_COLUMNS = {"render_nulls": True}
"""Send None as NULL: the ORM would otherwise drop None values and split a batch into
one INSERT per run of rows with the same columns."""

FIRST_NAMES = (
    "Agus",
    "Ahmad",
    "Andi",
    "Anisa",
    "Ayu",
    "Bambang",
    "Budi",
    "Dedi",
    "Dewi",
    "Dian",
    "Eka",
    "Fajar",
    "Fitri",
    "Hendra",
    "Indah",
    "Joko",
    "Kartika",
    "Lestari",
    "Made",
    "Muhammad",
    "Nur",
    "Putri",
    "Rahmat",
    "Rina",
    "Siti",
    "Sri",
    "Teguh",
    "Wahyu",
    "Yudi",
    "Yuni",
)
LAST_NAMES = (
    "Hidayat",
    "Kurniawan",
    "Lestari",
    "Marlina",
    "Nugroho",
    "Permana",
    "Pratama",
    "Purnomo",
    "Rahayu",
    "Saputra",
    "Setiawan",
    "Simanjuntak",
    "Siregar",
    "Susanto",
    "Sutrisno",
    "Syahputra",
    "Wibowo",
    "Wijaya",
    "Yulianti",
    "Zulkarnain",
)
WORK_UNITS = (
    "Dinas Komunikasi dan Informatika",
    "Bappeda",
    "Badan Kepegawaian dan Pengembangan SDM",
    "Inspektorat",
    "Sekretariat Daerah",
)
POSITIONS = (
    "Pranata Komputer Ahli Pertama",
    "Pranata Komputer Ahli Muda",
    "Analis Kebijakan",
    "Perencana Ahli Muda",
)
UNIVERSITIES = (
    "Universitas Padjadjaran",
    "Universitas Hasanuddin",
    "Universitas Gadjah Mada",
    "Institut Teknologi Sepuluh Nopember",
    "Universitas Sumatera Utara",
)
SENTENCES = (
    "Peta tindak lanjut disusun bersama bagian hukum dan dinas kominfo.",
    "Status setiap regulasi diperiksa pada JDIH daerah.",
    "Tiga kesenjangan terpenting dipilih berdasarkan prinsip keterpaduan dan kesinambungan.",
    "Penanggung jawab dan perkiraan waktu tindak lanjut dicantumkan untuk setiap usulan.",
    "Pemantauan peralihan menuju Indeks Pemerintah Digital dilakukan setiap triwulan.",
    "Data pendukung dilampirkan dalam lembar kerja terpisah.",
)
ATTENDANCE = (("present", 80), ("late", 7), ("excused", 5), ("absent", 8))
ATTENDED = {"present", "late", "excused"}


class BenchError(Exception):
    """The dataset cannot be generated here; the message says why and what to do."""


@dataclass
class Summary:
    counts: Counter[str]
    seconds: float
    password: str
    region_codes: list[str]
    participants_per_cohort: int
    emails: dict[str, list[str]] = field(default_factory=dict)
    """Some generated logins by role (the first of each)."""

    def lines(self) -> list[str]:
        width = max(len(k) for k in self.counts)
        rows = [f"  {name:<{width}} {n:>10,}" for name, n in self.counts.items()]
        return [
            f"Generated in {self.seconds:.1f} s:",
            *rows,
            f"Password of every generated account: {self.password}",
            *(f"  {role:<12} {', '.join(found)}" for role, found in self.emails.items()),
        ]


# --------------------------------------------------------------------------- writers


class Writer:
    """Buffers rows of one model and inserts them `BATCH` at a time."""

    def __init__(self, model: Any, counts: Counter[str]) -> None:
        self.model = model
        self.counts = counts
        self.rows: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        from lms.extensions import db

        if self.rows:
            db.session.execute(insert(self.model), self.rows, execution_options=SAME_COLUMNS)
            self.counts[self.model.__tablename__] += len(self.rows)
            self.rows = []


class ParentWriter(Writer):
    """Like Writer, for rows whose children need their ids: each row comes with the
    children's rows, which get `key` set to the new id and go to `child`."""

    def __init__(self, model: Any, counts: Counter[str], child: Writer, key: str) -> None:
        super().__init__(model, counts)
        self.child = child
        self.key = key
        self.children: list[list[dict[str, Any]]] = []

    def add_with(self, row: dict[str, Any], children: list[dict[str, Any]]) -> None:
        self.children.append(children)
        self.add(row)

    def flush(self) -> None:
        if not self.rows:
            return
        ids = insert_returning_ids(self.model, self.rows)
        self.counts[self.model.__tablename__] += len(self.rows)
        for new_id, children in zip(ids, self.children, strict=True):
            for child in children:
                child[self.key] = new_id
                self.child.add(child)
        self.rows, self.children = [], []


def insert_returning_ids(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert and return the new ids in the order of `rows` (SQLite and PostgreSQL)."""
    from lms.extensions import db

    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
        ids.extend(
            db.session.scalars(stmt, rows[start : start + BATCH], execution_options=SAME_COLUMNS)
        )
    return ids


# --------------------------------------------------------------------------- course


@dataclass
class Quiz:
    activity_id: int
    settings: Any
    pool: list[Any]
    """Questions an attempt is drawn from, in the engine's order (see choose_questions)."""

    def question_ids(self, seed: str) -> list[int]:
        rng = Random(seed)
        if self.settings.draw:
            return [q.id for q in rng.sample(self.pool, min(self.settings.draw, len(self.pool)))]
        ids = [q.id for q in self.pool]
        if self.settings.shuffle_questions:
            rng.shuffle(ids)
        return ids


@dataclass
class Assignment:
    activity_id: int
    settings: Any


@dataclass
class CourseModule:
    position: int
    slug: str
    title: str
    meeting_minutes: int | None
    reading: list[int] = field(default_factory=list)
    meeting: list[int] = field(default_factory=list)
    quizzes: dict[str, list[Quiz]] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    response: Any
    fraction: float
    feedback: str


@dataclass
class Grader:
    """Answers to choose from for each question, graded once by the question's own type."""

    points: dict[int, float]
    scored: dict[int, bool]
    manual: dict[int, bool]
    answers: dict[int, list[Answer]]
    best: dict[int, Answer]


def _candidates(kind: str, config: dict[str, Any]) -> list[Any]:
    """Plausible responses of each built-in type (canonical form); right ones included."""
    if kind == "single_choice":
        return list(range(len(config.get("options", []))))
    if kind == "true_false":
        return [True, False]
    if kind == "multiple_response":
        options = config.get("options", [])
        right = [i for i, o in enumerate(options) if o.get("correct") is True]
        found = [right, *([i] for i in range(len(options)))]
        if len(right) > 1:
            found.append(right[:-1])
        return found
    if kind == "short_answer":
        texts = [str(a.get("text", "")).replace("*", "").strip() for a in config.get("answers", [])]
        return [t for t in texts if t] + ["tidak tahu"]
    if kind == "numeric":
        return [str(a.get("value")) for a in config.get("answers", [])] + ["0"]
    if kind == "matching":
        n = len(config.get("pairs", []))
        return [
            {str(i): i for i in range(n)},
            {str(i): (i + 1) % n for i in range(n)},
            {str(i): (i if i % 2 else (i + 1) % n) for i in range(n)},
        ]
    if kind == "ordering":
        n = len(config.get("items", []))
        order = list(range(n))
        swapped = [1, 0, *order[2:]] if n > 1 else order
        return [order, swapped, order[::-1]]
    return [None]


def _grader(bank: list[Any], types: dict[str, Any]) -> Grader:
    grader = Grader({}, {}, {}, {}, {})
    for question in bank:
        qtype = types.get(question.type)
        grader.points[question.id] = question.points
        grader.scored[question.id] = qtype is not None and getattr(qtype, "scored", True)
        grader.manual[question.id] = bool(getattr(qtype, "manual", False))
        if not grader.scored[question.id] or grader.manual[question.id]:
            continue
        answers = []
        for response in _candidates(question.type, question.config):
            grade = qtype.grade(question.config, response)
            if grade is not None:
                answers.append(Answer(response, max(0.0, min(1.0, grade.fraction)), grade.feedback))
        if not answers:
            answers = [Answer(None, 0.0, "")]
        grader.answers[question.id] = answers
        grader.best[question.id] = max(answers, key=lambda a: a.fraction)
    return grader


def _load_course(version_id: int) -> tuple[list[CourseModule], Grader]:
    from courses import services as course_services
    from lms import plugins
    from quizzes import services as quiz_services
    from quizzes.activity import QuizSettings

    registry = plugins.registry()
    bank = quiz_services.bank_of(version_id)
    modules = course_services.modules_of(version_id)
    activities = course_services.activities_by_module(m.id for m in modules)
    found = []
    for module in modules:
        item = CourseModule(module.position, module.slug, module.title, module.meeting_minutes)
        for activity in activities[module.id]:
            config = course_services.decode_settings(activity.config)
            if activity.type == "reading":
                item.reading.append(activity.id)
            elif activity.type == "meeting":
                item.meeting.append(activity.id)
            elif activity.type == "quiz":
                settings = QuizSettings.from_config(config)
                if settings.questions:
                    by_key = {q.key: q for q in bank}
                    pool = [by_key[k] for k in settings.questions if k in by_key]
                else:
                    tag = settings.draw_tag or module.slug
                    pool = [q for q in bank if q.module_slug == tag or tag in q.tags]
                if pool:
                    item.quizzes.setdefault(settings.kind, []).append(
                        Quiz(activity.id, settings, pool)
                    )
            elif activity.type == "assignment":
                from assignments.activity import AssignmentSettings

                item.assignments.append(
                    Assignment(activity.id, AssignmentSettings.from_config(config))
                )
        found.append(item)
    return found, _grader(bank, registry.question_types)


# --------------------------------------------------------------------------- generate


def _at(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock(hour, 0), tzinfo=zone).astimezone(UTC)


def _check_empty() -> None:
    from lms.auth.models import User
    from lms.cohorts.models import Cohort
    from lms.extensions import db

    users = db.session.scalar(select(func.count(User.id)))
    cohorts = db.session.scalar(select(func.count(Cohort.id)))
    if users or cohorts:
        raise BenchError(
            f"The database already has {users} accounts and {cohorts} cohorts. Generate into "
            "a fresh database: delete the SQLite file (or create a new PostgreSQL database), "
            "then run `lms db upgrade` and `lms regions load` first."
        )


def generate(
    regions: int,
    participants: int,
    modules: int | None = None,
    attempts: int = 2,
    seed: int = 1,
    *,
    echo: Callable[[str], None] = print,
) -> Summary:
    """Generate the dataset (see the module's docstring); flushes, never commits.

    regions       cohorts, one for each of the first `regions` kabupaten/kota by code
    participants  participants per cohort
    modules       how many sessions the most advanced cohorts have held (default: all);
                  cohorts that started one to three weeks later have held fewer
    attempts      attempts at most per quiz and participant (never more than it allows)
    seed          the same seed gives the same data
    """
    from courses import services as course_services
    from lms import plugins
    from lms.auth.models import Role, User
    from lms.extensions import db
    from lms.regions.models import Region

    if regions < 1 or participants < 1 or attempts < 1:
        raise BenchError("--regions, --participants and --attempts must be at least 1.")
    if participants > 999:
        raise BenchError("At most 999 participants per cohort (their e-mails have 3 digits).")
    began = time.perf_counter()
    _check_empty()
    found = db.session.execute(
        select(Region.code, Region.name, Region.timezone).order_by(Region.code).limit(regions)
    ).all()
    if len(found) < regions:
        raise BenchError(
            f"Only {len(found)} kabupaten/kota are loaded; run `lms regions load` first "
            f"(there are 514)."
        )

    registry = plugins.registry()
    from courses.package import load_with

    package, problems = load_with(registry, registry.course_packages[COURSE])
    if package is None:
        raise BenchError(f"The shipped course {COURSE} has problems: {problems}")
    version = course_services.import_package(package).version
    course, grader = _load_course(version.id)
    held_max = len(course) if modules is None else max(1, min(modules, len(course)))
    echo(
        f"Course {COURSE} imported ({len(course)} sessions); generating {regions} cohorts "
        f"of {participants} participants, {held_max} sessions held at most, seed {seed}."
    )

    rng = Random(seed)
    counts: Counter[str] = Counter()
    from werkzeug.security import generate_password_hash

    password_hash = generate_password_hash(PASSWORD)  # hashed once, shared by every account
    created = datetime.combine(START - timedelta(days=30), clock(0, 0), tzinfo=UTC)

    def person(email: str, name: str, role: Role, **fields: Any) -> dict[str, Any]:
        row = {
            "email": email,
            "name": name,
            "role": role.value,
            "password_hash": password_hash,
            "region_code": None,
            "nip": None,
            "work_unit": None,
            "position": None,
            "institution": None,
            "locale": None,
            "timezone": None,
            "active": True,
            "session_version": 1,
            "calendar_token": None,
            "created_at": created,
            "last_login_at": None,
        }
        row.update(fields)
        return row

    def name() -> str:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

    # Staff: one admin, a mentor for every ten cohorts, a coordinator per region.
    mentor_count = math.ceil(regions / COHORTS_PER_MENTOR)
    staff = [person(ADMIN_EMAIL, "Admin Bench", Role.ADMIN)]
    staff += [
        person(
            mentor_email(n),
            f"Dr. {name()}",
            Role.MENTOR,
            institution=UNIVERSITIES[(n - 1) % len(UNIVERSITIES)],
        )
        for n in range(1, mentor_count + 1)
    ]
    staff += [
        person(
            coordinator_email(code),
            name(),
            Role.COORDINATOR,
            region_code=code,
            work_unit=WORK_UNITS[0],
        )
        for code, _name, _tz in found
    ]
    staff_ids = insert_returning_ids(User, staff)
    counts["user_account"] += len(staff)
    mentor_ids = staff_ids[1 : 1 + mentor_count]

    cohorts = _cohorts(found, version.id, mentor_ids, counts)
    meetings = _meetings(cohorts, course, held_max, rng, counts)

    ctx = _Context(rng, grader, course, attempts, counts)
    first_participant = ""
    step = max(1, BATCH // participants)
    for start in range(0, len(cohorts), step):
        chunk = cohorts[start : start + step]
        rows = []
        for cohort in chunk:
            for n in range(1, participants + 1):
                index = cohort.index * participants + n
                rows.append(
                    person(
                        participant_email(cohort.code, n),
                        name(),
                        Role.PARTICIPANT,
                        region_code=cohort.code,
                        work_unit=WORK_UNITS[index % len(WORK_UNITS)],
                        position=POSITIONS[index % len(POSITIONS)],
                    )
                )
        first_participant = first_participant or rows[0]["email"]
        user_ids = insert_returning_ids(User, rows)
        counts["user_account"] += len(rows)
        enrolments = [
            {
                "cohort_id": cohort.id,
                "user_id": user_ids[i * participants + n],
                "status": "active",
                "enrolled_at": _at(cohort.start - timedelta(days=7), 8, cohort.zone),
                "withdrawn_at": None,
            }
            for i, cohort in enumerate(chunk)
            for n in range(participants)
        ]
        from lms.cohorts.models import Enrolment

        enrolment_ids = insert_returning_ids(Enrolment, enrolments)
        counts["enrolment"] += len(enrolments)
        for i, cohort in enumerate(chunk):
            for n in range(participants):
                at = i * participants + n
                ctx.participant(cohort, meetings[cohort.id], enrolment_ids[at], user_ids[at])
        _discussions(chunk, user_ids, participants, course, rng, counts)
        echo(f"  {min(start + step, len(cohorts))}/{len(cohorts)} cohorts")
    ctx.flush()
    db.session.flush()

    order = [
        "user_account",
        "cohort",
        "cohort_mentor",
        "enrolment",
        "meeting",
        "attendance",
        "activity_completion",
        "quiz_attempt",
        "quiz_response",
        "submission",
        "review",
        "discussion_space",
        "discussion_thread",
        "discussion_post",
    ]
    ordered: Counter[str] = Counter({key: counts[key] for key in order if key in counts})
    return Summary(
        counts=ordered,
        seconds=time.perf_counter() - began,
        password=PASSWORD,
        region_codes=[code for code, _name, _tz in found],
        participants_per_cohort=participants,
        emails={
            "admin": [ADMIN_EMAIL],
            "mentor": [mentor_email(1)],
            "coordinator": [coordinator_email(found[0][0])],
            "participant": [first_participant],
        },
    )


THREADS_PER_SESSION = 3
"""Questions in each held session's Q&A, each with a mentor's answer and a peer's reply."""
QUESTIONS = [
    ("Bagaimana menyusun arsitektur SPBE daerah?", "Mohon contoh dokumen yang sudah jadi."),
    ("Siapa yang memimpin Tim Koordinasi SPBE?", "Sekda atau Kepala Diskominfo?"),
    ("Data apa yang pertama diintegrasikan?", "Anggaran kami terbatas tahun ini."),
    ("Bagaimana mengukur indeks SPBE?", "Indikator mana yang paling sulit dipenuhi?"),
]


def _discussions(
    chunk: list[_Cohort],
    user_ids: list[int],
    participants: int,
    course: list[CourseModule],
    rng: Random,
    counts: Counter[str],
) -> None:
    """Each held session's Q&A space of each cohort of `chunk`, THREADS_PER_SESSION
    answered questions in it (opening post, the mentor's endorsed answer, a peer's reply)."""
    from discussions.models import Post, Space, Thread

    spaces = [
        {
            "kind": "module",
            "key": f"module:{cohort.id}:{module.slug}",
            "cohort_id": cohort.id,
            "module_slug": module.slug,
            "course_id": None,
            "practice_id": None,
        }
        for cohort in chunk
        for module in course[: cohort.held]
    ]
    if not spaces:
        return
    space_ids = iter(insert_returning_ids(Space, spaces))
    counts["discussion_space"] += len(spaces)
    threads, people = [], []
    for i, cohort in enumerate(chunk):
        for module in course[: cohort.held]:
            space_id = next(space_ids)
            day = datetime.combine(START, clock(9, 0), tzinfo=UTC) + timedelta(
                days=7 * module.position
            )
            for t in range(THREADS_PER_SESSION):
                asker = user_ids[i * participants + rng.randrange(participants)]
                peer = user_ids[i * participants + rng.randrange(participants)]
                title, body = QUESTIONS[(module.position + t) % len(QUESTIONS)]
                threads.append(
                    {
                        "space_id": space_id,
                        "author_id": asker,
                        "kind": "question",
                        "title": title,
                        "indicator": None,
                        "practice_id": None,
                        "pinned": False,
                        "locked": False,
                        "hidden": False,
                        "reply_count": 2,
                        "answered": True,
                        "resolved": True,
                        "created_at": day,
                        "last_activity_at": day + timedelta(hours=5),
                    }
                )
                people.append((asker, peer, cohort.mentor_id, body, cohort.code))
    thread_ids = insert_returning_ids(Thread, threads)
    counts["discussion_thread"] += len(threads)
    posts = Writer(Post, counts)
    for thread_id, row, (asker, peer, mentor, body, code) in zip(
        thread_ids, threads, people, strict=True
    ):
        for hours, author, text, opening, endorsed in (
            (0, asker, body, True, None),
            (2, mentor, "Silakan lihat materi sesi ini dan contoh di Studi Tiru.", False, mentor),
            (5, peer, "Di daerah kami juga begitu; terima kasih penjelasannya.", False, None),
        ):
            posts.add(
                {
                    "thread_id": thread_id,
                    "parent_id": None,
                    "is_opening": opening,
                    "author_id": author,
                    "author_region_code": None if author == mentor else code,
                    "body": text,
                    "created_at": row["created_at"] + timedelta(hours=hours),
                    "edited_at": None,
                    "hidden": False,
                    "helpful_count": 0,
                    "endorsed_by_id": endorsed,
                    "accepted": False,
                }
            )
    posts.flush()


@dataclass
class _Cohort:
    index: int
    id: int
    code: str
    zone: ZoneInfo
    start: date
    held: int
    """Sessions whose meeting has taken place."""
    mentor_id: int


def _cohorts(
    found: list[Any], version_id: int, mentor_ids: list[int], counts: Counter[str]
) -> list[_Cohort]:
    """One cohort per region on the course (as `attach_cohort` would), with its mentor."""
    from lms.cohorts.models import Cohort, cohort_mentor
    from lms.extensions import db

    rows = []
    for index, (code, region_name, _tz) in enumerate(found):
        start = START + timedelta(weeks=index % 4)
        rows.append(
            {
                "region_code": code,
                "name": f"Angkatan Bench {region_name.title()}",
                "start_date": start,
                "end_date": start + timedelta(weeks=12),
                "created_at": datetime.combine(START - timedelta(days=21), clock(0), tzinfo=UTC),
                "course_version_id": version_id,
            }
        )
    ids = insert_returning_ids(Cohort, rows)
    counts["cohort"] += len(rows)
    db.session.execute(
        insert(cohort_mentor),
        [
            {"cohort_id": cohort_id, "user_id": mentor_ids[i // COHORTS_PER_MENTOR]}
            for i, cohort_id in enumerate(ids)
        ],
    )
    counts["cohort_mentor"] += len(ids)
    return [
        _Cohort(
            index=index,
            id=ids[index],
            code=code,
            zone=ZoneInfo(tz),
            start=rows[index]["start_date"],
            held=0,
            mentor_id=mentor_ids[index // COHORTS_PER_MENTOR],
        )
        for index, (code, _name, tz) in enumerate(found)
    ]


@dataclass
class _Meeting:
    id: int
    starts_at: datetime
    ends_at: datetime


def _meetings(
    cohorts: list[_Cohort],
    course: list[CourseModule],
    held_max: int,
    rng: Random,
    counts: Counter[str],
) -> dict[int, dict[str, _Meeting]]:
    """Each cohort's weekly schedule (as `generate_schedule` makes it); session notes on
    the meetings held so far."""
    from courses.meetings.models import Meeting

    rows, keys = [], []
    for cohort in cohorts:
        cohort.held = max(1, held_max - cohort.index % 4)
        for week, module in enumerate(m for m in course if m.meeting_minutes):
            starts = _at(cohort.start + timedelta(days=2 + 7 * week), 9, cohort.zone)
            held = module.position <= cohort.held
            notes = ""
            if held:
                notes = (
                    f"## Catatan sesi {module.position}\n\n"
                    f"- {rng.choice(SENTENCES)}\n- {rng.choice(SENTENCES)}\n"
                )
            rows.append(
                {
                    "cohort_id": cohort.id,
                    "module_slug": module.slug,
                    "starts_at": starts,
                    "duration_minutes": module.meeting_minutes,
                    "place": "",
                    "online_url": f"https://meet.example.org/bench-{cohort.code.replace('.', '')}",
                    "mentor_id": cohort.mentor_id,
                    "notes": notes,
                    "notes_updated_at": starts + timedelta(hours=3) if held else None,
                    "notes_by_id": cohort.mentor_id if held else None,
                    "created_at": datetime.combine(cohort.start, clock(0), tzinfo=UTC),
                }
            )
            keys.append((cohort.id, module.slug, starts, module.meeting_minutes))
    ids = insert_returning_ids(Meeting, rows)
    counts["meeting"] += len(rows)
    found: dict[int, dict[str, _Meeting]] = {c.id: {} for c in cohorts}
    for meeting_id, (cohort_id, slug, starts, minutes) in zip(ids, keys, strict=True):
        found[cohort_id][slug] = _Meeting(
            meeting_id, starts, starts + timedelta(minutes=minutes or 60)
        )
    return found


class _Context:
    """Simulates one participant at a time into the writers."""

    def __init__(
        self,
        rng: Random,
        grader: Grader,
        course: list[CourseModule],
        attempts: int,
        counts: Counter[str],
    ) -> None:
        from assignments.models import Review, Submission
        from courses.meetings.models import Attendance
        from courses.models import ActivityCompletion
        from quizzes.models import QuizAttempt, QuizResponse

        self.rng = rng
        self.grader = grader
        self.course = course
        self.attempts = attempts
        self.attendance = Writer(Attendance, counts)
        self.completions = Writer(ActivityCompletion, counts)
        self.responses = Writer(QuizResponse, counts)
        self.quiz_attempts = ParentWriter(QuizAttempt, counts, self.responses, "attempt_id")
        self.reviews = Writer(Review, counts)
        self.submissions = ParentWriter(Submission, counts, self.reviews, "submission_id")

    def flush(self) -> None:
        for writer in (
            self.attendance,
            self.completions,
            self.quiz_attempts,
            self.responses,
            self.submissions,
            self.reviews,
        ):
            writer.flush()

    def complete(self, enrolment_id: int, activity_id: int, at: datetime, source: str) -> None:
        self.completions.add(
            {
                "enrolment_id": enrolment_id,
                "activity_id": activity_id,
                "completed_at": at,
                "source": source,
            }
        )

    def participant(
        self,
        cohort: _Cohort,
        meetings: dict[str, _Meeting],
        enrolment_id: int,
        user_id: int,
    ) -> None:
        rng = self.rng
        ability = rng.betavariate(5, 2)
        lag = rng.choices((0, 1, 2, None), weights=(80, 12, 5, 3))[0]
        reached = 0 if lag is None else max(0, cohort.held - lag)
        for module in self.course:
            if module.position > cohort.held:
                break
            meeting = meetings.get(module.slug)
            when = (
                meeting.starts_at
                if meeting
                else _at(cohort.start + timedelta(weeks=module.position - 1), 9, cohort.zone)
            )
            if meeting is not None:
                status = rng.choices(
                    [s for s, _w in ATTENDANCE], weights=[w for _s, w in ATTENDANCE]
                )[0]
                self.attendance.add(
                    {
                        "meeting_id": meeting.id,
                        "user_id": user_id,
                        "status": status,
                        "recorded_by_id": cohort.mentor_id,
                        "recorded_at": meeting.ends_at,
                    }
                )
                if status in ATTENDED:
                    for activity_id in module.meeting:
                        self.complete(enrolment_id, activity_id, meeting.ends_at, "attendance")
            if module.position > reached:
                continue
            current = module.position == reached
            for activity_id in module.reading:
                at = when - timedelta(days=2, hours=rng.randint(0, 30))
                self.complete(enrolment_id, activity_id, at, "view")
            for quiz in module.quizzes.get("pre", []):
                self.quiz(quiz, enrolment_id, when - timedelta(days=1), 0.35 + 0.4 * ability)
            if not current or rng.random() < 0.5:
                for quiz in module.quizzes.get("practice", []):
                    self.quiz(quiz, enrolment_id, when + timedelta(days=1), 0.5 + 0.4 * ability)
            if not current or rng.random() < 0.3:
                for quiz in module.quizzes.get("post", []):
                    self.quiz(quiz, enrolment_id, when + timedelta(days=3), 0.55 + 0.4 * ability)
            for assignment in module.assignments:
                if not current or rng.random() < 0.6:
                    self.assignment(
                        assignment,
                        cohort,
                        enrolment_id,
                        when + timedelta(days=5, hours=rng.randint(0, 48)),
                        ability,
                        pending=current,
                    )

    # ------------------------------------------------------------------ quizzes

    def quiz(self, quiz: Quiz, enrolment_id: int, day: datetime, skill: float) -> None:
        from quizzes.services import passed, result_percent

        rng = self.rng
        settings = quiz.settings
        allowed = settings.attempts or self.attempts
        limit = min(allowed, self.attempts)
        wanted = rng.randint(1, limit) if settings.kind == "practice" else limit
        done: list[SimpleNamespace] = []
        for number in range(1, wanted + 1):
            started = day + timedelta(days=number - 1, minutes=rng.randint(0, 600))
            seed = f"{rng.getrandbits(64):016x}"
            question_ids = quiz.question_ids(seed)
            responses, score, maximum = self.answers(question_ids, started, skill)
            minutes = settings.time_limit_minutes or 30
            submitted = started + timedelta(seconds=rng.randint(120, minutes * 60))
            self.quiz_attempts.add_with(
                {
                    "activity_id": quiz.activity_id,
                    "enrolment_id": enrolment_id,
                    "number": number,
                    "status": "submitted",
                    "seed": seed,
                    "question_ids": question_ids,
                    "started_at": started,
                    "deadline_at": (
                        started + timedelta(minutes=settings.time_limit_minutes)
                        if settings.time_limit_minutes
                        else None
                    ),
                    "submitted_at": submitted,
                    "score": score,
                    "max_score": maximum,
                    "needs_grading": False,
                    "revision": 2 + rng.randint(0, 3),
                },
                responses,
            )
            done.append(
                SimpleNamespace(
                    status="submitted",
                    number=number,
                    percent=100.0 * score / maximum if maximum else None,
                )
            )
            skill = min(0.98, skill + 0.1)
            result = result_percent(settings, done)
            if settings.kind == "practice" and number == 1:
                self.complete(enrolment_id, quiz.activity_id, submitted, "quiz")
            elif settings.kind != "practice" and passed(settings, result):
                self.complete(enrolment_id, quiz.activity_id, submitted, "quiz")
                break

    def answers(
        self, question_ids: list[int], at: datetime, skill: float
    ) -> tuple[list[dict[str, Any]], float, float]:
        """One graded answer per scored slot; the score is the sum of fraction × points."""
        rng, grader = self.rng, self.grader
        rows, total, maximum = [], 0.0, 0.0
        for slot, question_id in enumerate(question_ids, start=1):
            if not grader.scored[question_id]:
                continue
            points = grader.points[question_id]
            maximum += points
            if grader.manual[question_id] or rng.random() < 0.03:
                answer = Answer(None, 0.0, "")  # unanswered: graded 0, as the engine does
            elif rng.random() < skill:
                answer = grader.best[question_id]
            else:
                answer = rng.choice(grader.answers[question_id])
            total += answer.fraction * points
            rows.append(
                {
                    "slot": slot,
                    "question_id": question_id,
                    "response": answer.response,
                    "fraction": answer.fraction,
                    "feedback": answer.feedback,
                    "comment": "",
                    "graded_by_id": None,
                    "graded_at": None,
                    "saved_at": at,
                }
            )
        return rows, round(total, 4), maximum

    # ------------------------------------------------------------------ assignments

    def assignment(
        self,
        assignment: Assignment,
        cohort: _Cohort,
        enrolment_id: int,
        at: datetime,
        ability: float,
        *,
        pending: bool,
    ) -> None:
        """Work on the current session waits for review (some reviews begun); earlier
        work was reviewed: graded and released, or returned once and graded after."""
        rng = self.rng
        settings = assignment.settings
        text = " ".join(rng.sample(SENTENCES, 4))
        if pending:
            if rng.random() < 0.15:  # a mentor has begun the review
                review = self.review(settings, cohort, at, ability, "draft", released=False)
                self.submission(assignment, enrolment_id, 1, text, at, "in_review", [review])
            else:
                self.submission(assignment, enrolment_id, 1, text, at, "submitted", [])
            return
        number = 1
        if settings.resubmissions and rng.random() < 0.12:
            returned = self.review(settings, cohort, at, ability * 0.6, "returned", released=True)
            self.submission(assignment, enrolment_id, 1, text, at, "returned", [returned])
            number, at = 2, at + timedelta(days=4)
            text += " " + rng.choice(SENTENCES)
        released = rng.random() < 0.9
        review = self.review(settings, cohort, at, ability, "graded", released=released)
        self.submission(assignment, enrolment_id, number, text, at, "graded", [review])
        percent = 100 * review["points"] / review["max_points"] if review["max_points"] else 0
        if released and review["max_points"] and percent + 1e-9 >= settings.pass_percent:
            self.complete(enrolment_id, assignment.activity_id, review["released_at"], "assignment")

    def submission(
        self,
        assignment: Assignment,
        enrolment_id: int,
        number: int,
        text: str,
        at: datetime,
        status: str,
        reviews: list[dict[str, Any]],
    ) -> None:
        self.submissions.add_with(
            {
                "activity_id": assignment.activity_id,
                "enrolment_id": enrolment_id,
                "number": number,
                "text": text,
                "status": status,
                "submitted_at": at,
                "late_days": 0,
            },
            reviews,
        )

    def review(
        self,
        settings: Any,
        cohort: _Cohort,
        submitted: datetime,
        ability: float,
        state: str,
        *,
        released: bool,
    ) -> dict[str, Any]:
        rng = self.rng
        levels: dict[str, int] = {}
        raw = 0.0
        if settings.rubric:
            for index, criterion in enumerate(settings.rubric):
                top = len(criterion.points) - 1
                level = max(0, min(top, round(top * ability + rng.uniform(-1, 0.6))))
                levels[str(index)] = level
                raw += criterion.points[level]
        else:
            raw = round(settings.points * min(1.0, ability + rng.uniform(-0.2, 0.1)), 1)
        at = submitted + timedelta(days=2, hours=rng.randint(0, 24))
        return {
            "grader_id": cohort.mentor_id,
            "state": state,
            "levels": levels,
            "raw_points": raw,
            "penalty_points": 0.0,
            "points": raw,
            "max_points": settings.max_points,
            "comment": rng.choice(SENTENCES),
            "released": released,
            "released_at": at if released else None,
            "version": 1,
            "updated_at": at,
        }
