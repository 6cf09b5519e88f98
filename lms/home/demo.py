"""An idempotent demo data set: three regions' cohorts on the shipped SPBE course, their
schedules, mentors, a coordinator and participants."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from lms.auth.models import Role, User
from lms.auth.services import set_password
from lms.cohorts.models import Cohort, Enrolment, cohort_mentor
from lms.extensions import db
from lms.regions.models import Region

DEMO_PASSWORD_SUFFIX = "-demo-2026"  # noqa: S105 (printed demo logins)

# (region code, cohort name, start, end, participant names)
COHORTS = [
    (
        "32.11",
        "Angkatan 1 Sumedang 2026",
        date(2026, 11, 2),
        date(2027, 2, 26),
        ["Asep Saepudin", "Rina Marlina", "Dedi Kurniawan", "Siti Nurhaliza"],
    ),
    (
        "35.10",
        "Angkatan 1 Banyuwangi 2026",
        date(2026, 11, 9),
        date(2027, 3, 5),
        ["Bambang Sutrisno", "Dewi Lestari", "Agus Salim", "Ni Made Ayu"],
    ),
    (
        "73.71",
        "Angkatan 1 Makassar 2026",
        date(2026, 11, 16),
        date(2027, 3, 12),
        ["Andi Baso", "Nurul Hidayah", "Muhammad Ilham", "Sitti Rahma"],
    ),
]
MENTORS = [
    ("mentor1@demo.livinglab.id", "Dr. Rahmat Hidayat", "Universitas Padjadjaran"),
    ("mentor2@demo.livinglab.id", "Dr. Maria Ulfa", "Universitas Hasanuddin"),
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


def load_demo() -> list[tuple[str, str, str]]:
    """Create what is missing, keep what exists; return (role, email, password) of each login."""
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
    for cohort_number, (code, cohort_name, start, end, names) in enumerate(COHORTS):
        cohort = db.session.scalar(
            select(Cohort).where(Cohort.region_code == code, Cohort.name == cohort_name)
        )
        if cohort is None:
            cohort = Cohort(region_code=code, name=cohort_name, start_date=start, end_date=end)
            db.session.add(cohort)
            db.session.flush()
            mentor = mentors[0] if cohort_number < 2 else mentors[1]
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
                db.session.add(Enrolment(cohort_id=cohort.id, user_id=user.id))
            logins.append(("participant", email, password_for(Role.PARTICIPANT)))
    db.session.flush()
    _demo_course(mentors)
    from lms.practices.seed import seed_practices

    seed_practices()
    from flask import current_app

    for seeder in current_app.extensions.get("lms.demo", []):
        seeder()  # components above the core add their own demo data (e.g. discussions)
    return logins


DEMO_COURSE = "spbe-dasar"


def _demo_course(mentors: list[User]) -> None:
    """Load the shipped SPBE course, put the demo cohorts on it, schedule their meetings,
    and record the first meeting's attendance in Sumedang so progress shows."""
    from courses import services as course_services
    from courses.meetings import services as meeting_services
    from courses.meetings.models import AttendanceStatus
    from lms import plugins

    registry = plugins.registry()
    from courses.package import load_with

    package, problems = load_with(registry, registry.course_packages[DEMO_COURSE])
    if package is None:
        raise RuntimeError(f"the shipped course {DEMO_COURSE} has problems: {problems}")
    version = course_services.import_package(package).version
    for cohort_number, (code, cohort_name, start, _end, _names) in enumerate(COHORTS):
        cohort = db.session.scalar(
            select(Cohort).where(Cohort.region_code == code, Cohort.name == cohort_name)
        )
        if cohort is None or cohort.course_version_id is not None:
            continue
        course_services.attach_cohort(cohort, version)
        region = db.session.get(Region, code)
        mentor = mentors[0] if cohort_number < 2 else mentors[1]
        meeting_services.generate_schedule(
            cohort,
            meeting_services.ScheduleInput(
                first_day=start + timedelta(days=2),
                start_time=time(9, 0),
                every_days=7,
                place="",
                online_url="https://meet.example.org/living-lab-" + code.replace(".", ""),
                mentor_id=mentor.id,
            ),
            region.timezone,
        )
        if cohort_number == 0:
            first = meeting_services.meetings_of(cohort.id)[0]
            roster = meeting_services.roster(cohort.id)
            statuses = {
                user.id: AttendanceStatus.ABSENT
                if i == len(roster) - 1
                else AttendanceStatus.PRESENT
                for i, (_enrolment, user) in enumerate(roster)
            }
            meeting_services.record_attendance(
                cohort, first, statuses, mentor.id, registry.activity_types
            )
