"""Moodle XML import and export: every type, safe parsing, problems by question, round trips."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - only reads our own dump in a test
from pathlib import Path
from typing import Any

import pytest

from quizzes.formats import FormatProblem, ImportedQuestion, moodle_xml
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


def parse_ok(text: str | bytes) -> list[ImportedQuestion]:
    questions, problems = moodle_xml.parse(text, TYPES)
    assert problems == []
    return questions


def core(q: ImportedQuestion) -> tuple[Any, ...]:
    return (q.name, q.type, q.text, q.points, q.config, q.feedback, q.tags)


def quiz(*questions: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"


def question(kind: str, name: str | None, body: str = "", text: str = "Teks soal?") -> str:
    name_xml = f"<name><text>{name}</text></name>" if name is not None else ""
    return (
        f'<question type="{kind}">{name_xml}'
        f'<questiontext format="html"><text>{text}</text></questiontext>{body}</question>'
    )


# --- a realistic file --------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> dict[str, ImportedQuestion]:
    questions = parse_ok((DATA / "sample_moodle.xml").read_text(encoding="utf-8"))
    return {q.name: q for q in questions}


def test_sample_reads_every_question_with_its_line_and_category(
    sample: dict[str, ImportedQuestion],
) -> None:
    assert [(q.name, q.type, q.points, q.line) for q in sample.values()] == [
        ("Dasar hukum SPBE", "single_choice", 2.0, 15),
        ("Domain SPBE", "multiple_response", 1.0, 72),
        ("Indeks SPBE", "true_false", 1.0, 107),
        ("Singkatan", "short_answer", 1.0, 136),
        ("Pi", "numeric", 1.0, 161),
        ("Pasangan istilah", "matching", 3.0, 191),
        ("Urutan evaluasi", "ordering", 1.0, 226),
        ("Refleksi", "essay", 10.0, 260),
        ("Pengantar modul 2", "description", 0.0, 291),
    ]
    # The category before them is kept as a tag (without Moodle's "$course$/top/").
    assert {q.tags[0] for q in sample.values()} == {"Default for SPBE Dasar/Modul 1"}


def test_single_choice_from_html_with_partial_credit_feedback_and_tags(
    sample: dict[str, ImportedQuestion],
) -> None:
    q = sample["Dasar hukum SPBE"]
    # HTML becomes Markdown; the embedded image keeps its alt text only.
    assert q.text == "Peraturan apa yang menjadi **dasar hukum** SPBE?\n\nLogo SPBE"
    assert q.feedback == ("Lihat [Perpres 95/2018](https://jdih.example.go.id/perpres-95-2018).")
    assert q.config == {
        "options": [
            {"text": "Perpres 95/2018", "fraction": 1.0, "feedback": "Benar."},
            {
                "text": "PP 71/2019",
                "fraction": 0.5,
                "feedback": "Sebagian: itu tentang *sistem elektronik*.",
            },
            {"text": "UU 14/2008 & UU 11/2008", "fraction": 0.0},
        ]
    }
    assert q.tags == ("Default for SPBE Dasar/Modul 1", "modul-1", "dasar hukum")


def test_multiple_response_correct_by_positive_fraction_penalty_by_negative(
    sample: dict[str, ImportedQuestion],
) -> None:
    q = sample["Domain SPBE"]
    assert q.text == "Pilih **semua** domain SPBE."
    assert q.config == {
        "options": [
            {"text": "Kebijakan internal", "correct": True},
            {"text": "Tata kelola", "correct": True},
            {"text": "Layanan", "correct": True},
            {"text": "Pemasaran", "correct": False, "feedback": "Bukan domain SPBE."},
        ],
        "penalty": True,
        "shuffle": False,
    }


def test_true_false_feedback_per_answer(sample: dict[str, ImportedQuestion]) -> None:
    q = sample["Indeks SPBE"]
    assert q.text == "Indeks SPBE dinilai\nsetiap tahun."
    assert q.config == {
        "answer": True,
        "feedback_true": "Betul, setiap tahun.",
        "feedback_false": "Coba lagi.",
    }


def test_short_answer_case_sensitivity_and_plain_text(sample: dict[str, ImportedQuestion]) -> None:
    q = sample["Singkatan"]
    # plain text shows as typed: its stars are escaped in our Markdown
    assert q.text == "Apa kepanjangan SPBE? (tulis lengkap, \\*tanpa\\* singkatan)"
    assert q.config == {
        "answers": [
            {
                "text": "Sistem Pemerintahan Berbasis Elektronik",
                "fraction": 1.0,
                "feedback": "Tepat.",
            },
            {"text": "Sistem Pemerintahan * Elektronik", "fraction": 0.5, "feedback": "Hampir."},
        ],
        "case_sensitive": True,
    }


def test_numeric_with_tolerances(sample: dict[str, ImportedQuestion]) -> None:
    q = sample["Pi"]
    assert q.text == "Berapa nilai π (dua desimal)?"
    assert q.config == {
        "answers": [
            {"value": 3.14, "tolerance": 0.005, "fraction": 1.0, "feedback": "Tepat."},
            {"value": 3.1, "tolerance": 0.05, "fraction": 0.5},
        ]
    }


def test_matching_empty_subquestion_is_a_distractor(sample: dict[str, ImportedQuestion]) -> None:
    assert sample["Pasangan istilah"].config == {
        "pairs": [
            {"prompt": "SPBE", "answer": "Sistem Pemerintahan Berbasis Elektronik"},
            {"prompt": "TIK", "answer": "Teknologi Informasi dan Komunikasi"},
        ],
        "distractors": ["Aplikasi Pelayanan Internal"],
    }


def test_ordering_items_by_position_blank_items_dropped(
    sample: dict[str, ImportedQuestion],
) -> None:
    assert sample["Urutan evaluasi"].config == {
        "items": ["Penilaian mandiri", "Penilaian dokumen", "Wawancara"]
    }


def test_ordering_without_positions_keeps_document_order() -> None:
    q = parse_ok(
        quiz(
            question(
                "ordering",
                "Urut",
                '<answer fraction="0"><text>satu</text></answer>'
                '<answer fraction="0"><text>dua</text></answer>',
            )
        )
    )[0]
    assert q.config == {"items": ["satu", "dua"]}


def test_essay_min_words_list_and_description(sample: dict[str, ImportedQuestion]) -> None:
    essay = sample["Refleksi"]
    assert essay.text == "Jelaskan tantangan SPBE di daerah Anda:\n\n- infrastruktur\n- SDM"
    assert essay.config == {"min_words": 150}  # HTML grader info is no rubric
    assert essay.feedback == "Mentor menilai jawaban ini."
    description = sample["Pengantar modul 2"]
    assert description.text == "### Modul 2\n\nBagian berikut membahas **tata kelola** & manajemen."
    assert description.config == {}


def test_missing_name_is_made_from_the_text() -> None:
    q = parse_ok(
        quiz(
            question(
                "truefalse",
                None,
                '<answer fraction="100"><text>true</text></answer>'
                '<answer fraction="0"><text>false</text></answer>',
                text="&lt;p&gt;Jakarta adalah &lt;b&gt;ibu kota&lt;/b&gt; Indonesia "
                "sejak lama sekali, menurut undang-undang yang berlaku.&lt;/p&gt;",
            )
        )
    )[0]
    assert q.name == "Jakarta adalah ibu kota Indonesia sejak lama sekali, menurut"
    assert q.text.startswith("Jakarta adalah **ibu kota** Indonesia")


def test_bytes_are_read_with_the_declared_encoding() -> None:
    source = quiz(question("description", "Catatan", text="Caf\u00e9 &amp; teh")).replace(
        "UTF-8", "ISO-8859-1"
    )
    q = parse_ok(source.encode("iso-8859-1"))[0]
    assert q.text == "Café & teh"


# --- problems ----------------------------------------------------------------------------

MALFORMED = quiz(
    question("cloze", "Isian rumpang", text="{1:SHORTANSWER:=Jakarta}"),
    question(
        "multichoice",
        "Pecahan rusak",
        '<answer fraction="banyak"><text>a</text></answer>'
        '<answer fraction="0"><text>b</text></answer>',
    ),
    question(
        "multichoice",
        "Tanpa benar",
        '<answer fraction="0"><text>a</text></answer><answer fraction="0"><text>b</text></answer>',
    ),
    question("calculated", None),
    question(
        "numerical",
        "Jawaban lain",
        '<answer fraction="100"><text>5</text><tolerance>0</tolerance></answer>'
        '<answer fraction="50"><text>*</text></answer>',
    ),
    question(
        "numerical",
        "Satuan",
        '<answer fraction="100"><text>5</text></answer>'
        "<units><unit><multiplier>1</multiplier><unit_name>m</unit_name></unit></units>",
    ),
    question(
        "shortanswer",
        "Nilai",
        '<defaultgrade>banyak</defaultgrade><answer fraction="100"><text>ya</text></answer>',
    ),
    question(
        "truefalse",
        "Baik",
        '<answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer>',
    ),
    question(
        "matching",
        "Tanpa jawaban",
        "<subquestion><text>a</text><answer><text>1</text></answer></subquestion>"
        "<subquestion><text>b</text></subquestion>",
    ),
    question("ddwtos", "Seret"),
    question(
        "multichoice",
        "Kembar",
        '<answer fraction="100"><text>sama</text></answer>'
        '<answer fraction="0"><text>sama</text></answer>',
    ),
)


def test_malformed_file_reports_every_problem_by_question() -> None:
    questions, problems = moodle_xml.parse(MALFORMED, TYPES)
    expected = [
        ('question "Isian rumpang"', "'cloze' is not supported"),
        ('question "Pecahan rusak"', "bad fraction 'banyak'"),
        ('question "Tanpa benar"', "exactly one answer must have fraction 100; 0 do"),
        ("question #4", "'calculated' is not supported"),
        ('question "Jawaban lain"', "catch-all answer '*'"),
        ('question "Satuan"', "units of measurement are not supported"),
        ('question "Nilai"', "bad <defaultgrade> 'banyak'"),
        ('question "Tanpa jawaban"', "the prompt 'b' has no answer"),
        ('question "Tanpa jawaban"', "at least two prompts"),
        ('question "Seret"', "'ddwtos' (drag and drop into text) is not supported"),
        ('question "Kembar"', "options[1].text: "),  # from the type's validate_config
    ]
    assert len(problems) == len(expected), problems
    for problem, (where, text) in zip(problems, expected, strict=True):
        assert problem.where.split(" (line ")[0] == where
        assert text in problem.message
    assert [q.name for q in questions] == ["Baik", "Kembar"]
    # Each <question> is on its own line of this file: line 3 is the first.
    assert problems[0].where == 'question "Isian rumpang" (line 3)'
    assert problems[3].where == "question #4 (line 6)"
    assert [p.unsupported for p in problems if p.unsupported] == ["cloze", "calculated", "ddwtos"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '<single>false</single><answer fraction="40"><text>a</text></answer>'
            '<answer fraction="0"><text>b</text></answer>',
            "add up to 40",
        ),
        (
            '<answer fraction="100"><text>a</text></answer>'
            '<answer fraction="-50"><text>b</text></answer>',
            "cannot have negative fractions",
        ),
        ('<answer fraction="100"><text>a</text></answer>', "at least two answers"),
        (
            '<answer fraction="100"><text>a</text></answer>'
            '<answer fraction="250"><text>b</text></answer>',
            "bad fraction '250'",
        ),
    ],
)
def test_multichoice_problems(body: str, message: str) -> None:
    _, problems = moodle_xml.parse(quiz(question("multichoice", "Soal", body)), TYPES)
    assert len(problems) == 1, problems
    assert problems[0].where == 'question "Soal" (line 3)'
    assert message in problems[0].message


def test_a_question_without_text_is_a_problem() -> None:
    _, problems = moodle_xml.parse(
        quiz(question("essay", "Kosong", text="&lt;p&gt; &lt;/p&gt;")), TYPES
    )
    assert problems == [FormatProblem('question "Kosong" (line 3)', "the question has no text")]


def test_billion_laughs_is_refused() -> None:
    bomb = (
        '<?xml version="1.0"?>\n'
        "<!DOCTYPE quiz [\n"
        ' <!ENTITY lol "lol">\n'
        ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
        ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n'
        "]>\n"
        '<quiz><question type="description"><name><text>&lol3;</text></name>'
        "<questiontext><text>x</text></questiontext></question></quiz>"
    )
    questions, problems = moodle_xml.parse(bomb, TYPES)
    assert questions == []
    assert len(problems) == 1
    assert problems[0].where == "file"
    assert "refused" in problems[0].message


def test_external_entity_is_refused_and_nothing_is_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("RAHASIA", encoding="utf-8")
    source = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<quiz><question type="description"><name><text>x</text></name>'
        "<questiontext><text>&xxe;</text></questiontext></question></quiz>"
    )
    questions, problems = moodle_xml.parse(source, TYPES)
    assert questions == []
    assert [p.where for p in problems] == ["file"]
    assert "RAHASIA" not in repr(problems)


def test_a_file_over_5_mb_is_refused_before_parsing() -> None:
    big = quiz(question("description", "Besar", text="x" * (5 * 1024 * 1024)))
    questions, problems = moodle_xml.parse(big, TYPES)
    assert questions == []
    assert len(problems) == 1
    assert problems[0].where == "file"
    assert "larger than 5 MB" in problems[0].message


def test_broken_xml_names_the_line() -> None:
    questions, problems = moodle_xml.parse("<quiz>\n<question>\n</quiz>", TYPES)
    assert questions == []
    assert len(problems) == 1
    assert problems[0].where == "line 3"
    assert "not well-formed" in problems[0].message


def test_another_root_element_is_refused() -> None:
    _, problems = moodle_xml.parse("<questions/>", TYPES)
    assert problems == [
        FormatProblem("file", "not a Moodle XML file: the root element is <questions>, not <quiz>")
    ]


# --- writing and round trips -------------------------------------------------------------

ROUND_TRIP = [
    ImportedQuestion(
        name="Pilihan tunggal",
        type="single_choice",
        text="Manakah **ibu kota** provinsi Jawa Barat?",
        points=2.0,
        config={
            "options": [
                {"text": "Bandung", "fraction": 1.0, "feedback": "Benar: *Bandung*."},
                {"text": "Bogor", "fraction": 0.25},
                {"text": "Cirebon", "fraction": 0.0, "feedback": "Bukan."},
            ],
            "shuffle": False,
        },
        feedback="Lihat [peta](https://example.org/peta).",
        tags=("modul-1", "geografi"),
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
        tags=("latihan",),
    ),
    ImportedQuestion(
        name="Benar salah",
        type="true_false",
        text="SPBE diatur oleh Perpres 95/2018.",
        config={"answer": False, "feedback_true": "Periksa lagi.", "feedback_false": "Tepat."},
        feedback="Perpres 95/2018.",
    ),
    ImportedQuestion(
        name="Isian",
        type="short_answer",
        text="Kepanjangan SPBE?",
        points=1.5,
        config={
            "answers": [
                {"text": "Sistem Pemerintahan Berbasis Elektronik", "fraction": 1.0},
                {"text": "Sistem * Elektronik", "fraction": 0.5, "feedback": "Hampir."},
            ],
            "case_sensitive": True,
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
    ),
    ImportedQuestion(
        name="Menjodohkan",
        type="matching",
        text="Pasangkan singkatan dengan artinya.",
        points=3.0,
        config={
            "pairs": [
                {"prompt": "SPBE", "answer": "Sistem Pemerintahan Berbasis Elektronik"},
                {"prompt": "TIK", "answer": "Teknologi Informasi dan Komunikasi"},
            ],
            "distractors": ["Tata Kelola"],
            "shuffle": False,
        },
    ),
    ImportedQuestion(
        name="Mengurutkan",
        type="ordering",
        text="Urutkan tahapan evaluasi SPBE.",
        config={"items": ["Penilaian mandiri", "Penilaian dokumen", "Wawancara", "Observasi"]},
    ),
    ImportedQuestion(
        name="Esai",
        type="essay",
        text="Jelaskan tantangan SPBE di daerah Anda.\n\n- infrastruktur\n- SDM",
        points=10.0,
        config={
            "min_words": 150,
            "rubric": [
                {"criterion": "Kelengkapan (isi)", "points": 4},
                {"criterion": "Contoh nyata", "points": 2.5},
            ],
        },
        feedback="Dinilai mentor.",
    ),
    ImportedQuestion(name="Esai polos", type="essay", text="Tulis bebas.", config={}),
    ImportedQuestion(
        name="Deskripsi",
        type="description",
        text="## Bagian 2\n\nBerikut soal tentang tata kelola.",
        points=0.0,
        feedback="Catatan untuk mentor.",
    ),
]


@pytest.mark.parametrize("q", ROUND_TRIP, ids=lambda q: f"{q.type}:{q.name}")
def test_round_trip_per_type(q: ImportedQuestion) -> None:
    assert TYPES[q.type].validate_config(q.config) == []
    back = parse_ok(moodle_xml.dump([q]))
    assert len(back) == 1
    assert core(back[0]) == core(q)


def test_round_trip_of_a_whole_bank() -> None:
    back = parse_ok(moodle_xml.dump(ROUND_TRIP))
    assert [core(q) for q in back] == [core(q) for q in ROUND_TRIP]


def test_round_trip_of_the_moodle_sample_is_stable() -> None:
    first = parse_ok((DATA / "sample_moodle.xml").read_text(encoding="utf-8"))
    again = parse_ok(moodle_xml.dump(first))
    assert [core(q) for q in again] == [core(q) for q in first]


def test_dump_escapes_xml_and_marks_markdown() -> None:
    q = ImportedQuestion(
        name='Tanda <b> & "kutip"',
        type="single_choice",
        text="Apakah <script>alert(1)</script> & ]]> aman?\u0007",
        config={
            "options": [
                {"text": "ya & <tidak>", "fraction": 1.0, "feedback": "a < b > c"},
                {"text": "tidak", "fraction": 0.0},
            ]
        },
    )
    text = moodle_xml.dump([q])
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert "\u0007" not in text
    root = ET.fromstring(text)  # noqa: S314 - our own output
    element = root.find("question")
    assert element is not None
    assert element.get("type") == "multichoice"
    assert element.find("questiontext").get("format") == "markdown"  # type: ignore[union-attr]
    assert element.findtext("single") == "true"
    assert [a.get("fraction") for a in element.findall("answer")] == ["100", "0"]
    back = parse_ok(text)[0]
    assert back.name == q.name
    assert back.text == "Apakah <script>alert(1)</script> & ]]> aman?"
    assert back.config == q.config


def test_dump_writes_what_moodle_reads() -> None:
    by_name = {q.name: q for q in ROUND_TRIP}
    root = ET.fromstring(  # noqa: S314 - our own output
        moodle_xml.dump([by_name["Pilihan ganda"], by_name["Mengurutkan"], by_name["Esai"]])
    )
    multi, ordering, essay = root.findall("question")
    assert multi.findtext("single") == "false"
    assert [a.get("fraction") for a in multi.findall("answer")] == [
        "33.33333",
        "33.33333",
        "33.33333",
        "-33.33333",
    ]
    assert ordering.get("type") == "ordering"
    assert ordering.findtext("gradingtype") == "ABSOLUTE_POSITION"
    assert [(a.get("fraction"), a.findtext("text")) for a in ordering.findall("answer")] == [
        ("1", "Penilaian mandiri"),
        ("2", "Penilaian dokumen"),
        ("3", "Wawancara"),
        ("4", "Observasi"),
    ]
    assert essay.findtext("minwordlimit") == "150"
    assert essay.findtext("graderinfo/text") == (
        "- Kelengkapan (isi) (4 points)\n- Contoh nyata (2.5 points)"
    )
    assert essay.findtext("defaultgrade") == "10"


def test_dump_refuses_an_unknown_type() -> None:
    odd = ImportedQuestion(name="Aneh", type="hotspot", text="?")
    with pytest.raises(ValueError, match='question "Aneh"'):
        moodle_xml.dump([odd])
