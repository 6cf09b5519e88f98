"""An idempotent demo data set: three regions' cohorts on the shipped SPBE course, their
schedules, mentors, a coordinator and participants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from lms.auth.models import Role, User
from lms.auth.services import set_password
from lms.cohorts.models import Cohort, Enrolment, cohort_mentor
from lms.extensions import db
from lms.regions.models import Region

DEMO_PASSWORD_SUFFIX = "-demo-2026"  # noqa: S105 (printed demo logins)

# (region code, cohort name, weeks since it started, mentor (index), participant names):
# six regions in five provinces and the three time zones (WIB, WITA, WIT), at different weeks
# of the course; Sumedang has finished it.
COHORTS = [
    (
        "32.11",
        "Angkatan 1 Sumedang 2026",
        14,
        0,
        [
            "Asep Saepudin",
            "Rina Marlina",
            "Dedi Kurniawan",
            "Siti Nurhaliza",
            "Ujang Rohman",
            "Euis Komariah",
        ],
    ),
    (
        "35.10",
        "Angkatan 1 Banyuwangi 2026",
        7,
        0,
        [
            "Bambang Sutrisno",
            "Dewi Lestari",
            "Agus Salim",
            "Ni Made Ayu",
            "Slamet Riyadi",
            "Endang Susilowati",
        ],
    ),
    (
        "73.71",
        "Angkatan 1 Makassar 2026",
        5,
        1,
        [
            "Andi Baso",
            "Nurul Hidayah",
            "Muhammad Ilham",
            "Sitti Rahma",
            "Andi Tenri",
            "Syamsul Bahri",
        ],
    ),
    (
        "51.03",
        "Angkatan 1 Badung 2026",
        3,
        1,
        [
            "I Wayan Sudarma",
            "Ni Luh Putu Ariani",
            "I Ketut Suarjana",
            "Ni Kadek Dwi",
            "I Made Wirawan",
            "Ni Komang Sari",
        ],
    ),
    (
        "91.71",
        "Angkatan 1 Kota Jayapura 2026",
        2,
        2,
        [
            "Yohanis Wenda",
            "Maria Kareth",
            "Daniel Mambrasar",
            "Ester Rumbiak",
            "Otto Itaar",
            "Selvi Ohee",
        ],
    ),
    (
        "81.71",
        "Angkatan 1 Kota Ambon 2026",
        1,
        2,
        [
            "Johan Latuheru",
            "Grace Pattinama",
            "Ahmad Tuasikal",
            "Nona Sahetapy",
            "Rudi Leiwakabessy",
            "Fatma Tuanaya",
        ],
    ),
]
COURSE_WEEKS = 16
MENTORS = [
    ("mentor1@demo.livinglab.id", "Dr. Rahmat Hidayat", "Universitas Padjadjaran"),
    ("mentor2@demo.livinglab.id", "Dr. Maria Ulfa", "Universitas Hasanuddin"),
    ("mentor3@demo.livinglab.id", "Dr. Yosef Rumaseb", "Universitas Cenderawasih"),
]
WORK_UNITS = [
    "Dinas Komunikasi dan Informatika",
    "Bappeda",
    "Badan Kepegawaian dan Pengembangan SDM",
    "Inspektorat",
]
POSITIONS = [
    "Pranata Komputer Ahli Pertama",
    "Analis Kebijakan",
    "Perencana Ahli Muda",
    "Pranata Komputer Ahli Muda",
]


def _nip(index: int) -> str:
    """A structurally valid, deterministic demo NIP."""
    birth = f"19{80 + index % 15:02d}{1 + index % 12:02d}{1 + index % 28:02d}"
    appointed = f"20{10 + index % 10:02d}{1 + (index * 5) % 12:02d}"
    return f"{birth}{appointed}{1 + index % 2}{index:03d}"


def _account(email: str, name: str, role: Role, password: str, **fields: object) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, role=role.value, **fields)
        set_password(user, password)
        db.session.add(user)
        db.session.flush()
    return user


def load_demo(today: date | None = None) -> list[tuple[str, str, str]]:
    """Create what is missing, keep what exists; return (role, email, password) of each login.

    Cohorts are dated from the Monday of `today`'s week (default: the current one), and a
    cohort created now has its sessions so far played (lms/home/demo_activity.py)."""
    from lms.home.demo_activity import week_start

    monday = week_start(today or datetime.now(UTC).date())
    logins: list[tuple[str, str, str]] = []

    def password_for(role: Role) -> str:
        return f"{role.value}{DEMO_PASSWORD_SUFFIX}"

    _account("admin@demo.livinglab.id", "Admin Living Lab", Role.ADMIN, password_for(Role.ADMIN))
    logins.append(("admin", "admin@demo.livinglab.id", password_for(Role.ADMIN)))

    mentors = []
    for email, name, institution in MENTORS:
        mentors.append(
            _account(email, name, Role.MENTOR, password_for(Role.MENTOR), institution=institution)
        )
        logins.append(("mentor", email, password_for(Role.MENTOR)))

    _account(
        "koordinator.sumedang@demo.livinglab.id",
        "Yudi Permana",
        Role.COORDINATOR,
        password_for(Role.COORDINATOR),
        region_code="32.11",
        work_unit="Dinas Komunikasi dan Informatika",
    )
    logins.append(
        ("coordinator", "koordinator.sumedang@demo.livinglab.id", password_for(Role.COORDINATOR))
    )

    index = 0
    for code, cohort_name, weeks, mentor_index, names in COHORTS:
        cohort = db.session.scalar(
            select(Cohort).where(Cohort.region_code == code, Cohort.name == cohort_name)
        )
        if cohort is None:
            start = monday - timedelta(weeks=weeks)
            end = start + timedelta(weeks=COURSE_WEEKS) - timedelta(days=3)
            cohort = Cohort(region_code=code, name=cohort_name, start_date=start, end_date=end)
            db.session.add(cohort)
            db.session.flush()
            mentor = mentors[mentor_index]
            db.session.execute(
                cohort_mentor.insert().values(cohort_id=cohort.id, user_id=mentor.id)
            )
        for name in names:
            index += 1
            email = f"peserta{index}@demo.livinglab.id"
            user = _account(
                email,
                name,
                Role.PARTICIPANT,
                password_for(Role.PARTICIPANT),
                region_code=code,
                nip=_nip(index),
                work_unit=WORK_UNITS[index % len(WORK_UNITS)],
                position=POSITIONS[index % len(POSITIONS)],
            )
            exists = db.session.scalar(
                select(Enrolment.id).where(
                    Enrolment.cohort_id == cohort.id, Enrolment.user_id == user.id
                )
            )
            if exists is None:
                enrolled = datetime.combine(cohort.start_date, time(9), tzinfo=UTC)
                db.session.add(
                    Enrolment(
                        cohort_id=cohort.id,
                        user_id=user.id,
                        enrolled_at=enrolled - timedelta(days=7),  # a week before it starts
                    )
                )
            logins.append(("participant", email, password_for(Role.PARTICIPANT)))
    db.session.flush()
    from lms.practices.seed import seed_practices

    seed_practices()
    _demo_course(mentors)
    from flask import current_app

    for seeder in current_app.extensions.get("lms.demo", []):
        seeder()  # components above the core add their own demo data (e.g. discussions)
    return logins


DEMO_COURSE = "spbe-dasar"


def _demo_course(mentors: list[User]) -> None:
    """Load the shipped SPBE course and put each new demo cohort on it: its schedule, the
    sessions held so far, its SPBE self-assessments; then practices adapted from others."""
    from courses import services as course_services
    from courses.meetings import services as meeting_services
    from lms import plugins
    from lms.home.demo_activity import bring_to_life, self_assessments

    registry = plugins.registry()
    from courses.package import load_with

    package, problems = load_with(registry, registry.course_packages[DEMO_COURSE])
    if package is None:
        raise RuntimeError(f"the shipped course {DEMO_COURSE} has problems: {problems}")
    version = course_services.import_package(package).version
    coordinator = db.session.scalar(
        select(User).where(User.email == "koordinator.sumedang@demo.livinglab.id")
    )
    now = datetime.now(UTC)
    for code, cohort_name, weeks, mentor_index, _names in COHORTS:
        cohort = db.session.scalar(
            select(Cohort).where(Cohort.region_code == code, Cohort.name == cohort_name)
        )
        if cohort is None or cohort.course_version_id is not None:
            continue
        course_services.attach_cohort(cohort, version)
        region = db.session.get(Region, code)
        mentor = mentors[mentor_index]
        meeting_services.generate_schedule(
            cohort,
            meeting_services.ScheduleInput(
                first_day=cohort.start_date + timedelta(days=2),
                start_time=time(9, 0),
                every_days=7,
                place="",
                online_url="https://meet.example.org/living-lab-" + code.replace(".", ""),
                mentor_id=mentor.id,
            ),
            region.timezone,
        )
        bring_to_life(cohort, mentor, now)
        self_assessments(cohort, coordinator, mentor, finished=weeks >= 14)
    from lms.home.demo_activity import adapted_practices

    adapted_practices(mentors[0])
