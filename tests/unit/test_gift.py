"""GIFT import and export: every type, Moodle's rules, problems with lines, round trips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quizzes.formats import FormatProblem, ImportedQuestion, gift
from quizzes.types.description import Description
from quizzes.types.essay import Essay
from quizzes.types.matching import Matching
from quizzes.types.multiple_response import MultipleResponse
from quizzes.types.numeric import Numeric
from quizzes.types.ordering import Ordering
from quizzes.types.short_answer import ShortAnswer
from quizzes.types.single_choice import SingleChoice
from quizzes.types.true_false import TrueFalse

DATA = Path(__file__).parent / "data"
TYPE_CLASSES = (
    SingleChoice,
    MultipleResponse,
    TrueFalse,
    ShortAnswer,
    Numeric,
    Matching,
    Ordering,
    Essay,
    Description,
)
TYPES: dict[str, Any] = {cls.name: cls() for cls in TYPE_CLASSES}


def parse_ok(text: str) -> list[ImportedQuestion]:
    questions, problems = gift.parse(text, TYPES)
    assert problems == []
    return questions


def one(text: str) -> ImportedQuestion:
    questions = parse_ok(text)
    assert len(questions) == 1
    return questions[0]


def core(q: ImportedQuestion) -> tuple[Any, ...]:
    return (q.name, q.type, q.text, q.points, q.config, q.feedback)


# --- a realistic file --------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> dict[str, ImportedQuestion]:
    questions = parse_ok((DATA / "sample.gift.txt").read_text(encoding="utf-8"))
    return {q.name: q for q in questions}


def test_sample_reads_every_question_with_its_type_and_line(
    sample: dict[str, ImportedQuestion],
) -> None:
    assert [(q.name, q.type, q.line) for q in sample.values()] == [
        ("Dasar hukum SPBE", "single_choice", 6),
        ("Domain SPBE", "multiple_response", 14),
        ("Indeks SPBE", "true_false", 21),
        ("Arsitektur", "true_false", 23),
        ("Singkatan", "short_answer", 26),
        ("Tahun", "numeric", 32),
        ("Rentang", "numeric", 34),
        ("Pi", "numeric", 36),
        ("Pasangan", "matching", 44),
        ("Refleksi", "essay", 52),
        ("Pengantar", "description", 55),
        ("Tata kelola SPBE oleh Tim Koordinasi {TK}: rasio 1:2, skor =", "single_choice", 58),
    ]


def test_single_choice_with_partial_credit_and_feedback(
    sample: dict[str, ImportedQuestion],
) -> None:
    q = sample["Dasar hukum SPBE"]
    assert q.text == "Peraturan apa yang menjadi dasar hukum SPBE?"
    assert q.points == 1
    assert q.config == {
        "options": [
            {
                "text": "Perpres 95/2018",
                "fraction": 1.0,
                "feedback": "Benar, Perpres Nomor 95 Tahun 2018.",
            },
            {
                "text": "PP 71/2019",
                "fraction": 0.5,
                "feedback": "Sebagian: itu tentang sistem elektronik.",
            },
            {
                "text": "UU 14/2008",
                "fraction": 0.0,
                "feedback": "Itu tentang keterbukaan informasi.",
            },
        ]
    }
    assert q.feedback == "Perpres 95/2018 mengatur Sistem Pemerintahan Berbasis Elektronik."


def test_multiple_response_from_percentages_with_penalty(
    sample: dict[str, ImportedQuestion],
) -> None:
    q = sample["Domain SPBE"]
    assert q.text == "Pilih **semua** domain SPBE."  # [markdown] kept as it is
    assert q.config == {
        "options": [
            {"text": "Kebijakan internal", "correct": True},
            {"text": "Tata kelola", "correct": True},
            {"text": "Pemasaran", "correct": False, "feedback": "Bukan domain SPBE."},
        ],
        "penalty": True,
    }


def test_multiple_response_without_negative_weights_has_no_penalty() -> None:
    q = one("Pilih dua.{~%50%a ~%50%b ~c}")
    assert q.type == "multiple_response"
    assert q.config == {
        "options": [
            {"text": "a", "correct": True},
            {"text": "b", "correct": True},
            {"text": "c", "correct": False},
        ]
    }


def test_true_false_feedback_follows_moodle_wrong_then_right(
    sample: dict[str, ImportedQuestion],
) -> None:
    # {TRUE#wrong#right}: a participant answering false is wrong.
    assert sample["Indeks SPBE"].config == {
        "answer": True,
        "feedback_true": "Betul.",
        "feedback_false": "Coba lagi.",
    }
    # {F#wrong#right}: a participant answering true is wrong.
    assert sample["Arsitektur"].config == {
        "answer": False,
        "feedback_true": "Salah, daerah juga.",
        "feedback_false": "Betul, bukan hanya pusat.",
    }


@pytest.mark.parametrize(("mark", "answer"), [("T", True), ("TRUE", True), ("F", False)])
def test_true_false_short_forms(mark: str, answer: bool) -> None:
    assert one(f"Benar?{{{mark}}}").config == {"answer": answer}


def test_short_answer_with_partial_credit(sample: dict[str, ImportedQuestion]) -> None:
    assert sample["Singkatan"].config == {
        "answers": [
            {
                "text": "Sistem Pemerintahan Berbasis Elektronik",
                "fraction": 1.0,
                "feedback": "Tepat.",
            },
            {
                "text": "Sistem Pemerintahan Berbasis Elektronika",
                "fraction": 0.5,
                "feedback": "Hampir.",
            },
        ]
    }


def test_numeric_value_range_and_several_answers(sample: dict[str, ImportedQuestion]) -> None:
    assert sample["Tahun"].config == {"answers": [{"value": 2018.0, "fraction": 1.0}]}
    assert sample["Rentang"].config == {
        "answers": [{"value": 3.0, "tolerance": 2.0, "fraction": 1.0}]
    }
    assert sample["Pi"].config == {
        "answers": [
            {"value": 3.14, "tolerance": 0.005, "fraction": 1.0, "feedback": "Tepat."},
            {"value": 3.1, "tolerance": 0.05, "fraction": 0.5, "feedback": "Kurang teliti."},
        ]
    }


def test_numeric_moodle_forms() -> None:
    assert one("Berapa?{#=3:0 =%50%3.5:0.5}").config == {
        "answers": [
            {"value": 3.0, "fraction": 1.0},
            {"value": 3.5, "tolerance": 0.5, "fraction": 0.5},
        ]
    }
    assert one("Suhu?{#-5..-1}").config == {
        "answers": [{"value": -3.0, "tolerance": 2.0, "fraction": 1.0}]
    }
    assert one("Kecil?{#1e-3:1e-4#Bagus}").config == {
        "answers": [{"value": 0.001, "tolerance": 0.0001, "fraction": 1.0, "feedback": "Bagus"}]
    }


def test_matching_with_distractor(sample: dict[str, ImportedQuestion]) -> None:
    assert sample["Pasangan"].config == {
        "pairs": [
            {"prompt": "SPBE", "answer": "Sistem Pemerintahan Berbasis Elektronik"},
            {"prompt": "TIK", "answer": "Teknologi Informasi dan Komunikasi"},
            {"prompt": "API", "answer": "Application Programming Interface"},
        ],
        "distractors": ["Aplikasi Pelayanan Internal"],
    }


def test_matching_accepts_two_pairs() -> None:
    q = one("Pasangkan.{=a -> 1 =b -> 2}")
    assert q.config == {"pairs": [{"prompt": "a", "answer": "1"}, {"prompt": "b", "answer": "2"}]}


def test_essay_description_and_points(sample: dict[str, ImportedQuestion]) -> None:
    essay = sample["Refleksi"]
    assert (essay.config, essay.feedback, essay.points) == ({}, "Mentor menilai jawaban ini.", 1)
    description = sample["Pengantar"]
    assert description.config == {}
    assert description.points == 0
    assert description.text == "Bagian berikut membahas **tata kelola**."  # [html] converted


def test_missing_word_escapes_and_default_name(sample: dict[str, ImportedQuestion]) -> None:
    q = sample["Tata kelola SPBE oleh Tim Koordinasi {TK}: rasio 1:2, skor ="]
    assert q.text == (
        "Tata kelola SPBE _____ oleh Tim Koordinasi {TK}: rasio 1:2, skor = 100%, tanda ~ dan #."
    )
    assert q.config == {
        "options": [{"text": "dipimpin", "fraction": 1.0}, {"text": "ditiadakan", "fraction": 0.0}]
    }


def test_categories_become_the_tag_of_the_questions_after_them(
    sample: dict[str, ImportedQuestion],
) -> None:
    assert sample["Dasar hukum SPBE"].tags == ("Modul 1/Dasar hukum",)
    assert sample["Pi"].tags == ("Modul 1/Dasar hukum",)
    assert sample["Pasangan"].tags == ("Modul 2",)
    assert one("::a:: Tanpa kategori {T}").tags == ()


def test_escaped_newline_backslash_and_comment_inside_a_question() -> None:
    q = one(
        "// komentar di atas\n"
        "::Baris::Baris satu\\nbaris dua, garis miring \\\\ tetap.{\n"
        "// komentar di tengah\n"
        "=ya ~tidak}"
    )
    assert q.text == "Baris satu\nbaris dua, garis miring \\ tetap."
    assert q.line == 2
    assert [o["text"] for o in q.config["options"]] == ["ya", "tidak"]


def test_text_formats() -> None:
    html = one("::h::[html]<p>2 * 3 <b>tebal</b><br>baris</p>{T}")
    assert html.text == "2 \\* 3 **tebal**\nbaris"
    plain = one("::p::[plain]2 * 3 <b>{T}")
    assert plain.text == "2 \\* 3 &lt;b>"  # shown as typed: Markdown and HTML escaped
    markdown = one("::m::[markdown]*miring* dan `kode`{T}")
    assert markdown.text == "*miring* dan `kode`"
    # Answers and feedback take the question's format unless they name their own.
    q = one("::o::[html]Pilih<br>satu{=<i>ya</i>#<b>bagus</b> ~[plain]<i>tidak</i>}")
    assert q.config["options"] == [
        {"text": "ya", "fraction": 1.0, "feedback": "**bagus**"},
        {"text": "<i>tidak</i>", "fraction": 0.0},
    ]


def test_windows_line_endings_and_bom() -> None:
    questions = parse_ok("\ufeff::a::Satu?{T}\r\n\r\n::b::Dua?{F}\r\n")
    assert [(q.name, q.line) for q in questions] == [("a", 1), ("b", 3)]


# --- problems ----------------------------------------------------------------------------

MALFORMED = """\
::Buka:: Kurung tidak ditutup {=a ~b

::Dua blok:: Satu {=a ~b} dua {=c}

::Tanpa benar:: Tidak ada jawaban benar {~a ~b}

::Persen:: Persentase rusak {
    =benar
    ~%abc%salah
}

::Angka:: Bukan angka {#
    =3.14:0.01
    =tiga:1
}

::Koma:: Desimal koma {#3,5}

::Rentang:: Terbalik {#5..1}

::Kosong:: Jawaban kosong {=}

::Tutup:: Kurung tutup saja }

::Bagus:: Pertanyaan ini benar {=ya ~tidak}

::Nama tanpa penutup {T}

::Jenis:: Tidak jelas {x y}

::Terlalu:: Persen di atas seratus {=%150%x}

::Cocok:: Setengah pasangan {=a -> b =c}
"""


def test_malformed_file_reports_every_problem_with_its_line() -> None:
    questions, problems = gift.parse(MALFORMED, TYPES)
    found = [(p.where, p.message) for p in problems]
    expected = [
        ("line 1", "'{' is never closed"),
        ("line 3", "more than one answer block"),
        ("line 5", "no answer is right"),
        ("line 9", "bad percentage '%abc%'"),
        ("line 14", "not a number: 'tiga'"),
        ("line 17", "write decimals with a dot"),
        ("line 19", "runs backwards"),
        ("line 21", "an answer is empty"),
        ("line 23", "'}' without an opening '{'"),
        ("line 27", "no closing '::'"),
        ("line 29", "cannot tell the question type"),
        ("line 31", "bad percentage '%150%'"),
        ("line 33", "every answer of a matching question"),
    ]
    assert len(found) == len(expected), found
    for (where, message), (want_where, want_text) in zip(found, expected, strict=True):
        assert where == want_where
        assert want_text in message
    # The good question is read all the same (the caller imports nothing anyway).
    assert [q.name for q in questions] == ["Bagus"]


def test_problems_name_the_offending_answer_line() -> None:
    _, problems = gift.parse("::q:: Soal {\n=a\n~b\n~%x%c\n}", TYPES)
    assert problems == [
        FormatProblem("line 4", "bad percentage '%x%': write a number from -100 to 100, like %50%")
    ]


def test_type_validation_problems_are_reported_with_the_line() -> None:
    questions, problems = gift.parse("\n\n::Ganda:: Opsi kembar {=sama ~sama}", TYPES)
    assert len(questions) == 1
    assert len(problems) == 1
    assert problems[0].where == "line 3"
    assert problems[0].message.startswith("options[1].text: ")


def test_a_type_missing_from_the_registry_is_a_problem() -> None:
    types = {name: t for name, t in TYPES.items() if name != "essay"}
    _, problems = gift.parse("Tulis esai.{}", types)
    assert problems == [FormatProblem("line 1", "the question type 'essay' is not available")]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("Satu jawaban saja {~%100%a}", "at least two answers"),
        ("Dua benar {=a =%100%b ~c}", "exactly one answer must be right"),
        ("Negatif {=a ~%-50%b}", "negative percentages"),
        ("Jumlah {~%50%a ~%20%b ~c}", "add up to 70%"),
        ("Setengah {=%50%a =%20%b}", "no answer gets full marks"),
        ("Angka {#=%50%3}", "no answer gets full marks"),
        ("Toleransi {#3:-1}", "must not be negative"),
        ("Satu pasangan {=a -> b = -> c}", "at least two"),
        ("::Tanpa teks::{T}", "no text"),
    ],
)
def test_semantic_problems(source: str, message: str) -> None:
    questions, problems = gift.parse(source, TYPES)
    assert len(problems) == 1, problems
    assert message in problems[0].message
    assert problems[0].where == "line 1"


def test_blank_and_comment_only_input_has_no_questions() -> None:
    assert gift.parse("", TYPES) == ([], [])
    assert gift.parse("// hanya komentar\n\n   \n$CATEGORY: a\n", TYPES) == ([], [])


# --- writing and round trips -------------------------------------------------------------

ROUND_TRIP = [
    ImportedQuestion(
        name="Pilihan tunggal",
        type="single_choice",
        text="Manakah **ibu kota** provinsi Jawa Barat?",
        config={
            "options": [
                {"text": "Bandung", "fraction": 1.0, "feedback": "Benar: *Bandung*."},
                {"text": "Bogor", "fraction": 0.25},
                {"text": "Cirebon", "fraction": 0.0, "feedback": "Bukan."},
            ]
        },
        feedback="Lihat [peta](https://example.org/peta).",
    ),
    ImportedQuestion(
        name="Pilihan ganda",
        type="multiple_response",
        text="Pilih semua yang termasuk domain SPBE.",
        config={
            "options": [
                {"text": "Kebijakan internal", "correct": True},
                {"text": "Tata kelola", "correct": True, "feedback": "Ya."},
                {"text": "Layanan", "correct": True},
                {"text": "Pemasaran", "correct": False, "feedback": "Bukan."},
            ],
            "penalty": True,
        },
    ),
    ImportedQuestion(
        name="Pilihan ganda tanpa penalti",
        type="multiple_response",
        text="Pilih satu atau lebih.",
        config={"options": [{"text": "a", "correct": True}, {"text": "b", "correct": False}]},
    ),
    ImportedQuestion(
        name="Benar salah",
        type="true_false",
        text="SPBE diatur oleh Perpres 95/2018.",
        config={"answer": True, "feedback_true": "Tepat.", "feedback_false": "Periksa lagi."},
        feedback="Perpres 95/2018.",
    ),
    ImportedQuestion(
        name="Salah saja",
        type="true_false",
        text="Bumi itu datar.",
        config={"answer": False, "feedback_false": "Betul, tidak datar."},
    ),
    ImportedQuestion(
        name="Isian",
        type="short_answer",
        text="Kepanjangan SPBE?",
        config={
            "answers": [
                {"text": "Sistem Pemerintahan Berbasis Elektronik", "fraction": 1.0},
                {"text": "Sistem * Elektronik", "fraction": 0.5, "feedback": "Hampir."},
            ]
        },
    ),
    ImportedQuestion(
        name="Angka",
        type="numeric",
        text="Berapa nilai pi?",
        config={
            "answers": [
                {"value": 3.14159, "tolerance": 0.001, "fraction": 1.0, "feedback": "Tepat."},
                {"value": 3, "fraction": 0.5},
                {"value": -1e-07, "tolerance": 2.5e-08, "fraction": 0.1},
            ]
        },
        feedback="π ≈ 3,14159",
    ),
    ImportedQuestion(
        name="Menjodohkan",
        type="matching",
        text="Pasangkan singkatan dengan artinya.",
        config={
            "pairs": [
                {"prompt": "SPBE", "answer": "Sistem Pemerintahan Berbasis Elektronik"},
                {"prompt": "TIK", "answer": "Teknologi Informasi dan Komunikasi"},
            ],
            "distractors": ["Tata Kelola"],
        },
    ),
    ImportedQuestion(
        name="Esai",
        type="essay",
        text="Jelaskan tantangan SPBE di daerah Anda.\n\n- infrastruktur\n- SDM",
        config={},
        feedback="Dinilai mentor.",
    ),
    ImportedQuestion(
        name="Deskripsi",
        type="description",
        text="## Bagian 2\n\nBerikut soal tentang tata kelola.",
        points=0.0,
    ),
]


@pytest.mark.parametrize("question", ROUND_TRIP, ids=lambda q: f"{q.type}:{q.name}")
def test_round_trip_per_type(question: ImportedQuestion) -> None:
    assert TYPES[question.type].validate_config(question.config) == []
    back = one(gift.dump([question]))
    assert core(back) == core(question)


def test_round_trip_of_a_whole_bank_keeps_order_and_lines() -> None:
    text = gift.dump(ROUND_TRIP)
    questions = parse_ok(text)
    assert [core(q) for q in questions] == [core(q) for q in ROUND_TRIP]
    lines = text.split("\n")
    for q in questions:
        assert lines[q.line - 1].startswith(f"::{q.name}::")


def test_round_trip_of_special_characters() -> None:
    question = ImportedQuestion(
        name="Rasio 1:2 {kurung} ~ = #",
        type="single_choice",
        text=(
            "Kode: `a = {b}` dan ~tilde~ #bukan judul, \\*bintang\\*, garis \\ miring\n\n"
            "Paragraf kedua: 50% -> 100%\n####"
        ),
        config={
            "options": [
                {"text": "a = b", "fraction": 1.0, "feedback": "{#~=:}"},
                {"text": "%50% bukan bobot", "fraction": 0.0},
                {"text": "[html] bukan format", "fraction": 0.0},
                {"text": "2 * 3 <b>", "fraction": 0.0},
            ]
        },
        feedback="[markdown] umpan balik\\n bukan baris baru",
    )
    assert core(one(gift.dump([question]))) == core(question)


def test_round_trip_of_moodle_sample_is_stable() -> None:
    first = parse_ok((DATA / "sample.gift.txt").read_text(encoding="utf-8"))
    again = parse_ok(gift.dump(first))
    assert [core(q) for q in again] == [core(q) for q in first]


def test_dump_layout_follows_moodle() -> None:
    assert gift.dump(ROUND_TRIP[:2]) == (
        "::Pilihan tunggal::[markdown]Manakah **ibu kota** provinsi Jawa Barat?{\n"
        "\t=Bandung#Benar\\: *Bandung*.\n"
        "\t~%25%Bogor\n"
        "\t~Cirebon#Bukan.\n"
        "\t####Lihat [peta](https\\://example.org/peta).\n"
        "}\n"
        "\n"
        "::Pilihan ganda::[markdown]Pilih semua yang termasuk domain SPBE.{\n"
        "\t~%33.33333%Kebijakan internal\n"
        "\t~%33.33333%Tata kelola#Ya.\n"
        "\t~%33.33333%Layanan\n"
        "\t~%-33.33333%Pemasaran#Bukan.\n"
        "}\n"
    )


def test_dump_of_numeric_true_false_essay_and_description() -> None:
    by_name = {q.name: q for q in ROUND_TRIP}
    text = gift.dump(
        [by_name["Angka"], by_name["Salah saja"], by_name["Esai"], by_name["Deskripsi"]]
    )
    assert text == (
        "::Angka::[markdown]Berapa nilai pi?{#\n"
        "\t=3.14159:0.001#Tepat.\n"
        "\t=%50%3:0\n"
        "\t=%10%-1e-07:2.5e-08\n"
        "\t####π ≈ 3,14159\n"
        "}\n"
        "\n"
        "::Salah saja::[markdown]Bumi itu datar.{\n"
        "\tFALSE##Betul, tidak datar.\n"
        "}\n"
        "\n"
        "::Esai::[markdown]Jelaskan tantangan SPBE di daerah Anda.\\n\\n- infrastruktur\\n- SDM{\n"
        "\t####Dinilai mentor.\n"
        "}\n"
        "\n"
        "::Deskripsi::[markdown]\\#\\# Bagian 2\\n\\nBerikut soal tentang tata kelola.\n"
    )


def test_dump_refuses_ordering_naming_the_question() -> None:
    ordering = ImportedQuestion(
        name="Urutan evaluasi",
        type="ordering",
        text="Urutkan tahapan.",
        config={"items": ["Penilaian mandiri", "Penilaian dokumen", "Wawancara"]},
    )
    with pytest.raises(ValueError, match='question "Urutan evaluasi".*ordering'):
        gift.dump([ROUND_TRIP[0], ordering])


def test_dump_of_nothing_is_empty() -> None:
    assert gift.dump([]) == ""


def test_arrows_in_feedback_and_matching_answers_round_trip() -> None:
    questions = [
        ImportedQuestion(
            name="Panah di umpan balik",
            type="short_answer",
            text="Apa singkatan Peraturan Presiden?",
            config={"answers": [{"text": "Perpres", "fraction": 1.0, "feedback": "PP -> Perpres"}]},
        ),
        ImportedQuestion(
            name="Panah di jawaban",
            type="matching",
            text="Pasangkan.",
            config={
                "pairs": [
                    {"prompt": "Alur", "answer": "usul -> bahas -> tetapkan"},
                    {"prompt": "Lain", "answer": "tidak ada"},
                ]
            },
        ),
    ]
    assert [core(q) for q in parse_ok(gift.dump(questions))] == [core(q) for q in questions]


@pytest.mark.parametrize(
    "question",
    [
        ImportedQuestion(
            name="Isian panah",
            type="short_answer",
            text="Tulis alurnya.",
            config={"answers": [{"text": "a -> b", "fraction": 1.0}]},
        ),
        ImportedQuestion(
            name="Isian panah",
            type="matching",
            text="Pasangkan.",
            config={"pairs": [{"prompt": "a -> b", "answer": "1"}, {"prompt": "c", "answer": "2"}]},
        ),
    ],
)
def test_dump_refuses_an_arrow_gift_would_misread(question: ImportedQuestion) -> None:
    with pytest.raises(ValueError, match="question \"Isian panah\": GIFT cannot write '->'"):
        gift.dump([question])


def test_category_line_directly_above_a_question() -> None:
    q = one("$CATEGORY: $system$/top/Bank umum\n::Langsung:: Tanpa baris kosong {T}")
    assert (q.name, q.tags, q.line) == ("Langsung", ("Bank umum",), 2)
