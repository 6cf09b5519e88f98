"""The SPBE model and the maturity self-assessment rules, pinned (issue 18): every indicator's
name and weight as PermenPANRB 59/2020 lists them, the justification minimum, and which
assessments may be reviewed. Uses the app context (messages are translated)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from lms import spbe
from lms.maturity import services
from lms.maturity.models import AssessmentStatus
from lms.maturity.services import AssessmentError, compute_index, submission_problems

# (aspect, weight of each of its indicators = aspect weight / number of indicators, names)
EXPECTED = [
    (
        1,
        1.3,  # 13 / 10
        [
            "Kebijakan Internal Arsitektur SPBE",
            "Kebijakan Internal Peta Rencana SPBE",
            "Kebijakan Internal Manajemen Data",
            "Kebijakan Internal Pembangunan Aplikasi SPBE",
            "Kebijakan Internal Layanan Pusat Data",
            "Kebijakan Internal Layanan Jaringan Intra",
            "Kebijakan Internal Penggunaan Sistem Penghubung Layanan",
            "Kebijakan Internal Manajemen Keamanan Informasi",
            "Kebijakan Internal Audit TIK",
            "Kebijakan Internal Tim Koordinasi SPBE",
        ],
    ),
    (
        2,
        2.5,  # 10 / 4
        [
            "Arsitektur SPBE",
            "Peta Rencana SPBE",
            "Keterpaduan Rencana dan Anggaran SPBE",
            "Inovasi Proses Bisnis SPBE",
        ],
    ),
    (
        3,
        2.5,  # 10 / 4
        [
            "Pembangunan Aplikasi SPBE",
            "Layanan Pusat Data",
            "Layanan Jaringan Intra",
            "Penggunaan Sistem Penghubung Layanan",
        ],
    ),
    (4, 2.5, ["Pelaksanaan Tim Koordinasi SPBE", "Kolaborasi Penerapan SPBE"]),  # 5 / 2
    (
        5,
        1.5,  # 12 / 8
        [
            "Penerapan Manajemen Risiko SPBE",
            "Penerapan Manajemen Keamanan Informasi",
            "Penerapan Manajemen Data",
            "Penerapan Manajemen Aset TIK",
            "Penerapan Kompetensi Sumber Daya Manusia",
            "Penerapan Manajemen Pengetahuan",
            "Penerapan Manajemen Perubahan",
            "Penerapan Manajemen Layanan SPBE",
        ],
    ),
    (6, 1.5, ["Audit Infrastruktur SPBE", "Audit Aplikasi SPBE", "Audit Keamanan SPBE"]),
    (
        7,
        2.75,  # 27.5 / 10
        [
            "Layanan Perencanaan",
            "Layanan Penganggaran",
            "Layanan Keuangan",
            "Layanan Pengadaan Barang dan Jasa",
            "Layanan Kepegawaian",
            "Layanan Kearsipan Dinamis",
            "Layanan Pengelolaan Barang Milik Negara/Daerah",
            "Layanan Pengawasan Internal Pemerintah",
            "Layanan Akuntabilitas Kinerja Organisasi",
            "Layanan Kinerja Pegawai",
        ],
    ),
    (
        8,
        3.0,  # 18 / 6
        [
            "Layanan Pengaduan Pelayanan Publik",
            "Layanan Data Terbuka",
            "Layanan Jaringan Dokumentasi dan Informasi Hukum (JDIH)",
            "Layanan Publik Sektor 1",
            "Layanan Publik Sektor 2",
            "Layanan Publik Sektor 3",
        ],
    ),
]


def test_every_indicator_has_its_number_name_aspect_and_weight():
    expected = [
        (number, aspect, name, weight)
        for number, (aspect, weight, name) in enumerate(
            ((a, w, n) for a, w, names in EXPECTED for n in names), start=1
        )
    ]
    assert [(i.number, i.aspect, i.name, i.weight) for i in spbe.INDICATORS] == expected
    assert spbe.INDICATOR_BY_NUMBER[47].name == "Layanan Publik Sektor 3"
    assert spbe.domain_of(1).name == "Kebijakan Internal SPBE"
    assert spbe.domain_of(11).number == 2 and spbe.domain_of(21).number == 3
    assert spbe.domain_of(32).number == 4


def test_domain_and_aspect_weights():
    assert [(d.number, d.weight) for d in spbe.DOMAINS] == [
        (1, 13.0),
        (2, 25.0),
        (3, 16.5),
        (4, 45.5),
    ]
    assert [(a.number, a.domain, a.weight) for a in spbe.ASPECTS] == [
        (1, 1, 13.0),
        (2, 2, 10.0),
        (3, 2, 10.0),
        (4, 2, 5.0),
        (5, 3, 12.0),
        (6, 3, 4.5),
        (7, 4, 27.5),
        (8, 4, 18.0),
    ]


def test_a_heavy_and_a_light_indicator_weigh_as_the_regulation_says():
    # Indicator 1 (weight 1.3) at level 5 and indicator 47 (weight 3) at level 1:
    # (1.3 × 5 + 3 × 1) / (1.3 + 3) = 9.5 / 4.3 = 2.2093 → 2.21, "Cukup".
    result = compute_index({1: 5, 47: 1})
    assert result.index == 2.21 and result.predicate == "Cukup"
    # Indicator 32 (2.75) at 4 and 25 (1.5) at 2: (11 + 3) / 4.25 = 3.294 → 3.29, "Baik".
    assert compute_index({32: 4, 25: 2}).index == 3.29
    assert not compute_index({1: 5}).complete


@pytest.mark.parametrize(
    ("index", "name"),
    [
        (4.2, "Memuaskan"),
        (4.19, "Sangat Baik"),
        (3.5, "Sangat Baik"),
        (3.49, "Baik"),
        (2.6, "Baik"),
        (2.59, "Cukup"),
        (1.8, "Cukup"),
        (1.79, "Kurang"),
        (1.0, "Kurang"),
    ],
)
def test_predicate_bounds(index, name):
    assert spbe.predicate(index) == name


def _score(justification):
    return SimpleNamespace(level=3, justification=justification)


def test_a_justification_needs_three_words(app):
    with app.test_request_context():
        scores = {i.number: _score("Ada dokumen resmi") for i in spbe.INDICATORS}
        assert submission_problems(scores) == {}
        scores[5] = _score("Ada  dokumen")  # two words
        scores[9] = _score("  satu  dua\ntiga ")  # three words, whatever the spacing
        assert list(submission_problems(scores)) == ["justification-5"]
        del scores[47]
        problems = submission_problems(scores)
        assert list(problems) == ["justification-5", "level-47"]
        # What the coordinator reads next to each field (Indonesian, the app's language).
        assert problems["justification-5"] == (
            "Beri justifikasi tingkat ini paling sedikit 3 kata sebelum mengirim."
        )
        assert problems["level-47"] == "Pilih tingkat sebelum mengirim."


@pytest.mark.parametrize("status", [AssessmentStatus.DRAFT, AssessmentStatus.REVIEWED])
def test_only_a_submitted_assessment_can_be_reviewed(app, status):
    assessment = SimpleNamespace(status=status.value, review_comment="")
    with app.test_request_context(), pytest.raises(AssessmentError):
        services.review(assessment, SimpleNamespace(id=1), approve=True, comment="")
    assert assessment.status == status.value and assessment.review_comment == ""


def test_a_submitted_assessment_is_approved_or_sent_back(app, db):
    mentor = SimpleNamespace(id=7)
    with app.test_request_context():
        approved = SimpleNamespace(status=AssessmentStatus.SUBMITTED.value)
        services.review(approved, mentor, approve=True, comment="  Baik.  ")
        assert approved.status == AssessmentStatus.REVIEWED.value
        assert approved.review_comment == "Baik." and approved.reviewed_by_id == 7
        back = SimpleNamespace(status=AssessmentStatus.SUBMITTED.value)
        with pytest.raises(AssessmentError):
            services.review(back, mentor, approve=False, comment="  ")
        services.review(back, mentor, approve=False, comment="Lengkapi bukti.")
        assert back.status == AssessmentStatus.DRAFT.value


def test_review_messages_fields_and_the_comment_bound(app, db):
    """What the mentor is told, next to which field; 2,000 characters allowed, 2,001 not;
    the review is stamped with who and when."""
    mentor = SimpleNamespace(id=7)
    with app.test_request_context():
        draft = SimpleNamespace(status=AssessmentStatus.DRAFT.value)
        with pytest.raises(AssessmentError) as refused:
            services.review(draft, mentor, approve=True, comment="")
        assert (
            str(refused.value) == "Hanya penilaian mandiri yang sudah dikirim yang dapat ditinjau."
        )
        assert refused.value.field is None

        long = SimpleNamespace(status=AssessmentStatus.SUBMITTED.value)
        with pytest.raises(AssessmentError) as too_long:
            services.review(long, mentor, approve=False, comment="x" * 2001)
        assert too_long.value.field == "comment"
        assert str(too_long.value) == "Paling banyak 2000 karakter."
        assert long.status == AssessmentStatus.SUBMITTED.value

        with pytest.raises(AssessmentError) as empty:
            services.review(long, mentor, approve=False, comment=" \r\n ")
        assert empty.value.field == "comment" and str(empty.value).startswith("Tuliskan")

        services.review(long, mentor, approve=False, comment="y" * 1999 + "\r\n")
        assert long.status == AssessmentStatus.DRAFT.value
        assert long.review_comment == "y" * 1999 and long.reviewed_by_id == 7
        assert long.reviewed_at is not None and long.updated_at == long.reviewed_at

        exact = SimpleNamespace(status=AssessmentStatus.SUBMITTED.value)
        services.review(exact, mentor, approve=True, comment="z" * 2000)
        assert exact.status == AssessmentStatus.REVIEWED.value


def test_save_refuses_bad_levels_with_one_message_and_one_per_field(app):
    """A level 6 and a justification without level: nothing is saved (no database is
    reached), the form gets one summary and a message next to each indicator."""
    draft = SimpleNamespace(status=AssessmentStatus.DRAFT.value, revision=0)
    entries = {
        4: services.ScoreInput(6, "Ada dokumen resmi"),
        9: services.ScoreInput(None, "Tanpa tingkat"),
    }
    with app.test_request_context(), pytest.raises(services.ScoreErrors) as refused:
        services.save_scores(draft, entries)
    assert str(refused.value) == (
        "Perbaiki indikator yang ditandai di bawah; belum ada yang disimpan."
    )
    assert refused.value.problems == {
        "level-4": "Pilih tingkat dari 1 sampai 5.",
        "level-9": "Pilih tingkat agar justifikasi ini dapat disimpan.",
    }
    assert draft.revision == 0


def test_the_weakest_ties_go_heavier_first_then_by_number():
    # Level 1 everywhere: indicator 47 weighs 3.0, indicators 2 and 3 weigh 1.3 each, so
    # 47 first, then 2 before 3 whatever order they were given in; level 2 comes after.
    levels = {3: 1, 11: 2, 2: 1, 47: 1}
    assert services.weakest(levels) == [(47, 1), (2, 1), (3, 1), (11, 2)]
    assert services.weakest(levels, limit=2) == [(47, 1), (2, 1)]


def test_save_refuses_a_stale_form_and_an_unknown_indicator_with_their_messages(app):
    draft = SimpleNamespace(status=AssessmentStatus.DRAFT.value, revision=3)
    good = services.ScoreInput(4, "Ada dokumen resmi")
    with app.test_request_context():
        with pytest.raises(services.StaleAssessment) as stale:
            services.save_scores(draft, {1: good}, revision=2)
        assert str(stale.value) == (
            "Penilaian mandiri ini sudah disimpan orang lain sejak halaman ini dibuka "
            "(mungkin Anda sendiri, di tab lain). Tidak ada yang disimpan: teks Anda "
            "tetap ada di bawah; salin yang diperlukan, lalu muat ulang halaman."
        )
        with pytest.raises(AssessmentError) as unknown:
            services.save_scores(draft, {48: good}, revision=3)
        assert str(unknown.value) == "Indikator 48 tidak dikenal."
    assert draft.revision == 3


def test_the_justification_bound_counts_the_text_as_stored(app):
    """2,000 characters allowed once trimmed and with a Windows line break counted as one;
    2,001 refused. A level 6 makes the save fail, so the whole verdict shows."""
    draft = SimpleNamespace(status=AssessmentStatus.DRAFT.value, revision=0)
    entries = {
        1: services.ScoreInput(6, "Ada dokumen resmi"),
        2: services.ScoreInput(3, "x" * 1998 + "\r\n" + "y"),  # 2,000 as stored
        3: services.ScoreInput(3, "  " + "z" * 2000 + "  "),  # 2,000 once trimmed
        4: services.ScoreInput(3, "z" * 2001),
    }
    with app.test_request_context(), pytest.raises(services.ScoreErrors) as refused:
        services.save_scores(draft, entries)
    assert refused.value.problems == {
        "level-1": "Pilih tingkat dari 1 sampai 5.",
        "justification-4": "Paling banyak 2000 karakter.",
    }


def test_a_submitted_assessment_cannot_be_saved_again(app):
    submitted = SimpleNamespace(status=AssessmentStatus.SUBMITTED.value, revision=4)
    with app.test_request_context(), pytest.raises(AssessmentError) as refused:
        services.save_scores(submitted, {1: services.ScoreInput(5, "Ada dokumen resmi")})
    assert str(refused.value) == "Penilaian mandiri ini sudah dikirim dan tidak dapat diubah lagi."
    assert submitted.revision == 4


def test_a_wrong_indicator_or_level_is_named_in_the_error():
    with pytest.raises(ValueError, match=r"^unknown SPBE indicator 48$"):
        compute_index({1: 3, 48: 3})
    with pytest.raises(ValueError, match=r"^indicator 3: level 6 is not 1-5$"):
        compute_index({1: 3, 3: 6})
