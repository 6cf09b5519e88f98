"""Moodle files import whole: one small fixture per case Moodle's own format tests cover
(tests/unit/data/moodle/), read from GIFT and Moodle XML, graded as Moodle grades them,
and written back so that they read the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizzes.formats import ImportedQuestion, blocking, gift, moodle_xml
from tests.unit.test_gift import TYPES

DATA = Path(__file__).parent / "data" / "moodle"


def read(name: str) -> list[ImportedQuestion]:
    module = moodle_xml if name.endswith(".xml") else gift
    questions, problems = module.parse((DATA / name).read_text(encoding="utf-8"), TYPES)
    assert problems == []
    return questions


def by_name(name: str) -> dict[str, ImportedQuestion]:
    return {q.name: q for q in read(name)}


def grade(q: ImportedQuestion, response: str) -> tuple[float, str]:
    result = TYPES[q.type].grade(q.config, response)
    return result.fraction, result.feedback


# --- numerical: "any other answer" and partial credit -------------------------------------


def test_gift_numeric_other_answer_feedback_is_kept_and_shown() -> None:
    questions = by_name("numeric_other.gift.txt")
    three = questions["Tiga"]
    assert three.config == {
        "answers": [{"value": 3.0, "tolerance": 2.0, "fraction": 1.0}],
        "other_feedback": "Completely wrong",
    }
    assert grade(three, "4.5") == (1.0, "")
    assert grade(three, "10") == (0.0, "Completely wrong")
    assert grade(three, "sepuluh") == (0.0, "")  # not a number: no answer at all
    pi = questions["Pi"]
    assert grade(pi, "3,14") == (1.0, "Tepat.")
    assert grade(pi, "3") == (0.0, "Salah sama sekali: pi sedikit di atas tiga.")


def test_xml_numeric_catch_all_worth_nothing_is_the_other_answer_feedback() -> None:
    (three,) = read("numeric_other.xml")
    assert three.config["other_feedback"] == "Salah **sama sekali**."
    assert grade(three, "3") == (1.0, "Benar.")
    assert grade(three, "2.5") == (0.5, "Hampir.")
    assert grade(three, "7") == (0.0, "Salah **sama sekali**.")


def test_xml_numeric_catch_all_giving_credit_is_still_refused() -> None:
    text = (DATA / "numeric_other.xml").read_text(encoding="utf-8")
    text = text.replace('<answer fraction="0" format', '<answer fraction="20" format')
    _, problems = moodle_xml.parse(text, TYPES)
    assert len(problems) == 1
    assert "catch-all answer '*' that gives credit" in problems[0].message


def test_several_numeric_answers_with_partial_credit() -> None:
    (q,) = read("numeric_partial.gift.txt")
    assert [(a["value"], a.get("tolerance", 0), a["fraction"]) for a in q.config["answers"]] == [
        (2018.0, 0, 1.0),
        (2018.0, 2.0, 0.5),
        (2020.0, 10.0, 0.25),
    ]
    assert grade(q, "2018") == (1.0, "Benar, Perpres 95/2018.")
    assert grade(q, "2019") == (0.5, "Hampir.")
    assert grade(q, "2012") == (0.25, "Setidaknya dekade yang tepat.")
    assert grade(q, "1990")[0] == 0.0


# --- text formats ---------------------------------------------------------------------------


def test_text_formats_on_question_texts_answers_and_feedback() -> None:
    questions = by_name("formats.gift.txt")
    html = questions["HTML"]
    assert html.text == "Manakah **prinsip** SPBE?"
    assert html.config["options"] == [
        {"text": "Keterpaduan", "fraction": 1.0, "feedback": "Ya, **benar**."},
        # [plain] option: the stars are the option's own characters
        {"text": "*Sentralisasi*", "fraction": 0.0, "feedback": "Bukan, lihat **Perpres**."},
    ]
    assert questions["Moodle"].text == (
        "Sebutkan singkatan\nSistem Pemerintahan Berbasis Elektronik."
    )
    assert questions["Markdown"].text == "Apa arti **SPBE**?"
    assert questions["Markdown"].config["answers"][0]["text"] == (
        "Sistem Pemerintahan Berbasis Elektronik"
    )
    # [plain] question text shows as typed: neither Markdown nor HTML is read in it.
    assert questions["Plain"].text == "Teks \\*apa adanya\\* &lt;b>tanpa&lt;/b> tanda."


# --- categories, ID numbers, tags -----------------------------------------------------------


def test_gift_categories_and_comment_marks_become_tags_and_id_numbers() -> None:
    questions = by_name("categories.gift.txt")
    assert questions["Prinsip"].tags == ("Default for SPBE/Bab 1", "prinsip", "modul-1")
    assert questions["Prinsip"].idnumber == "q-prinsip-1"
    assert questions["Tahun"].tags == ("Default for SPBE/Bab 2",)
    assert questions["Tahun"].idnumber == ""


def test_xml_categories_become_tags_of_the_questions_after_them() -> None:
    questions = by_name("categories.xml")
    perpres = questions["Perpres"]
    assert perpres.tags == ("Default for SPBE/Bab 1", "dasar hukum")
    assert perpres.idnumber == "q-perpres"
    assert questions["Singkatan"].tags == ("Bab 2",)  # another context prefix, same rule
    assert questions["Singkatan"].idnumber == "Bukan Kunci Sah!"


# --- general feedback, matching distractors, escapes ----------------------------------------


def test_general_feedback() -> None:
    questions = by_name("general_feedback.gift.txt")
    assert questions["Umum"].feedback == "Lihat Perpres 95/2018 tentang SPBE."
    assert questions["Umum"].config == {
        "answer": True,
        "feedback_true": "Benar.",
        "feedback_false": "Salah, ada Perpres 95/2018.",
    }
    assert questions["Esai"].type == "essay"
    assert questions["Esai"].feedback == "Perhatikan domain dan aspek."
    (perpres, _) = read("categories.xml")
    assert perpres.feedback == "Lihat **Perpres 95/2018**."


@pytest.mark.parametrize("name", ["matching.gift.txt", "matching.xml"])
def test_matching_distractors(name: str) -> None:
    (q,) = read(name)
    assert q.config == {
        "pairs": [
            {"prompt": "SPBE", "answer": "Sistem Pemerintahan Berbasis Elektronik"},
            {"prompt": "TIK", "answer": "Teknologi Informasi dan Komunikasi"},
        ],
        "distractors": ["Sistem Informasi Kepegawaian", "Satu Data Indonesia"],
    }


def test_gift_escaped_characters() -> None:
    (q,) = read("escapes.gift.txt")
    assert q.name == "Escape: simbol"
    assert q.text == (
        "Berapa hasil 2 = 1 + 1 {benar} dan 50% ~ setengah#?\nBaris baru \\ garis miring."
    )
    assert q.config["options"] == [
        {"text": "Ya: benar = sama", "fraction": 1.0, "feedback": "Umpan#balik {kurung}"},
        {"text": "Tidak ~ salah", "fraction": 0.0},
    ]


def test_xml_escaped_characters() -> None:
    (q,) = read("escapes.xml")
    assert q.name == "Simbol & tanda <kurung>"
    # HTML text: its entities are characters, written so that Markdown shows them as such
    assert q.text == "Apakah 1 &lt; 2 & 3 > 2? \\*bukan\\* tebal"
    assert [o["text"] for o in q.config["options"]] == ["Ya & benar <sekali>", "Tidak <ya>"]


# --- unsupported types: all or nothing, unless the importer chose "import the rest" --------


def test_unsupported_types_are_named_with_their_line() -> None:
    questions, problems = moodle_xml.parse(
        (DATA / "unsupported.xml").read_text(encoding="utf-8"), TYPES
    )
    assert [(p.where, p.unsupported) for p in problems] == [
        ('question "Isian rumpang" (line 3)', "multianswer"),
        ('question "Hitung" (line 13)', "calculated"),
        ('question "Seret kata" (line 17)', "ddwtos"),
    ]
    assert "(cloze)" in problems[0].message
    assert "(drag and drop into text)" in problems[2].message
    assert [q.name for q in questions] == ["Perpres"]
    # Default: every problem stops the import; "import the rest": none of these does.
    assert blocking(problems, import_rest=False) == problems
    assert blocking(problems, import_rest=True) == []


def test_import_the_rest_still_stops_on_a_broken_question() -> None:
    text = (DATA / "unsupported.xml").read_text(encoding="utf-8")
    text = text.replace('<answer fraction="0"><text>false</text></answer>', "")
    _, problems = moodle_xml.parse(text, TYPES)
    stopping = blocking(problems, import_rest=True)
    assert len(stopping) == 1
    assert stopping[0].where == 'question "Perpres" (line 7)'


# --- written back, read the same --------------------------------------------------------------

ROUND_TRIP = [
    "numeric_other.gift.txt",
    "numeric_partial.gift.txt",
    "formats.gift.txt",
    "categories.gift.txt",
    "general_feedback.gift.txt",
    "matching.gift.txt",
    "escapes.gift.txt",
    "numeric_other.xml",
    "categories.xml",
    "matching.xml",
    "escapes.xml",
]


def _same(q: ImportedQuestion) -> tuple[object, ...]:
    return (q.name, q.type, q.text, q.config, q.feedback, q.tags, q.idnumber)


@pytest.mark.parametrize("name", ROUND_TRIP)
@pytest.mark.parametrize("module", [gift, moodle_xml], ids=["gift", "xml"])
def test_fixtures_round_trip(name: str, module) -> None:
    questions = read(name)
    again, problems = module.parse(module.dump(questions), TYPES)
    assert problems == []
    if module is gift:  # GIFT has no points and keeps matching/ordering shuffle implicit
        questions = [q for q in questions if "shuffle" not in q.config]
        again = [q for q in again if q.name in {q.name for q in questions}]
    assert [_same(q) for q in again] == [_same(q) for q in questions]


def test_dumps_write_id_numbers_tags_and_other_answer_feedback_as_moodle_does() -> None:
    questions = read("categories.gift.txt") + read("numeric_other.gift.txt")[:1]
    text = gift.dump(questions)
    assert "// [id:q-prinsip-1] [tag:Default for SPBE/Bab 1] [tag:prinsip] [tag:modul-1]\n" in text
    assert "\t~#Completely wrong\n" in text
    xml = moodle_xml.dump(questions)
    assert "<idnumber>q-prinsip-1</idnumber>" in xml
    assert "<text>*</text>" in xml
