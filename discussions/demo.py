"""Demo discussions for `lms demo`: a question in Sumedang's first session answered and
endorsed by the mentor and accepted by the asker, a cross-region exchange in the Studi Tiru
room about Sumedang's command center with a mention, and a question on a practice.

Idempotent: a space that already has threads is left alone. Runs after the demo accounts,
cohorts and practices exist (it finds them by their demo e-mail addresses and slugs)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from courses.models import CourseVersion, Module
from discussions import services
from discussions.models import Thread, ThreadKind
from discussions.policy import SpaceKind, SpaceRef
from lms.auth.models import User
from lms.cohorts.models import Cohort, Enrolment
from lms.extensions import db
from lms.models import utcnow
from lms.practices.models import Practice

DOMAIN = "@demo.livinglab.id"


def _user(local: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == local + DOMAIN))


def _cohort_of(user: User) -> Cohort | None:
    return db.session.scalar(
        select(Cohort)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(Enrolment.user_id == user.id, Cohort.course_version_id.is_not(None))
    )


def seed() -> None:
    """Create the demo threads once."""
    asker, peer = _user("peserta2"), _user("peserta1")  # Rina Marlina, Asep Saepudin (Sumedang)
    banyuwangi, makassar = _user("peserta6"), _user("peserta9")  # Dewi Lestari, Andi Baso
    mentor = _user("mentor1")
    if not all((asker, peer, banyuwangi, makassar, mentor)):
        return
    cohort = _cohort_of(asker)
    if cohort is None:
        return
    version = db.session.get(CourseVersion, cohort.course_version_id)
    modules = list(
        db.session.scalars(
            select(Module).where(Module.version_id == version.id).order_by(Module.position)
        )
    )
    if len(modules) < 4:
        return
    start = utcnow() - timedelta(days=3)
    _session_qa(cohort, modules[0], asker, peer, mentor, start)
    _forum(version.course_id, asker, banyuwangi, makassar, mentor, start)
    _practice(banyuwangi, start)
    db.session.flush()


def _empty(ref: SpaceRef) -> bool:
    space = services.space_of(ref)
    return space is None or not db.session.scalar(
        select(Thread.id).where(Thread.space_id == space.id).limit(1)
    )


def _session_qa(cohort, module, asker, peer, mentor, start) -> None:
    ref = SpaceRef(
        SpaceKind.MODULE,
        f"module:{cohort.id}:{module.slug}",
        f"{module.title} · {cohort.name}",
        cohort.id,
        module.slug,
        region_code=cohort.region_code,
    )
    if not _empty(ref):
        return
    thread = services.create_thread(
        ref,
        asker,
        services.ThreadInput(
            "Apa beda Perpres 95/2018 dan Perpres 132/2022 untuk pemda?",
            "Di materi disebut dua Perpres. Untuk menyusun kebijakan internal SPBE di "
            "kabupaten, mana yang jadi acuan utama? Apakah Arsitektur SPBE daerah wajib "
            "mengikuti Perpres 132/2022?",
            ThreadKind.QUESTION,
            indicator=1,
        ),
        [],
        start,
    )
    answer = services.reply(
        ref,
        thread,
        mentor,
        "Keduanya berlaku dan saling melengkapi:\n\n"
        "- **Perpres 95/2018** mengatur SPBE secara umum: tata kelola, manajemen, layanan, "
        "dan evaluasinya.\n"
        "- **Perpres 132/2022** khusus mengatur **Arsitektur SPBE Nasional**; Arsitektur "
        "SPBE Pemda harus mengacu kepadanya.\n\n"
        "Jadi Perbup tentang SPBE merujuk ke Perpres 95/2018, dan dokumen arsitektur "
        "kabupaten diselaraskan dengan Perpres 132/2022. Kita bahas contohnya di Sesi 4.",
        None,
        [],
        start + timedelta(hours=5),
    )
    services.reply(
        ref,
        thread,
        peer,
        "Terima kasih, Pak. Di Diskominfo kami, draf Perbup juga sudah merujuk keduanya.",
        answer.id,
        [],
        start + timedelta(hours=7),
    )
    services.endorse(ref, thread, answer, mentor, True)
    services.accept(thread, answer, asker, True)
    services.create_thread(
        ref,
        peer,
        services.ThreadInput(
            "Siapa yang sebaiknya menjadi ketua Tim Koordinasi SPBE?",
            "Apakah Sekda atau Kepala Diskominfo? Di daerah kami masih dibahas.",
            ThreadKind.QUESTION,
            indicator=20,
        ),
        [],
        start + timedelta(days=1),
    )


def _forum(course_id, asker, banyuwangi, makassar, mentor, start) -> None:
    ref = SpaceRef(SpaceKind.COURSE, f"course:{course_id}", "Ruang Studi Tiru", course_id=course_id)
    if not _empty(ref):
        return
    command_center = db.session.scalar(
        select(Practice.id).where(Practice.slug == "command-center-sumedang")
    )
    thread = services.create_thread(
        ref,
        banyuwangi,
        services.ThreadInput(
            "Belajar dari Command Center Sumedang: mulai dari data apa?",
            "Banyuwangi ingin meniru Command Center Sumedang, tetapi anggaran kami terbatas. "
            "Data apa yang paling dulu diintegrasikan agar pimpinan cepat merasakan manfaatnya?",
            ThreadKind.DISCUSSION,
            indicator=35,
            practice_id=command_center,
        ),
        [],
        start + timedelta(hours=2),
    )
    response = services.reply(
        ref,
        thread,
        asker,
        "Di Sumedang kami mulai dari **pengaduan warga** dan **data stunting**, karena "
        "keduanya dipantau langsung oleh Bupati setiap minggu. Dasbor pertama cukup dengan "
        "data yang sudah ada di OPD, belum perlu sensor. @[Dr. Rahmat Hidayat] mungkin bisa "
        "menambahkan dari sisi arsitektur data.",
        None,
        [],
        start + timedelta(hours=6),
    )
    services.reply(
        ref,
        thread,
        mentor,
        "Setuju. Petakan dulu sumber data dan pemiliknya (indikator 35), lalu sepakati "
        "format pertukaran datanya. Itu yang membuat dasbor bertahan setelah proyek selesai.",
        response.id,
        [],
        start + timedelta(hours=9),
    )
    services.reply(
        ref,
        thread,
        makassar,
        "Makassar punya pengalaman serupa lewat layanan darurat 112. Kami siap berbagi "
        "SOP integrasi datanya di pertemuan berikutnya.",
        None,
        [],
        start + timedelta(days=1),
    )


def _practice(asker, start) -> None:
    practice = db.session.scalar(
        select(Practice).where(Practice.slug == "smart-kampung-banyuwangi")
    )
    if practice is None:
        return
    ref = SpaceRef(
        SpaceKind.PRACTICE,
        f"practice:{practice.id}",
        practice.title,
        practice_id=practice.id,
        region_code=practice.region_code,
    )
    if not _empty(ref):
        return
    services.create_thread(
        ref,
        _user("peserta10") or asker,
        services.ThreadInput(
            "Bagaimana Smart Kampung menjaga jaringan desa tetap hidup?",
            "Siapa yang membiayai koneksi internet desa setelah tahun pertama: APBDes "
            "atau APBD kabupaten?",
            ThreadKind.QUESTION,
        ),
        [],
        start + timedelta(days=2),
    )
