"""Course packages: the shipped course, round trips, every validation problem, path safety."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from courses.activities import ConfigProblem, MeetingActivity, ReadingActivity
from courses.package import (
    DEFAULT_AT_RISK,
    DEFAULT_GRADING,
    MAX_FILE_BYTES,
    MAX_MATERIAL_BYTES,
    ActivityPackage,
    AtRiskRules,
    CoursePackage,
    GradingWeights,
    MeetingPlan,
    ModulePackage,
    Problem,
    QuestionPackage,
    UnlockRule,
    _toml_string,
    content_hash,
    default_activity_types,
    default_question_types,
    dump_package,
    freeze_config,
    load_package,
)

SHIPPED = Path(__file__).resolve().parents[2] / "courses" / "packages" / "spbe-dasar"

# Line numbers below are pinned by these texts: keep them in sync.
COURSE_TOML = """\
format = 1
slug = "mini"
title = "Mini Course"
version = "1.0.0"
language = "en"
description = "A tiny course for tests."
modules = [
  "01-alpha",
  "02-beta",
]
"""

ALPHA_TOML = """\
title = "Alpha"
summary = "First module."
objectives = [
  "Explain alpha.",
  "Apply alpha.",
]
duration_minutes = 60
indicators = [1, 2]

[meeting]
duration_minutes = 45
agenda = [
  "10 min: opening",
  "35 min: practice",
]

[[activities]]
key = "read"
type = "reading"
title = "Read the material"

[[activities]]
key = "meet"
type = "meeting"
title = "Join the meeting"
"""

BETA_HEAD = """\
title = "Beta"
summary = "Second module."
objectives = ["Explain beta."]
duration_minutes = 30
indicators = []
"""

BETA_ACTIVITIES = """
[[activities]]
key = "read"
type = "reading"
title = "Read the material"
"""

BETA_TOML = BETA_HEAD + BETA_ACTIVITIES

MATERIAL = "# Heading\n\nSome material with several words in it.\n"


def gw(pass_percent=60, pre=0, practice=0, post=40, assignment=60):
    """The built-in categories' `[grading]` (the quiz and assignment types declare them)."""
    return GradingWeights(
        pass_percent,
        (("pre", pre), ("practice", practice), ("post", post), ("assignment", assignment)),
    )


def make_package(root: Path) -> Path:
    """A small valid package at `root`."""
    root.mkdir(parents=True)
    (root / "course.toml").write_text(COURSE_TOML, encoding="utf-8")
    for name, text in (("01-alpha", ALPHA_TOML), ("02-beta", BETA_TOML)):
        (root / name).mkdir()
        (root / name / "module.toml").write_text(text, encoding="utf-8")
        (root / name / "material.md").write_text(MATERIAL, encoding="utf-8")
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def matching(problems: list[Problem], file: str, fragment: str) -> Problem:
    found = [p for p in problems if p.file == file and fragment in p.message]
    assert len(found) == 1, f"expected one {file!r} problem with {fragment!r}, got {problems}"
    return found[0]


@pytest.fixture
def package(tmp_path: Path) -> Path:
    return make_package(tmp_path / "mini")


# ------------------------------------------------------------------ shipped package


def test_shipped_package_loads_without_problems():
    course, problems = load_package(SHIPPED)
    assert problems == []
    assert course is not None
    assert course.slug == "spbe-dasar"
    assert course.language == "id"
    assert len(course.modules) >= 9
    for module in course.modules:
        assert module.objectives, module.slug
        assert len(module.material.split()) > 500, module.slug
        assert "Refleksi" in module.mentor_notes, module.slug  # model answers for mentors
        assert module.meeting is not None and module.meeting.agenda, module.slug
        assert module.unlock is None, module.slug
        assert [(a.key, a.type) for a in module.activities] == [
            ("pre-test", "quiz"),
            ("bacaan", "reading"),
            ("pertemuan", "meeting"),
            ("latihan", "quiz"),
            ("post-test", "quiz"),
            ("tugas", "assignment"),
        ] + ([("rencana-aksi", "assignment")] if module is course.modules[-1] else []), module.slug
        kinds = [dict(a.settings).get("kind") for a in module.activities if a.type == "quiz"]
        assert kinds == ["pre", "practice", "post"], module.slug
        # A practical assignment graded with a rubric of at least 3 criteria, 4 levels each.
        tugas = next(a for a in module.activities if a.key == "tugas").settings_dict()
        assert len(tugas["rubric"]) >= 3, module.slug
        for row in tugas["rubric"]:
            assert len(row["levels"]) == 4 and row["points"] == sorted(set(row["points"]))
        # A bank of at least 12 questions of several types (the forms: see below).
        assert len(module.questions) >= 12, module.slug
        assert len({q.type for q in module.questions}) >= 4, module.slug
    covered = {n for module in course.modules for n in module.indicators}
    assert covered == set(range(1, 48))
    # The course ends with the capstone action plan, which the region's coordinator receives.
    capstone = course.modules[-1].activities[-1].settings_dict()
    assert capstone["for_coordinator"] is True and len(capstone["rubric"]) >= 4


def test_shipped_sessions_from_3_on_each_attach_a_catalogue_practice_and_a_peer_slot():
    from lms.practices.catalog import shipped_slugs

    course, _ = load_package(SHIPPED)
    assert course is not None
    for module in course.modules:
        assert any(
            item.split(":")[1].strip() == "Daerah mitra" for item in module.meeting.agenda
        ), module.slug
        number = int(module.slug[:2])
        if number < 3:
            continue
        tugas = [a.settings_dict() for a in module.activities if a.type == "assignment"]
        practices = [slug for settings in tugas for slug in settings.get("practices", ())]
        assert practices, module.slug
        assert set(practices) <= shipped_slugs(), module.slug


def _quiz_questions(module, kind):
    for activity in module.activities:
        settings = activity.settings_dict()
        if activity.type == "quiz" and settings.get("kind") == kind:
            return list(settings["questions"])
    raise AssertionError(f"{module.slug} has no {kind} quiz")


def _by_objective(module, bank, keys, form):
    """The form's items by their objective tag, each with its level (ranah) tag."""
    found = {}
    for key in keys:
        tags = bank[key].tags
        assert form in tags, (module.slug, key)
        [objective] = [t for t in tags if t.startswith("tujuan-")]
        [level] = [t for t in tags if t.startswith("ranah-")]
        assert objective not in found, (module.slug, key, "objective tested twice")
        found[objective] = bank[key], level
    return found


def test_shipped_pre_and_post_tests_are_parallel_forms_of_one_blueprint():
    """Tes Awal and Tes Akhir are two forms built from one blueprint: one item per session
    objective in each, tagged with its objective, each pair at the same cognitive level
    (ranah) and of the same worth; no item is in both forms, and the practice quiz uses
    none of them, so a gain is not inflated by items seen before the Tes Akhir."""
    course, _ = load_package(SHIPPED)
    assert course is not None
    for module in course.modules:
        if not any(a.settings_dict().get("kind") == "pre" for a in module.activities):
            continue
        bank = {q.key: q for q in module.questions}
        pre, post = _quiz_questions(module, "pre"), _quiz_questions(module, "post")
        practice = _quiz_questions(module, "practice")
        assert not set(pre) & set(post), module.slug
        assert not (set(pre) | set(post)) & set(practice), module.slug
        objectives = range(1, len(module.objectives) + 1)

        first = _by_objective(module, bank, pre, "tes-awal")
        second = _by_objective(module, bank, post, "tes-akhir")
        assert set(first) == set(second) == {f"tujuan-{n}" for n in objectives}, module.slug
        for objective, (item, level) in first.items():
            other, other_level = second[objective]
            assert level == other_level, (module.slug, item.key, other.key)
            assert item.points == other.points, (module.slug, item.key, other.key)
        for key in practice:
            assert "latihan" in bank[key].tags, (module.slug, key)
            assert not {"tes-awal", "tes-akhir"} & set(bank[key].tags), (module.slug, key)
        # Half of each cohort takes the forms the other way round, so their difficulty is
        # measured before learning (the forms comparison page).
        tes_awal = next(a for a in module.activities if a.settings_dict().get("kind") == "pre")
        assert tes_awal.settings_dict().get("counterbalance") is True, module.slug


def test_every_shipped_session_has_a_bank_of_the_same_size_all_of_it_used():
    """Each session with tests has 14 or 15 items: four per form and six or seven to
    practise on, every item in exactly one quiz (none left over, none counted twice)."""
    course, _ = load_package(SHIPPED)
    assert course is not None
    sizes = {}
    for module in course.modules:
        kinds = {a.settings_dict().get("kind") for a in module.activities if a.type == "quiz"}
        if "pre" not in kinds:
            continue
        used = [
            key for kind in ("pre", "practice", "post") for key in _quiz_questions(module, kind)
        ]
        assert len(used) == len(set(used)), module.slug
        assert set(used) == {q.key for q in module.questions}, module.slug
        assert len(_quiz_questions(module, "practice")) >= 6, module.slug
        sizes[module.slug] = len(module.questions)
    assert len(sizes) == len(course.modules)
    assert all(14 <= size <= 15 for size in sizes.values()), sizes


def test_shipped_package_is_in_export_format(tmp_path):
    """Exporting the shipped course reproduces its files byte for byte, so a course
    authored in the LMS and exported diffs cleanly against this folder."""
    course, _ = load_package(SHIPPED)
    assert course is not None
    dump_package(course, tmp_path / "out")
    assert tree(tmp_path / "out") == tree(SHIPPED)


def test_small_package_loads(package):
    course, problems = load_package(package)
    assert problems == []
    assert course == CoursePackage(
        slug="mini",
        title="Mini Course",
        version="1.0.0",
        language="en",
        description="A tiny course for tests.",
        modules=(
            ModulePackage(
                slug="01-alpha",
                title="Alpha",
                summary="First module.",
                objectives=("Explain alpha.", "Apply alpha."),
                duration_minutes=60,
                indicators=(1, 2),
                meeting=MeetingPlan(45, ("10 min: opening", "35 min: practice")),
                material=MATERIAL,
                unlock=None,
                activities=(
                    ActivityPackage("read", "reading", "Read the material", ()),
                    ActivityPackage("meet", "meeting", "Join the meeting", ()),
                ),
            ),
            ModulePackage(
                slug="02-beta",
                title="Beta",
                summary="Second module.",
                objectives=("Explain beta.",),
                duration_minutes=30,
                indicators=(),
                meeting=None,
                material=MATERIAL,
                unlock=None,
                activities=(ActivityPackage("read", "reading", "Read the material", ()),),
            ),
        ),
    )


def test_optional_keys_may_be_left_out(package):
    edit(package, "course.toml", 'description = "A tiny course for tests."\n', "")
    edit(package, "02-beta/module.toml", "indicators = []\n", "")
    course, problems = load_package(package)
    assert problems == []
    assert course is not None
    assert course.description == ""
    assert course.modules[1].indicators == ()


def test_problem_str():
    assert str(Problem("a/module.toml", 3, "bad")) == "a/module.toml:3: bad"
    assert str(Problem("course.toml", None, "bad")) == "course.toml: bad"


# ----------------------------------------------------------------------- round trip


def test_round_trip_of_the_shipped_package(tmp_path):
    course, _ = load_package(SHIPPED)
    assert course is not None
    dump_package(course, tmp_path / "a")
    again, problems = load_package(tmp_path / "a")
    assert problems == []
    assert again == course
    dump_package(again, tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


TRICKY = [
    "",
    "plain",
    'say "hi"',
    "back\\slash",
    "trailing backslash\\",
    'ends with quote"',
    'three """ quotes',
    "'''single triple'''",
    "tab\there",
    "control \x00 \x01 \x1f \x7f \b \f",
    "carriage\rreturn",
    "windows\r\nline\r\n",
    "one\nline break",
    "\nleading line break",
    "trailing line break\n",
    "\n",
    "\n\n\n",
    'ends with newline and quote\n"',
    'ends with quotes\n""',
    "unicode: é ü 中文 — 😀 \u2028 \u00a0",
    "# not a comment",
    "[meeting]\nduration_minutes = 1",
    "key = value",
]


@pytest.mark.parametrize("value", TRICKY)
def test_toml_string_round_trips_through_tomllib(value):
    assert tomllib.loads(f"v = {_toml_string(value)}\n") == {"v": value}


def tricky_course() -> CoursePackage:
    module = ModulePackage(
        slug="01-tricky",
        title='A "quoted" \\ title',
        summary="Line one\nline two",
        objectives=tuple(v for v in TRICKY if v.strip()),
        duration_minutes=1440,
        indicators=(47, 1, 12),
        meeting=MeetingPlan(1, tuple(v for v in TRICKY if v.strip())),
        material='no trailing newline, CRLF\r\ninside """ and \\ and a tab\t',
        unlock=None,
        activities=(
            ActivityPackage("lesen", "reading", TRICKY[6], ()),
            ActivityPackage("treffen", "meeting", "x" * 200, ()),
        ),
    )
    plain = dataclasses.replace(
        module,
        slug="02-plain",
        meeting=None,
        indicators=(),
        unlock=UnlockRule(on=None, after=("01-tricky",)),
        activities=(ActivityPackage("only", "reading", TRICKY[-1], ()),),
    )
    return CoursePackage(
        slug="tricky",
        title="Tricky",
        version="10.20.30",
        language="id",
        description="\n".join(TRICKY),
        modules=(module, plain),
    )


def test_round_trip_of_tricky_values(tmp_path):
    course = tricky_course()
    dump_package(course, tmp_path / "a")
    loaded, problems = load_package(tmp_path / "a")
    assert problems == []
    assert loaded == course
    dump_package(loaded, tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert (tmp_path / "a" / "01-tricky" / "material.md").read_bytes() == (
        course.modules[0].material.encode()
    )


def test_dump_into_an_existing_empty_folder(tmp_path):
    (tmp_path / "out").mkdir()
    dump_package(tricky_course(), tmp_path / "out")
    assert load_package(tmp_path / "out")[1] == []


def test_dump_refuses_a_non_empty_destination(tmp_path, package):
    course, _ = load_package(package)
    assert course is not None
    with pytest.raises(FileExistsError):
        dump_package(course, package)
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError):
        dump_package(course, tmp_path / "file")


@pytest.mark.parametrize("slug", ["../x", "a/b", "a\\b", ".hidden", "..", "", "Caps"])
def test_dump_refuses_unsafe_module_slugs(tmp_path, slug):
    course = tricky_course()
    bad = dataclasses.replace(course.modules[0], slug=slug)
    with pytest.raises(ValueError, match="refused"):
        dump_package(dataclasses.replace(course, modules=(bad,)), tmp_path / "out")
    assert not (tmp_path / "x").exists()
    assert not (tmp_path / "out").exists()


def test_dump_refuses_duplicate_module_slugs(tmp_path):
    course = tricky_course()
    twice = (course.modules[0], course.modules[0])
    with pytest.raises(ValueError, match="unique"):
        dump_package(dataclasses.replace(course, modules=twice), tmp_path / "out")


def test_content_hash_is_stable_and_sensitive(tmp_path, package):
    course, _ = load_package(package)
    again, _ = load_package(package)
    assert course is not None and again is not None
    digest = content_hash(course)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert content_hash(again) == digest
    dump_package(course, tmp_path / "copy")
    copy, _ = load_package(tmp_path / "copy")
    assert copy is not None and content_hash(copy) == digest

    first = course.modules[0]
    changed = dataclasses.replace(first, material=first.material.replace("several", "many"))
    edited = dataclasses.replace(course, modules=(changed, *course.modules[1:]))
    assert content_hash(edited) != digest
    assert content_hash(dataclasses.replace(course, version="1.0.1")) != digest
    swapped = dataclasses.replace(course, modules=course.modules[::-1])
    assert content_hash(swapped) != digest


def test_content_hash_ignores_formatting(package):
    course, _ = load_package(package)
    edit(package, "course.toml", 'title = "Mini Course"', "# a comment\ntitle = 'Mini Course'")
    reformatted, problems = load_package(package)
    assert problems == []
    assert course is not None and reformatted is not None
    assert content_hash(reformatted) == content_hash(course)


# ------------------------------------------------------------------------- problems

A = "01-alpha"
ALPHA = f"{A}/module.toml"
MAT = f"{A}/material.md"
BETA = "02-beta/module.toml"


def _remove(rel: str) -> Callable[[Path], None]:
    return lambda root: (root / rel).unlink()


def _edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    return lambda root: edit(root, rel, old, new)


def _write_bytes(rel: str, data: bytes) -> Callable[[Path], None]:
    return lambda root: (root / rel).write_bytes(data)


def _extra_module(root: Path) -> None:
    (root / "03-extra").mkdir()
    (root / "03-extra" / "module.toml").write_text(BETA_TOML, encoding="utf-8")
    (root / "03-extra" / "material.md").write_text(MATERIAL, encoding="utf-8")


def _write(rel: str, text: str) -> Callable[[Path], None]:
    return lambda root: (root / rel).write_text(text, encoding="utf-8")


def _unlock(rel: str, body: str) -> Callable[[Path], None]:
    """Add an [unlock] table with `body` after the indicators line: in BETA the header is
    line 7 and `body` starts on line 8; in ALPHA they are lines 10 and 11."""
    indicators = "indicators = []\n" if rel == BETA else "indicators = [1, 2]\n"
    return _edit(rel, indicators, f"{indicators}\n[unlock]\n{body}")


def _module_is_a_file(root: Path) -> None:
    edit(root, "course.toml", '  "02-beta",\n', '  "02-beta",\n  "03-file",\n')
    (root / "03-file").write_text("not a folder", encoding="utf-8")


# (id, change, file, line, message fragment)
CASES = [
    ("no-course-toml", _remove("course.toml"), "course.toml", None, "missing"),
    (
        "toml-syntax",
        _edit("course.toml", '"Mini Course"', '"Mini Course'),
        "course.toml",
        3,
        "TOML",
    ),
    (
        "toml-syntax-eof",
        _edit("course.toml", '  "02-beta",\n]', '  "02-beta",'),
        "course.toml",
        9,
        "TOML",
    ),
    (
        "toml-dup-key",
        _edit("course.toml", 'language = "en"', 'language = "en"\ntitle = "x"'),
        "course.toml",
        6,
        "TOML",
    ),
    (
        "not-utf8-toml",
        _write_bytes("course.toml", b'format = 1\ntitle = "\xff"\n'),
        "course.toml",
        2,
        "UTF-8",
    ),
    ("no-format", _edit("course.toml", "format = 1\n", ""), "course.toml", None, "'format'"),
    ("format-2", _edit("course.toml", "format = 1", "format = 2"), "course.toml", 1, "format"),
    ("format-str", _edit("course.toml", "format = 1", 'format = "1"'), "course.toml", 1, "format"),
    (
        "format-bool",
        _edit("course.toml", "format = 1", "format = true"),
        "course.toml",
        1,
        "format",
    ),
    ("no-slug", _edit("course.toml", 'slug = "mini"\n', ""), "course.toml", None, "'slug'"),
    ("slug-caps", _edit("course.toml", '"mini"', '"Mini"'), "course.toml", 2, "'slug'"),
    ("slug-space", _edit("course.toml", '"mini"', '"mini course"'), "course.toml", 2, "'slug'"),
    ("slug-underscore", _edit("course.toml", '"mini"', '"mini_c"'), "course.toml", 2, "'slug'"),
    ("slug-non-ascii", _edit("course.toml", '"mini"', '"mïni"'), "course.toml", 2, "'slug'"),
    ("slug-too-long", _edit("course.toml", '"mini"', f'"{"a" * 65}"'), "course.toml", 2, "'slug'"),
    ("slug-int", _edit("course.toml", 'slug = "mini"', "slug = 5"), "course.toml", 2, "string"),
    (
        "no-title",
        _edit("course.toml", 'title = "Mini Course"\n', ""),
        "course.toml",
        None,
        "'title'",
    ),
    ("empty-title", _edit("course.toml", '"Mini Course"', '"  "'), "course.toml", 3, "empty"),
    ("version-short", _edit("course.toml", '"1.0.0"', '"1.0"'), "course.toml", 4, "version"),
    ("version-float", _edit("course.toml", '"1.0.0"', "1.0"), "course.toml", 4, "string"),
    ("version-text", _edit("course.toml", '"1.0.0"', '"v1.0.0"'), "course.toml", 4, "version"),
    (
        "no-version",
        _edit("course.toml", 'version = "1.0.0"\n', ""),
        "course.toml",
        None,
        "'version'",
    ),
    ("language-fr", _edit("course.toml", '"en"', '"fr"'), "course.toml", 5, "language"),
    (
        "no-language",
        _edit("course.toml", 'language = "en"\n', ""),
        "course.toml",
        None,
        "'language'",
    ),
    (
        "description-int",
        _edit("course.toml", '"A tiny course for tests."', "3"),
        "course.toml",
        6,
        "description",
    ),
    (
        "unknown-key",
        _edit("course.toml", "format = 1\n", "format = 1\ntitel = 'x'\n"),
        "course.toml",
        2,
        "'titel' (did you mean 'title'?)",
    ),
    (
        "no-modules",
        _edit("course.toml", 'modules = [\n  "01-alpha",\n  "02-beta",\n]\n', ""),
        "course.toml",
        None,
        "'modules'",
    ),
    (
        "modules-empty",
        _edit("course.toml", '[\n  "01-alpha",\n  "02-beta",\n]', "[]"),
        "course.toml",
        7,
        "at least one",
    ),
    (
        "modules-string",
        _edit("course.toml", '[\n  "01-alpha",\n  "02-beta",\n]', '"01-alpha"'),
        "course.toml",
        7,
        "list",
    ),
    (
        "modules-int",
        _edit("course.toml", '  "02-beta",\n', '  "02-beta",\n  3,\n'),
        "course.toml",
        7,
        "modules[2]",
    ),
    (
        "modules-duplicate",
        _edit("course.toml", '  "02-beta",\n', '  "02-beta",\n  "01-alpha",\n'),
        "course.toml",
        7,
        "more than once",
    ),
    (
        "module-folder-missing",
        _edit("course.toml", '  "02-beta",\n', '  "02-beta",\n  "03-gamma",\n'),
        "course.toml",
        10,
        "'03-gamma' is listed but its folder is missing",
    ),
    ("module-is-a-file", _module_is_a_file, "course.toml", 10, "not a folder"),
    ("module-not-listed", _extra_module, "03-extra", None, "not listed"),
    ("no-module-toml", _remove(ALPHA), ALPHA, None, "missing"),
    ("no-material", _remove(MAT), MAT, None, "missing"),
    (
        "module-toml-syntax",
        _edit(ALPHA, "duration_minutes = 60", "duration_minutes = "),
        ALPHA,
        7,
        "TOML",
    ),
    (
        "module-unknown-key",
        _edit(ALPHA, "indicators = [1, 2]", "indicators = [1, 2]\nsumary = ''"),
        ALPHA,
        9,
        "'sumary' (did you mean 'summary'?)",
    ),
    ("no-module-title", _edit(ALPHA, 'title = "Alpha"\n', ""), ALPHA, None, "'title'"),
    ("module-title-list", _edit(ALPHA, '"Alpha"', '["Alpha"]'), ALPHA, 1, "string"),
    ("no-summary", _edit(ALPHA, 'summary = "First module."\n', ""), ALPHA, None, "'summary'"),
    (
        "no-objectives",
        _edit(ALPHA, 'objectives = [\n  "Explain alpha.",\n  "Apply alpha.",\n]\n', ""),
        ALPHA,
        None,
        "'objectives'",
    ),
    (
        "objectives-empty",
        _edit(ALPHA, '[\n  "Explain alpha.",\n  "Apply alpha.",\n]', "[]"),
        ALPHA,
        3,
        "at least 1",
    ),
    ("objectives-blank-item", _edit(ALPHA, '"Apply alpha."', '" "'), ALPHA, 3, "objectives[1]"),
    ("objectives-int-item", _edit(ALPHA, '"Apply alpha."', "5"), ALPHA, 3, "objectives[1]"),
    (
        "objectives-string",
        _edit(ALPHA, '[\n  "Explain alpha.",\n  "Apply alpha.",\n]', '"x"'),
        ALPHA,
        3,
        "list",
    ),
    ("no-duration", _edit(ALPHA, "duration_minutes = 60\n", ""), ALPHA, None, "'duration_minutes'"),
    (
        "duration-zero",
        _edit(ALPHA, "duration_minutes = 60", "duration_minutes = 0"),
        ALPHA,
        7,
        "minutes",
    ),
    (
        "duration-negative",
        _edit(ALPHA, "duration_minutes = 60", "duration_minutes = -5"),
        ALPHA,
        7,
        "minutes",
    ),
    (
        "duration-too-long",
        _edit(ALPHA, "duration_minutes = 60", "duration_minutes = 1441"),
        ALPHA,
        7,
        "minutes",
    ),
    (
        "duration-string",
        _edit(ALPHA, "duration_minutes = 60", 'duration_minutes = "60"'),
        ALPHA,
        7,
        "minutes",
    ),
    (
        "duration-float",
        _edit(ALPHA, "duration_minutes = 60", "duration_minutes = 60.0"),
        ALPHA,
        7,
        "minutes",
    ),
    (
        "duration-bool",
        _edit(ALPHA, "duration_minutes = 60", "duration_minutes = true"),
        ALPHA,
        7,
        "minutes",
    ),
    ("indicator-48", _edit(ALPHA, "[1, 2]", "[1, 48]"), ALPHA, 8, "indicators[1]"),
    ("indicator-0", _edit(ALPHA, "[1, 2]", "[0, 2]"), ALPHA, 8, "indicators[0]"),
    ("indicator-string", _edit(ALPHA, "[1, 2]", '[1, "2"]'), ALPHA, 8, "indicators[1]"),
    ("indicator-duplicate", _edit(ALPHA, "[1, 2]", "[2, 1, 2]"), ALPHA, 8, "more than once"),
    ("indicators-not-list", _edit(ALPHA, "[1, 2]", "1"), ALPHA, 8, "list"),
    (
        "meeting-duration-zero",
        _edit(ALPHA, "duration_minutes = 45", "duration_minutes = 0"),
        ALPHA,
        11,
        "'meeting.duration_minutes'",
    ),
    (
        "meeting-no-duration",
        _edit(ALPHA, "duration_minutes = 45\n", ""),
        ALPHA,
        10,
        "'meeting.duration_minutes'",
    ),
    (
        "meeting-no-agenda",
        _edit(ALPHA, 'agenda = [\n  "10 min: opening",\n  "35 min: practice",\n]\n', ""),
        ALPHA,
        10,
        "'meeting.agenda'",
    ),
    (
        "meeting-agenda-string",
        _edit(
            ALPHA, 'agenda = [\n  "10 min: opening",\n  "35 min: practice",\n]', 'agenda = "talk"'
        ),
        ALPHA,
        12,
        "'meeting.agenda' must be a list",
    ),
    (
        "meeting-agenda-int",
        _edit(ALPHA, '"35 min: practice"', "35"),
        ALPHA,
        12,
        "meeting.agenda[1]",
    ),
    (
        "meeting-unknown-key",
        _edit(ALPHA, "duration_minutes = 45", "duration_minutes = 45\nplace = 1"),
        ALPHA,
        12,
        "'meeting.place'",
    ),
    (
        "meeting-not-table",
        lambda root: (root / ALPHA).write_text(BETA_HEAD + 'meeting = "x"\n' + BETA_ACTIVITIES),
        ALPHA,
        6,
        "'meeting' must be a table",
    ),
    (
        "meeting-inline-table",
        lambda root: (root / ALPHA).write_text(
            BETA_HEAD + "meeting = { duration_minutes = 0, agenda = [] }\n" + BETA_ACTIVITIES
        ),
        ALPHA,
        6,
        "'meeting.duration_minutes'",
    ),
    ("material-not-utf8", _write_bytes(MAT, b"# Title\n\nfine\ncaf\xe9\n"), MAT, 4, "UTF-8"),
    ("material-empty", _write_bytes(MAT, b""), MAT, None, "empty"),
    ("material-blank", _write_bytes(MAT, b" \n\n\t\n"), MAT, None, "empty"),
    (
        "material-too-big",
        _write_bytes(MAT, b"word " * (MAX_MATERIAL_BYTES // 5 + 1)),
        MAT,
        None,
        "200 KB",
    ),
    (
        "file-too-big",
        _write_bytes(f"{A}/video.bin", b"\0" * (MAX_FILE_BYTES + 1)),
        f"{A}/video.bin",
        None,
        "1 MB",
    ),
    (
        "material-over-1mb",
        _write_bytes(MAT, b"word " * (MAX_FILE_BYTES // 5 + 1)),
        MAT,
        None,
        "1 MB",
    ),
    ("toml-over-1mb", _write_bytes(ALPHA, b"#" * (MAX_FILE_BYTES + 1)), ALPHA, None, "1 MB"),
    # [unlock]
    (
        "unlock-unknown-key",
        _unlock(BETA, 'before = ["01-alpha"]\n'),
        BETA,
        8,
        "unknown key 'unlock.before'",
    ),
    (
        "unlock-not-table",
        _edit(BETA, "indicators = []\n", "indicators = []\nunlock = 2027-02-01\n"),
        BETA,
        6,
        "'unlock' must be a table ([unlock] with on and/or after), not a date",
    ),
    (
        "unlock-on-string",
        _unlock(BETA, 'on = "2027-02-01"\n'),
        BETA,
        8,
        "'unlock.on' must be a date written without quotes, like on = 2027-02-01, not a string",
    ),
    (
        "unlock-on-datetime",
        _unlock(BETA, 'after = ["01-alpha"]\non = 2027-02-01T08:00:00\n'),
        BETA,
        9,
        "'unlock.on' must be a date written without quotes, like on = 2027-02-01, not a date-time",
    ),
    ("unlock-on-time", _unlock(BETA, "on = 08:00:00\n"), BETA, 8, "not a time"),
    ("unlock-on-int", _unlock(BETA, "on = 20270201\n"), BETA, 8, "not an integer"),
    (
        "unlock-after-string",
        _unlock(BETA, 'after = "01-alpha"\n'),
        BETA,
        8,
        "'unlock.after' must be a list of strings, not a string",
    ),
    (
        "unlock-after-int-item",
        _unlock(BETA, "after = [1]\n"),
        BETA,
        8,
        "unlock.after[0] must be a string, not an integer",
    ),
    (
        "unlock-after-duplicate",
        _unlock(BETA, 'after = ["01-alpha", "01-alpha"]\n'),
        BETA,
        8,
        "module '01-alpha' is listed more than once in 'unlock.after'",
    ),
    (
        "unlock-after-itself",
        _unlock(BETA, 'on = 2027-02-01\nafter = [\n  "01-alpha",\n  "02-beta",\n]\n'),
        BETA,
        11,
        "'unlock.after' lists this module ('02-beta') itself; a module cannot depend on itself",
    ),
    (
        "unlock-after-later-module",
        _unlock(ALPHA, 'after = ["02-beta"]\n'),
        ALPHA,
        11,
        "'unlock.after' lists '02-beta', which comes later in course.toml modules; "
        "a module can only depend on modules listed before it",
    ),
    (
        "unlock-after-unknown-module",
        _unlock(BETA, "after = ['01-alpha', '03-gamma']\n"),
        BETA,
        8,
        "'unlock.after' lists '03-gamma', which is not a module of this course",
    ),
    # [[activities]]
    (
        "activities-missing",
        _write(BETA, BETA_HEAD),
        BETA,
        None,
        "a module needs at least one activity",
    ),
    (
        "activities-empty",
        _write(BETA, BETA_HEAD + "activities = []\n"),
        BETA,
        6,
        "a module needs at least one activity",
    ),
    (
        "activities-plain-table",
        _write(BETA, BETA_HEAD + '\n[activities]\nkey = "read"\n'),
        BETA,
        7,
        "'activities' must be an array of tables ([[activities]] with key, type and title), "
        "not a table",
    ),
    (
        "activities-string",
        _write(BETA, BETA_HEAD + 'activities = "read"\n'),
        BETA,
        6,
        "'activities' must be an array of tables",
    ),
    (
        "activity-not-table",
        _write(BETA, BETA_HEAD + 'activities = ["read"]\n'),
        BETA,
        6,
        "activities[0] must be a table (key, type, title), not a string",
    ),
    (
        "activity-inline-table-problem",
        _write(BETA, BETA_HEAD + 'activities = [{ key = "read", type = "survei", title = "R" }]\n'),
        BETA,
        6,
        "unknown activity type 'survei'",
    ),
    (
        "activity-no-key",
        _edit(BETA, 'key = "read"\n', ""),
        BETA,
        7,
        "missing required key 'activities[0].key'",
    ),
    (
        "activity-key-not-slug",
        _edit(BETA, 'key = "read"', 'key = "Read_1"'),
        BETA,
        8,
        "'activities[0].key' must be lowercase ASCII letters, digits and single hyphens "
        "(at most 64 characters, like 'bacaan'), not 'Read_1'",
    ),
    (
        "activity-key-too-long",
        _edit(BETA, 'key = "read"', f'key = "{"a" * 65}"'),
        BETA,
        8,
        "'activities[0].key' must be lowercase",
    ),
    (
        "activity-key-int",
        _edit(BETA, 'key = "read"', "key = 1"),
        BETA,
        8,
        "'activities[0].key' must be a string, not an integer",
    ),
    (
        "activity-key-duplicate",
        _edit(ALPHA, 'key = "meet"', 'key = "read"'),
        ALPHA,
        23,
        "activity key 'read' is used more than once in this module",
    ),
    (
        "activity-no-type",
        _edit(BETA, 'type = "reading"\n', ""),
        BETA,
        7,
        "missing required key 'activities[0].type'",
    ),
    (
        "activity-type-unknown",
        _edit(BETA, 'type = "reading"', 'type = "survei"'),
        BETA,
        9,
        "unknown activity type 'survei' in activities[0]; known types: assignment, discussion,"
        " meeting, quiz, reading",
    ),
    (
        "activity-type-int",
        _edit(BETA, 'type = "reading"', "type = 3"),
        BETA,
        9,
        "'activities[0].type' must be a string, not an integer",
    ),
    (
        "activity-no-title",
        _edit(ALPHA, 'title = "Join the meeting"\n', ""),
        ALPHA,
        22,
        "missing required key 'activities[1].title'",
    ),
    (
        "activity-title-empty",
        _edit(BETA, '"Read the material"', '" "'),
        BETA,
        10,
        "'activities[0].title' must not be empty",
    ),
    (
        "activity-title-too-long",
        _edit(BETA, '"Read the material"', f'"{"x" * 201}"'),
        BETA,
        10,
        "'activities[0].title' must be at most 200 characters, not 201",
    ),
    (
        "activity-setting-inline-table",
        _write(BETA, BETA_TOML + "extra = { a = 1 }\n"),
        BETA,
        11,
        "setting 'activities[0].extra' must not be a table",
    ),
    (
        "activity-setting-sub-table",
        _write(BETA, BETA_TOML + "\n[activities.extra]\na = 1\n"),
        BETA,
        12,  # the [activities.extra] header, which belongs to activities[0]
        "setting 'activities[0].extra' must not be a table",
    ),
    (
        "activity-setting-table-in-an-array-of-tables",
        _write(BETA, BETA_TOML + "parts = [{ a = { b = 1 } }]\n"),
        BETA,
        11,
        "setting 'activities[0].parts[0].a' must not be a table; an activity's settings may be",
    ),
    (
        "activity-setting-mixed-array",
        _write(BETA, BETA_TOML + "parts = [1, { a = 1 }]\n"),
        BETA,
        11,
        "setting 'activities[0].parts' must not mix tables and other values in one array",
    ),
    (
        "activity-setting-nested-array",
        _write(BETA, BETA_TOML + "grid = [[1, 2], [3]]\n"),
        BETA,
        11,
        "setting 'activities[0].grid' must not hold nested arrays",
    ),
    (
        "activity-setting-datetime",
        _write(BETA, BETA_TOML + "opens = [2027-02-01T08:00:00]\n"),
        BETA,
        11,
        "setting 'activities[0].opens' must not be a date-time",
    ),
    (
        "activity-setting-nan",
        _write(BETA, BETA_TOML + "weight = nan\n"),
        BETA,
        11,
        "setting 'activities[0].weight' must be a finite number, not nan",
    ),
    (
        "activity-setting-rejected-by-type",
        _write(BETA, BETA_TOML + "pages = 3\n"),
        BETA,
        11,
        "setting 'activities[0].pages': This activity type has no setting called “pages”.",
    ),
    (
        "activity-setting-of-second-activity",
        _edit(ALPHA, 'title = "Join the meeting"', 'title = "Join the meeting"\nroom = "A"'),
        ALPHA,
        26,
        "setting 'activities[1].room': This activity type has no setting called “room”.",
    ),
    (
        "activity-requires-meeting",
        _edit(BETA, 'type = "reading"', 'type = "meeting"'),
        BETA,
        9,
        "activity type 'meeting' (activities[0]) needs the module to have a [meeting] table",
    ),
]


@pytest.mark.parametrize(
    ("change", "file", "line", "fragment"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_problem_names_file_and_line(package, change, file, line, fragment):
    change(package)
    course, problems = load_package(package)
    assert course is None
    problem = matching(problems, file, fragment)
    assert problem.line == line, problems


def test_material_over_1mb_is_reported_once(package):
    (package / MAT).write_bytes(b"word " * (MAX_FILE_BYTES // 5 + 1))
    _, problems = load_package(package)
    assert [p.file for p in problems] == [MAT]


def test_key_lines_ignore_multiline_strings_and_other_tables(package):
    text = 'title = "Alpha"\nsummary = """\n[meeting]\nduration_minutes = 5\n"""\n'
    rest = (package / ALPHA).read_text(encoding="utf-8").split("\n", 2)[2]
    (package / ALPHA).write_text(text + rest.replace("= 60", "= 0"), encoding="utf-8")
    _, problems = load_package(package)
    problem = matching(problems, ALPHA, "'duration_minutes'")
    assert problem.line == 10
    assert (package / ALPHA).read_text(encoding="utf-8").splitlines()[9] == "duration_minutes = 0"


def test_every_problem_is_reported_at_once(package):
    edit(package, "course.toml", '"1.0.0"', '"1"')
    edit(package, "course.toml", '"en"', '"de"')
    edit(package, "course.toml", '  "02-beta",\n', '  "02-beta",\n  "04-missing",\n')
    edit(package, ALPHA, "[1, 2]", "[99]")
    edit(package, ALPHA, "duration_minutes = 45", "duration_minutes = -1")
    (package / "02-beta" / "material.md").write_bytes(b"")
    (package / "02-beta" / "module.toml").write_text(
        BETA_HEAD + "colour = 'red'\n" + BETA_ACTIVITIES
    )
    _extra_module(package)
    course, problems = load_package(package)
    assert course is None
    assert [str(p) for p in problems] == [
        "course.toml:4: 'version' must look like 1.0.0 (major.minor.patch), not '1'",
        "course.toml:5: 'language' must be one of id, en, not 'de'",
        "course.toml:10: module '04-missing' is listed but its folder is missing",
        "01-alpha/module.toml:8: indicators[0] must be an SPBE indicator number from 1 to 47,"
        " not 99",
        "01-alpha/module.toml:11: 'meeting.duration_minutes' must be a whole number of minutes"
        " from 1 to 1440, not -1",
        "02-beta/material.md: material is empty",
        "02-beta/module.toml:6: unknown key 'colour'; known keys: title, summary, objectives,"
        " duration_minutes, indicators, unlock, meeting, activities",
        "03-extra: module folder is not listed in course.toml modules",
    ]


def test_module_folders_are_checked_even_when_course_toml_is_broken(package):
    edit(package, "course.toml", "format = 1", "format = ")
    edit(package, ALPHA, "[1, 2]", "[1, 1]")
    _, problems = load_package(package)
    assert [(p.file, p.line) for p in problems] == [("course.toml", 1), (ALPHA, 8)]


def test_missing_package_folder(tmp_path):
    course, problems = load_package(tmp_path / "nowhere")
    assert course is None
    assert [p.file for p in problems] == ["."]
    (tmp_path / "file").write_text("x")
    assert load_package(tmp_path / "file")[1][0].message == "package path is not a folder"


def test_hidden_files_and_extra_files_are_allowed(package):
    (package / ".git").mkdir()
    (package / "README.md").write_text("about", encoding="utf-8")
    (package / A / "notes.txt").write_text("more", encoding="utf-8")
    assert load_package(package)[1] == []


# ------------------------------------------------------------ activities and unlock


class Survey:
    """A tiny activity type of the tests' own: `items` (questions) and `points`."""

    name = "survey"
    known = ("anonymous", "closes", "items", "notes", "points", "scale", "tags", "weight")

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def validate_config(self, config: dict[str, Any]) -> list[ConfigProblem]:
        self.seen.append(config)
        problems = [
            ConfigProblem(key, f"survey has no setting {key!r}")
            for key in sorted(config)
            if key not in self.known
        ]
        items = config.get("items")
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            problems.append(ConfigProblem("items", "items must be a list of questions"))
        points = config.get("points", 0)
        if not isinstance(points, int) or isinstance(points, bool) or points < 0:
            problems.append(ConfigProblem("points", "points must be a whole number, 0 or more"))
        if config.get("weight") == 0:
            problems.append(ConfigProblem(None, "a survey with weight 0 counts for nothing"))
        return problems


def survey_types() -> dict[str, Any]:
    return {"reading": ReadingActivity(), "meeting": MeetingActivity(), "survey": Survey()}


SURVEY = ActivityPackage(
    key="survei",
    type="survey",
    title="Isi survei",
    settings=(
        ("anonymous", True),
        ("closes", datetime.date(2027, 3, 1)),
        ("items", ("Apa itu SPBE?", 'Kata "indeks"?')),
        ("notes", "multi\nline"),
        ("points", -0),
        ("scale", (1, 2.5, False, datetime.date(2027, 1, 1), "x")),
        ("tags", ()),
        ("weight", 1e-05),
    ),
)

SURVEY_MODULE_TOML = '''\
title = "Survey"
summary = "With settings."
objectives = [
  "Answer.",
]
duration_minutes = 30
indicators = []

[unlock]
on = 2027-02-01
after = [
  "01-first",
]

[meeting]
duration_minutes = 60
agenda = []

[[activities]]
key = "survei"
type = "survey"
title = "Isi survei"
anonymous = true
closes = 2027-03-01
items = [
  "Apa itu SPBE?",
  "Kata \\"indeks\\"?",
]
notes = """
multi
line"""
points = 0
scale = [1, 2.5, false, 2027-01-01, "x"]
tags = []
weight = 1e-05

[[activities]]
key = "temu"
type = "meeting"
title = "Bertemu"
'''


def survey_course() -> CoursePackage:
    first = ModulePackage(
        slug="01-first",
        title="First",
        summary="Plain.",
        objectives=("Read.",),
        duration_minutes=10,
        indicators=(),
        meeting=None,
        material=MATERIAL,
        unlock=UnlockRule(on=datetime.date(2027, 1, 15), after=()),
        activities=(ActivityPackage("baca", "reading", "Baca", ()),),
    )
    second = ModulePackage(
        slug="02-survey",
        title="Survey",
        summary="With settings.",
        objectives=("Answer.",),
        duration_minutes=30,
        indicators=(),
        meeting=MeetingPlan(60, ()),
        material=MATERIAL,
        unlock=UnlockRule(on=datetime.date(2027, 2, 1), after=("01-first",)),
        activities=(SURVEY, ActivityPackage("temu", "meeting", "Bertemu", ())),
    )
    return CoursePackage(
        slug="survey",
        title="Survey",
        version="1.0.0",
        language="id",
        description="",
        modules=(first, second),
    )


def test_round_trip_of_unlock_rules_and_activity_settings(tmp_path):
    course = survey_course()
    dump_package(course, tmp_path / "a")
    written = (tmp_path / "a" / "02-survey" / "module.toml").read_text(encoding="utf-8")
    assert written == SURVEY_MODULE_TOML
    first = (tmp_path / "a" / "01-first" / "module.toml").read_text(encoding="utf-8")
    assert first.endswith(
        'indicators = []\n\n[unlock]\non = 2027-01-15\n\n[[activities]]\nkey = "baca"\n'
        'type = "reading"\ntitle = "Baca"\n'
    )

    types = survey_types()
    loaded, problems = load_package(tmp_path / "a", types)
    assert problems == []
    assert loaded == course
    assert types["survey"].seen == [SURVEY.settings_dict()]
    dump_package(loaded, tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert content_hash(loaded) == content_hash(course)


def test_dump_refuses_a_setting_named_like_an_activity_key(tmp_path):
    course = survey_course()
    first = course.modules[0]
    bad = dataclasses.replace(first.activities[0], settings=(("title", "x"),))
    changed = dataclasses.replace(first, activities=(bad,))
    with pytest.raises(ValueError, match="setting named 'title'"):
        dump_package(dataclasses.replace(course, modules=(changed,)), tmp_path / "out")


def test_settings_dict_gives_lists_back():
    assert SURVEY.settings_dict() == {
        "anonymous": True,
        "closes": datetime.date(2027, 3, 1),
        "items": ["Apa itu SPBE?", 'Kata "indeks"?'],
        "notes": "multi\nline",
        "points": 0,
        "scale": [1, 2.5, False, datetime.date(2027, 1, 1), "x"],
        "tags": [],
        "weight": 1e-05,
    }
    hash(SURVEY)  # everything held is hashable


def test_settings_are_held_sorted_by_key(package):
    edit(package, BETA, 'type = "reading"', 'type = "survey"')
    edit(package, BETA, 'title = "Read the material"', 'title = "R"\npoints = 3\nitems = ["q"]')
    course, problems = load_package(package, survey_types())
    assert problems == []
    assert course is not None
    assert course.modules[1].activities == (
        ActivityPackage("read", "survey", "R", (("items", ("q",)), ("points", 3))),
    )


SURVEY_BETA = (
    BETA_HEAD
    + """
[[activities]]
key = "read"
type = "reading"
title = "Read the material"

[[activities]]
type = "survey"
title = "Survey"
items = "not a list"
colour = "red"
weight = 0
points = 2
"""
)


def test_config_problems_are_reported_at_the_line_of_their_setting(package):
    (package / BETA).write_text(SURVEY_BETA, encoding="utf-8")
    course, problems = load_package(package, survey_types())
    assert course is None
    assert [str(p) for p in problems] == [
        # `key` is missing: reported at the [[activities]] header
        "02-beta/module.toml:12: missing required key 'activities[1].key'",
        # a problem with the settings as a whole (key None): also the header
        "02-beta/module.toml:12: settings of activities[1]: a survey with weight 0 counts for"
        " nothing",
        "02-beta/module.toml:15: setting 'activities[1].items': items must be a list of questions",
        "02-beta/module.toml:16: setting 'activities[1].colour': survey has no setting 'colour'",
    ]


def test_a_config_problem_for_a_setting_not_in_the_file_points_at_the_header(package):
    edit(package, BETA, 'type = "reading"', 'type = "survey"')
    _, problems = load_package(package, survey_types())
    problem = matching(problems, BETA, "items must be a list of questions")
    assert problem.line == 7
    assert problem.message == "setting 'activities[0].items': items must be a list of questions"


def test_config_problem_messages_are_plain_strings(package):
    """The built-in types answer with lazily translated strings: held as str."""
    edit(package, BETA, 'title = "Read the material"', 'title = "R"\npages = 3')
    _, problems = load_package(package)
    problem = matching(problems, BETA, "pages")
    assert type(problem.message) is str
    assert problem.line == 11


def test_validate_config_is_not_called_with_bad_setting_values(package):
    types = survey_types()
    edit(package, BETA, 'type = "reading"', 'type = "survey"')
    edit(package, BETA, 'title = "Read the material"', 'title = "R"\nitems = [["q"]]')
    _, problems = load_package(package, types)
    assert types["survey"].seen == []
    assert [str(p) for p in problems] == [
        "02-beta/module.toml:11: setting 'activities[0].items' must not hold nested arrays;"
        " an activity's settings may be strings, numbers, booleans, dates, arrays of those,"
        " and arrays of tables holding those"
    ]


def test_an_activity_type_that_fails_is_a_problem_not_a_crash(package):
    class Broken:
        def validate_config(self, config):
            raise KeyError("boom")

    edit(package, BETA, 'type = "reading"', 'type = "broken"')
    _, problems = load_package(package, {"broken": Broken()})
    problem = matching(problems, BETA, "failed to check")
    assert problem.line == 7
    assert problem.message == (
        "activity type 'broken' failed to check the settings of activities[0]: KeyError: 'boom'"
    )


def test_the_given_activity_types_are_the_known_ones(package):
    _, problems = load_package(package, {"reading": ReadingActivity()})
    problem = matching(problems, ALPHA, "unknown activity type")
    assert problem.line == 24
    assert problem.message == (
        "unknown activity type 'meeting' in activities[1]; known types: reading"
    )
    assert len(problems) == 1, problems


def test_requires_meeting_is_read_with_getattr(package):
    class Plain:  # no requires_meeting attribute at all
        def validate_config(self, config):
            return []

    class Live(Plain):
        requires_meeting = True

    edit(package, BETA, 'type = "reading"', 'type = "plain"')
    course, problems = load_package(
        package, {"reading": Plain(), "plain": Plain(), "meeting": Live()}
    )
    assert problems == [] and course is not None
    edit(package, BETA, 'type = "plain"', 'type = "meeting"')
    _, problems = load_package(package, {"reading": Plain(), "plain": Plain(), "meeting": Live()})
    assert [(p.file, p.line) for p in problems] == [(BETA, 9)]
    assert "needs the module to have a [meeting] table" in problems[0].message


def test_an_invalid_meeting_does_not_also_report_requires_meeting(package):
    edit(package, ALPHA, "duration_minutes = 45", "duration_minutes = 0")
    _, problems = load_package(package)
    assert [(p.file, p.line) for p in problems] == [(ALPHA, 11)]


def test_unlock_after_an_earlier_module_and_on_a_date_load(package):
    _unlock(BETA, 'on = 2027-02-01 # a comment\nafter = ["01-alpha"]\n')(package)
    course, problems = load_package(package)
    assert problems == []
    assert course is not None
    assert course.modules[1].unlock == UnlockRule(datetime.date(2027, 2, 1), ("01-alpha",))


def test_unlock_after_is_not_checked_without_a_usable_course_toml(package):
    edit(package, "course.toml", "format = 1", "format = ")
    _unlock(BETA, 'after = ["09-nowhere"]\n')(package)
    _, problems = load_package(package)
    assert [(p.file, p.line) for p in problems] == [("course.toml", 1)]


def test_activity_keys_may_repeat_across_modules_and_lines_stay_in_their_table(package):
    # Both modules use key "read"; a top-level key after the activities is not in them.
    course, problems = load_package(package)
    assert problems == [] and course is not None
    edit(package, BETA, 'title = "Read the material"', 'title = "Read the material"\ntitle2 = 1')
    _, problems = load_package(package)
    assert [(p.file, p.line) for p in problems] == [(BETA, 11)]


def test_content_hash_covers_activities_and_unlock(package):
    course, _ = load_package(package)
    assert course is not None
    digest = content_hash(course)
    alpha = course.modules[0]

    def with_alpha(**changes: Any) -> CoursePackage:
        changed = dataclasses.replace(alpha, **changes)
        return dataclasses.replace(course, modules=(changed, *course.modules[1:]))

    retitled = dataclasses.replace(alpha.activities[0], title="Read it all")
    assert content_hash(with_alpha(activities=(retitled, alpha.activities[1]))) != digest
    assert content_hash(with_alpha(activities=alpha.activities[::-1])) != digest
    dated = with_alpha(unlock=UnlockRule(datetime.date(2027, 2, 1), ()))
    assert content_hash(dated) != digest
    later = with_alpha(unlock=UnlockRule(datetime.date(2027, 2, 2), ()))
    assert content_hash(later) != content_hash(dated)
    as_date = dataclasses.replace(alpha.activities[0], settings=(("d", datetime.date(2027, 2, 1)),))
    as_text = dataclasses.replace(alpha.activities[0], settings=(("d", "2027-02-01"),))
    assert content_hash(with_alpha(activities=(as_date,))) != content_hash(
        with_alpha(activities=(as_text,))
    )


# ------------------------------------------- activity settings: arrays of tables


class Graded:
    """A fake activity type of the tests' own with a rubric: `[[activities.rubric]]` tables
    of criterion, levels and points (rising), plus `brief` and `pass_percent`."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def validate_config(self, config: dict[str, Any]) -> list[ConfigProblem]:
        self.seen.append(config)
        problems = [
            ConfigProblem(key, f"graded has no setting {key!r}")
            for key in sorted(config)
            if key not in ("brief", "pass_percent", "rubric", "tags")
        ]
        for index, row in enumerate(config.get("rubric", [])):
            points = row.get("points")
            if not isinstance(points, list) or points != sorted(set(points)):
                problems.append(ConfigProblem(f"rubric[{index}].points", "points must rise"))
        return problems


def graded_types() -> dict[str, Any]:
    return {"reading": ReadingActivity(), "meeting": MeetingActivity(), "graded": Graded()}


RUBRIC = (
    (
        ("criterion", "Ketepatan analisis"),
        ("levels", ("Belum memadai", "Cukup", "Baik", "Sangat baik")),
        ("points", (0, 2, 3, 4)),
    ),
    (
        ("criterion", 'Bukti "dukung"'),
        ("levels", ("Tidak ada", "Ada")),
        ("points", (0, 1.5)),
    ),
)
GRADED = ActivityPackage(
    key="tugas",
    type="graded",
    title="Tugas praktik",
    settings=(
        ("brief", "Langkah:\n\n1. Petakan “regulasi”.\n2. Unggah.\n"),
        ("pass_percent", 60),
        ("rubric", RUBRIC),
        ("tags", ()),
    ),
)
GRADED_AGAIN = ActivityPackage(
    key="tugas-2",
    type="graded",
    title="Tugas lagi",
    settings=(("rubric", ((("criterion", "Satu"), ("levels", ("A", "B")), ("points", (0, 1))),)),),
)

# Written as `dump_package` writes it: line numbers below are pinned by this text.
GRADED_MODULE_TOML = '''\
title = "Graded"
summary = "With a rubric."
objectives = [
  "Submit.",
]
duration_minutes = 30
indicators = []

[[activities]]
key = "baca"
type = "reading"
title = "Baca"

[[activities]]
key = "tugas"
type = "graded"
title = "Tugas praktik"
brief = """
Langkah:

1. Petakan “regulasi”.
2. Unggah.
"""
pass_percent = 60
tags = []

[[activities.rubric]]
criterion = "Ketepatan analisis"
levels = [
  "Belum memadai",
  "Cukup",
  "Baik",
  "Sangat baik",
]
points = [0, 2, 3, 4]

[[activities.rubric]]
criterion = "Bukti \\"dukung\\""
levels = [
  "Tidak ada",
  "Ada",
]
points = [0, 1.5]

[[activities]]
key = "tugas-2"
type = "graded"
title = "Tugas lagi"

[[activities.rubric]]
criterion = "Satu"
levels = [
  "A",
  "B",
]
points = [0, 1]
'''


def graded_course(*activities: ActivityPackage) -> CoursePackage:
    module = ModulePackage(
        slug="01-graded",
        title="Graded",
        summary="With a rubric.",
        objectives=("Submit.",),
        duration_minutes=30,
        indicators=(),
        meeting=None,
        material=MATERIAL,
        unlock=None,
        activities=activities
        or (ActivityPackage("baca", "reading", "Baca", ()), GRADED, GRADED_AGAIN),
    )
    return CoursePackage(
        slug="graded",
        title="Graded",
        version="1.0.0",
        language="id",
        description="",
        modules=(module,),
    )


GRADED_FILE = "01-graded/module.toml"


@pytest.fixture
def graded(tmp_path: Path) -> Path:
    """A one-module package (as `dump_package` writes it) with two graded activities."""
    dump_package(graded_course(), tmp_path / "graded")
    return tmp_path / "graded"


def test_pinned_lines_of_the_graded_module():
    assert line_of(GRADED_MODULE_TOML, "[[activities]]", 2) == 14
    assert line_of(GRADED_MODULE_TOML, "[[activities.rubric]]", 2) == 37
    assert line_of(GRADED_MODULE_TOML, "points = [0, 1.5]", 1) == 43
    assert line_of(GRADED_MODULE_TOML, "[[activities.rubric]]", 3) == 50
    assert line_of(GRADED_MODULE_TOML, "points = [0, 1]", 1) == 56


def test_round_trip_of_a_rubric(tmp_path, graded):
    course = graded_course()
    assert (graded / GRADED_FILE).read_text(encoding="utf-8") == GRADED_MODULE_TOML
    types = graded_types()
    loaded, problems = load_package(graded, types)
    assert problems == []
    assert loaded == course
    assert types["graded"].seen == [GRADED.settings_dict(), GRADED_AGAIN.settings_dict()]
    dump_package(loaded, tmp_path / "again")
    assert tree(tmp_path / "again") == tree(graded)
    again, problems = load_package(tmp_path / "again", graded_types())
    assert problems == [] and again == course
    assert content_hash(again) == content_hash(course)


def test_settings_dict_gives_a_rubric_back_as_a_list_of_dicts():
    settings = GRADED.settings_dict()
    assert settings["rubric"] == [
        {
            "criterion": "Ketepatan analisis",
            "levels": ["Belum memadai", "Cukup", "Baik", "Sangat baik"],
            "points": [0, 2, 3, 4],
        },
        {"criterion": 'Bukti "dukung"', "levels": ["Tidak ada", "Ada"], "points": [0, 1.5]},
    ]
    assert settings["tags"] == []
    assert freeze_config(settings) == GRADED.settings
    parsed = tomllib.loads(GRADED_MODULE_TOML)["activities"][1]
    assert settings == {k: v for k, v in parsed.items() if k not in ("key", "type", "title")}
    hash(GRADED)  # everything held is hashable


def test_a_rubric_given_as_dicts_is_frozen():
    """As an export from stored (JSON) settings gives it: lists of dicts."""
    thawed = ActivityPackage(
        "tugas", "graded", "Tugas praktik", tuple(GRADED.settings_dict().items())
    )
    assert thawed == GRADED
    assert hash(thawed) == hash(GRADED)


def test_an_empty_array_of_tables_writes_no_tables(tmp_path):
    empty = dataclasses.replace(GRADED, settings=(("pass_percent", 60), ("rubric", ())))
    course = graded_course(empty)
    dump_package(course, tmp_path / "a")
    written = (tmp_path / "a" / GRADED_FILE).read_text(encoding="utf-8")
    assert "[[activities.rubric]]" not in written
    assert written.endswith('title = "Tugas praktik"\npass_percent = 60\nrubric = []\n')
    loaded, problems = load_package(tmp_path / "a", graded_types())
    assert problems == [] and loaded == course
    dump_package(loaded, tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_a_problem_in_the_second_rubric_table_is_reported_at_its_line(graded):
    edit(graded, GRADED_FILE, "points = [0, 1.5]", "points = [1.5, 0]")
    course, problems = load_package(graded, graded_types())
    assert course is None
    assert [str(p) for p in problems] == [
        f"{GRADED_FILE}:43: setting 'activities[1].rubric[1].points': points must rise"
    ]


def test_a_problem_for_a_key_missing_from_a_rubric_table_points_at_its_header(graded):
    edit(graded, GRADED_FILE, "points = [0, 1.5]\n", "")
    _, problems = load_package(graded, graded_types())
    assert [(p.line, p.message) for p in problems] == [
        (37, "setting 'activities[1].rubric[1].points': points must rise")
    ]


def test_rubric_lines_stay_in_their_activity(graded):
    edit(graded, GRADED_FILE, "points = [0, 1]", "points = [1, 0]")
    _, problems = load_package(graded, graded_types())
    assert [(p.line, p.message) for p in problems] == [
        (56, "setting 'activities[2].rubric[0].points': points must rise")
    ]


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "points = [0, 1.5]",
            "points = [0, 1.5]\n\n[activities.rubric.extra]\nnote = 1",
            45,
            "setting 'activities[1].rubric[1].extra' must not be a table",
        ),
        (
            "points = [0, 1.5]",
            "points = [0, 1.5]\n\n[[activities.rubric.notes]]\nnote = 1",
            45,
            "setting 'activities[1].rubric[1].notes' must not hold nested arrays or tables",
        ),
        (
            "points = [0, 1.5]",
            "points = [0, 1.5]\nextra = { note = 1 }",
            44,
            "setting 'activities[1].rubric[1].extra' must not be a table",
        ),
        (
            "points = [0, 1.5]",
            "points = [[0], [1.5]]",
            43,
            "setting 'activities[1].rubric[1].points' must not hold nested arrays or tables",
        ),
        (
            "points = [0, 1.5]",
            "points = [0, 2027-01-01T10:00:00]",
            43,
            "setting 'activities[1].rubric[1].points' must not be a date-time",
        ),
    ],
    ids=[
        "table-in-a-rubric-row",
        "array-of-tables-in-a-rubric-row",
        "inline-table",
        "nested-array",
        "date-time",
    ],
)
def test_deeper_nesting_in_a_rubric_is_refused(graded, old, new, line, message):
    types = graded_types()
    edit(graded, GRADED_FILE, old, new)
    course, problems = load_package(graded, types)
    assert course is None
    assert len(problems) == 1, problems
    assert problems[0].line == line, problems
    assert problems[0].message.startswith(message), problems
    assert types["graded"].seen == [GRADED_AGAIN.settings_dict()]  # not given to the type


@pytest.mark.parametrize(
    "value",
    [
        (((("inner", ((("deep", 1),),)),)),),  # a table in a table of an array
        ((("nested", ((1,),)),),),  # an array in an array inside a table
        ("scalar", (("a", 1),)),  # scalars and tables in one array
    ],
    ids=["table-in-table", "array-in-array", "mixed"],
)
def test_dump_refuses_deeper_nesting_in_a_setting(tmp_path, value):
    bad = dataclasses.replace(GRADED, settings=(("rubric", value),))
    with pytest.raises(TypeError, match="cannot write"):
        dump_package(graded_course(bad), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_content_hash_covers_a_rubric():
    digest = content_hash(graded_course())
    rows = GRADED.settings_dict()["rubric"]
    rows[1]["points"] = [0, 2]
    changed = dataclasses.replace(
        GRADED, settings=freeze_config({**GRADED.settings_dict(), "rubric": rows})
    )
    assert content_hash(graded_course(changed)) != digest
    swapped = dataclasses.replace(
        GRADED, settings=freeze_config({**GRADED.settings_dict(), "rubric": rows[::-1]})
    )
    assert content_hash(graded_course(swapped)) != content_hash(graded_course(changed))


ASSIGNMENT_TOML = '''
[[activities]]
key = "tugas"
type = "assignment"
title = "Tugas praktik Sesi 2"
brief = """
Nilailah lima indikator daerah Anda.
"""
file_types = [
  "pdf",
  "docx",
]
pass_percent = 60
resubmissions = 2
submission = "both"

[[activities.rubric]]
criterion = "Ketepatan tingkat"
levels = [
  "Belum memadai",
  "Cukup",
  "Baik",
  "Sangat baik",
]
points = [0, 2, 3, 4]

[[activities.rubric]]
criterion = "Bukti dukung"
levels = [
  "Belum memadai",
  "Cukup",
  "Baik",
  "Sangat baik",
]
points = [0, 2, 3, 4]
'''


def test_the_assignment_activity_accepts_a_good_rubric(package):
    (package / BETA).write_text(BETA_TOML + ASSIGNMENT_TOML, encoding="utf-8")
    course, problems = load_package(package)
    assert problems == [] and course is not None
    tugas = course.modules[1].activities[1]
    assert tugas.type == "assignment"
    assert [row["criterion"] for row in tugas.settings_dict()["rubric"]] == [
        "Ketepatan tingkat",
        "Bukti dukung",
    ]


def test_the_assignment_activity_refuses_points_that_do_not_rise(package):
    text = BETA_TOML + ASSIGNMENT_TOML
    bad = text[::-1].replace("[0, 2, 3, 4]"[::-1], "[0, 3, 3, 4]"[::-1], 1)[::-1]
    (package / BETA).write_text(bad, encoding="utf-8")
    course, problems = load_package(package)
    assert course is None
    line = len(text.splitlines())  # the last points line, of the second criterion
    assert bad.splitlines()[line - 1] == "points = [0, 3, 3, 4]"
    assert [str(p) for p in problems] == [
        f"{BETA}:{line}: setting 'activities[1].rubric[1].points': Points must rise from the"
        " worst level to the best."
    ]


# ------------------------------------------------------------------ question banks


class Choice:
    """A fake question type of the tests' own: `options` (tables with text, fraction and
    an optional feedback) and `shuffle`."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def validate_config(self, config: dict[str, Any]) -> list[ConfigProblem]:
        self.seen.append(config)
        problems = [
            ConfigProblem(key, f"choice has no setting {key!r}")
            for key in sorted(config)
            if key not in ("options", "shuffle")
        ]
        options = config.get("options")
        if options is None:
            problems.append(ConfigProblem(None, "a choice question needs options"))
        elif len(options) < 2:
            problems.append(ConfigProblem("options", "give at least two options"))
        else:
            for index, option in enumerate(options):
                if not 0 <= option.get("fraction", -1) <= 1:
                    problems.append(
                        ConfigProblem(f"options[{index}].fraction", "a fraction is from 0 to 1")
                    )
        return problems


class Anything:
    """A fake question type that takes any configuration."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def validate_config(self, config: dict[str, Any]) -> list[ConfigProblem]:
        self.seen.append(config)
        return []


def question_types() -> dict[str, Any]:
    return {"choice": Choice(), "any": Anything()}


def load(root: Path, activity_types: dict[str, Any] | None = None, types=None):
    """`load_package` with the tests' question types (and the built-in activity types)."""
    return load_package(root, activity_types, question_types() if types is None else types)


QA = f"{A}/questions.toml"
QB = "02-beta/questions.toml"

# Written as `dump_package` writes it: line numbers below are pinned by this text.
ALPHA_QUESTIONS = '''\
[[questions]]
key = "q01-prinsip"
type = "choice"
name = "Prinsip SPBE"
text = """
Manakah **prinsip** SPBE?
"""
points = 2.5
tags = [
  "pre",
  "indikator-1",
]
feedback = "Lihat Perpres 95/2018."
shuffle = true

[[questions.options]]
feedback = "Tepat."
fraction = 1.0
text = "Efektivitas"

[[questions.options]]
fraction = 0.0
text = "Kemewahan"

[[questions]]
key = "q02-pasangan"
type = "any"
name = "Pasangkan"
text = "Pasangkan istilah \\"SPBE\\" dengan artinya."
closes = 2027-03-01
distractors = [
  "Audit",
  "Arsip",
]
empty = []
flags = [true, false]
scale = [1, 2.5, -3]
weight = 0.25

[[questions.pairs]]
answer = "Sistem Pemerintahan Berbasis Elektronik"
prompt = "SPBE"
synonyms = [
  "e-government",
]

[[questions.pairs]]
answer = "Teknologi Informasi dan Komunikasi"
prompt = "TIK"
synonyms = []

[[questions.steps]]
due = 2027-01-01
order = 1

[[questions]]
key = "q03-lagi"
type = "choice"
name = "Lagi"
text = "Pilih satu."
points = 3

[[questions.options]]
fraction = 0.5
text = "A"

[[questions.options]]
fraction = 1.0
text = "B"

[[questions.options]]
fraction = 0.0
text = "C"
'''

BETA_QUESTIONS = """\
[[questions]]
key = "q04-beta"
type = "any"
name = "Beta"
text = "Beta?"
"""

Q01 = QuestionPackage(
    key="q01-prinsip",
    type="choice",
    name="Prinsip SPBE",
    text="Manakah **prinsip** SPBE?\n",
    points=2.5,
    tags=("pre", "indikator-1"),
    feedback="Lihat Perpres 95/2018.",
    config=(
        (
            "options",
            (
                (("feedback", "Tepat."), ("fraction", 1.0), ("text", "Efektivitas")),
                (("fraction", 0.0), ("text", "Kemewahan")),
            ),
        ),
        ("shuffle", True),
    ),
)
Q02 = QuestionPackage(
    key="q02-pasangan",
    type="any",
    name="Pasangkan",
    text='Pasangkan istilah "SPBE" dengan artinya.',
    points=1,
    tags=(),
    feedback="",
    config=(
        ("closes", datetime.date(2027, 3, 1)),
        ("distractors", ("Audit", "Arsip")),
        ("empty", ()),
        ("flags", (True, False)),
        (
            "pairs",
            (
                (
                    ("answer", "Sistem Pemerintahan Berbasis Elektronik"),
                    ("prompt", "SPBE"),
                    ("synonyms", ("e-government",)),
                ),
                (
                    ("answer", "Teknologi Informasi dan Komunikasi"),
                    ("prompt", "TIK"),
                    ("synonyms", ()),
                ),
            ),
        ),
        ("scale", (1, 2.5, -3)),
        ("steps", ((("due", datetime.date(2027, 1, 1)), ("order", 1)),)),
        ("weight", 0.25),
    ),
)
Q04 = QuestionPackage("q04-beta", "any", "Beta", "Beta?")


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The line number of the `occurrence`-th line of `text` that is exactly `needle`."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if line == needle]
    return found[occurrence - 1]


@pytest.fixture
def bank(package: Path) -> Path:
    """The small package with question banks in both modules."""
    (package / QA).write_text(ALPHA_QUESTIONS, encoding="utf-8")
    (package / QB).write_text(BETA_QUESTIONS, encoding="utf-8")
    return package


def test_pinned_lines_of_the_bank():
    assert line_of(ALPHA_QUESTIONS, "[[questions]]", 2) == 25
    assert line_of(ALPHA_QUESTIONS, "[[questions]]", 3) == 56
    assert line_of(ALPHA_QUESTIONS, "[[questions.options]]", 3) == 63
    assert line_of(ALPHA_QUESTIONS, "[[questions.options]]", 5) == 71
    assert line_of(ALPHA_QUESTIONS, "fraction = 0.0", 2) == 72


def test_a_question_bank_loads(bank):
    types = question_types()
    course, problems = load(bank, types=types)
    assert problems == []
    assert course is not None
    alpha, beta = course.modules
    assert alpha.questions[:2] == (Q01, Q02)
    assert alpha.questions[2].key == "q03-lagi" and alpha.questions[2].points == 3
    assert beta.questions == (Q04,)
    # Each type checked exactly its own questions, with plain lists and dicts.
    assert types["choice"].seen == [Q01.config_dict(), alpha.questions[2].config_dict()]
    assert types["any"].seen == [Q02.config_dict(), {}]


def test_config_dict_gives_back_what_toml_gave():
    parsed = tomllib.loads(ALPHA_QUESTIONS)["questions"]
    common = ("key", "type", "name", "text", "points", "tags", "feedback")
    for question, table in zip((Q01, Q02), parsed, strict=False):
        assert question.config_dict() == {k: v for k, v in table.items() if k not in common}
    assert Q02.config_dict()["pairs"][1] == {
        "answer": "Teknologi Informasi dan Komunikasi",
        "prompt": "TIK",
        "synonyms": [],
    }
    hash(Q01), hash(Q02)  # everything held is hashable


def test_freeze_config_is_the_inverse_of_config_dict():
    for question in (Q01, Q02, Q04):
        assert freeze_config(question.config_dict()) == question.config
    assert freeze_config({"b": [{"y": [1], "x": 2}], "a": True}) == (
        ("a", True),
        ("b", ((("x", 2), ("y", (1,))),)),
    )


def test_whole_points_are_held_as_int():
    assert dataclasses.replace(Q04, points=2.0) == dataclasses.replace(Q04, points=2)
    assert type(dataclasses.replace(Q04, points=2.0).points) is int
    assert type(dataclasses.replace(Q04, points=2.5).points) is float
    one = dataclasses.replace(tricky_course().modules[1], questions=(Q04,))
    other = dataclasses.replace(one, questions=(dataclasses.replace(Q04, points=1.0),))
    assert content_hash(dataclasses.replace(tricky_course(), modules=(one,))) == content_hash(
        dataclasses.replace(tricky_course(), modules=(other,))
    )


def test_a_question_bank_round_trips_byte_for_byte(tmp_path, bank):
    course, problems = load(bank)
    assert problems == [] and course is not None
    dump_package(course, tmp_path / "a")
    assert (tmp_path / "a" / QA).read_text(encoding="utf-8") == ALPHA_QUESTIONS
    assert (tmp_path / "a" / QB).read_text(encoding="utf-8") == BETA_QUESTIONS
    again, problems = load(tmp_path / "a")
    assert problems == []
    assert again == course
    dump_package(again, tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert content_hash(again) == content_hash(course)


def test_a_bank_in_another_style_is_written_in_the_writer_style(tmp_path, package):
    (package / QB).write_text(
        "# hand-written\n"
        "[[questions]]\n"
        "shuffle = false\n"
        "options = [{ text = 'A', fraction = 1.0 }, { fraction = 0.0, text = 'B' }]\n"
        "text = 'Which?'\n"
        "tags = ['t']\n"
        "points = 1.0\n"
        "name = 'N'\n"
        "type = 'choice'\n"
        "key = 'q1'\n",
        encoding="utf-8",
    )
    course, problems = load(package)
    assert problems == [] and course is not None
    question = course.modules[1].questions[0]
    assert question.points == 1 and type(question.points) is int  # the default: not written
    dump_package(course, tmp_path / "a")
    assert (tmp_path / "a" / QB).read_text(encoding="utf-8") == (
        '[[questions]]\nkey = "q1"\ntype = "choice"\nname = "N"\ntext = "Which?"\n'
        'tags = [\n  "t",\n]\nshuffle = false\n\n'
        '[[questions.options]]\nfraction = 1.0\ntext = "A"\n\n'
        '[[questions.options]]\nfraction = 0.0\ntext = "B"\n'
    )
    again, _ = load(tmp_path / "a")
    assert again == course and content_hash(again) == content_hash(course)


def test_a_module_without_questions_toml_has_no_questions(tmp_path, package):
    course, problems = load(package)
    assert problems == [] and course is not None
    assert [m.questions for m in course.modules] == [(), ()]
    dump_package(course, tmp_path / "out")
    assert not any(name.endswith("questions.toml") for name in tree(tmp_path / "out"))


def test_dump_writes_questions_toml_only_for_modules_with_questions(tmp_path, package):
    course, _ = load(package)
    assert course is not None
    beta = dataclasses.replace(course.modules[1], questions=(Q04,))
    dump_package(dataclasses.replace(course, modules=(course.modules[0], beta)), tmp_path / "o")
    assert [n for n in tree(tmp_path / "o") if n.endswith("questions.toml")] == [QB]
    assert (tmp_path / "o" / QB).read_text(encoding="utf-8") == BETA_QUESTIONS


@pytest.mark.parametrize(
    ("points", "written"),
    [
        (1, None),
        (1.0, None),
        (2, "points = 2"),
        (2.0, "points = 2"),
        (0.5, "points = 0.5"),
        (1.5e-05, "points = 1.5e-05"),
    ],
)
def test_points_are_written_only_when_not_1(tmp_path, package, points, written):
    course, _ = load(package)
    assert course is not None
    beta = dataclasses.replace(
        course.modules[1], questions=(dataclasses.replace(Q04, points=points),)
    )
    dump_package(dataclasses.replace(course, modules=(course.modules[0], beta)), tmp_path / "o")
    lines = (tmp_path / "o" / QB).read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.startswith("points")] == ([written] if written else [])
    again, problems = load(tmp_path / "o")
    assert problems == [] and again is not None
    assert again.modules[1].questions[0].points == points


def _dump_bad_question(tmp_path: Path, question: QuestionPackage) -> None:
    module = dataclasses.replace(tricky_course().modules[1], questions=(question,))
    course = dataclasses.replace(tricky_course(), modules=(module,))
    dump_package(course, tmp_path / "out")


def test_dump_refuses_a_configuration_key_named_like_a_question_field(tmp_path):
    with pytest.raises(ValueError, match="configuration key named 'text'"):
        _dump_bad_question(tmp_path, dataclasses.replace(Q04, config=(("text", "x"),)))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "value",
    [
        (((("inner", ((("deep", 1),),)),)),),  # a table in a table of an array
        ((("nested", ((1,),)),),),  # an array in an array inside a table
        ("scalar", (("a", 1),)),  # scalars and tables in one array
        {"a": 1},  # a dict, not a frozen table
        datetime.datetime(2027, 1, 1, 10, 0),
    ],
    ids=["table-in-table", "array-in-array", "mixed", "dict", "date-time"],
)
def test_dump_refuses_deeper_nesting(tmp_path, value):
    with pytest.raises(TypeError, match="cannot write"):
        _dump_bad_question(tmp_path, dataclasses.replace(Q04, config=(("x", value),)))
    assert not (tmp_path / "out").exists()


def test_question_types_none_means_the_installed_ones(bank):
    """Outside the app the package reader uses the registry built from entry points: the
    built-in question types register there like any plugin."""
    from lms.plugins import build_registry

    installed = build_registry().question_types
    assert set(default_question_types()) == set(installed) >= {"single_choice", "essay"}
    assert set(default_activity_types()) >= {"reading", "meeting", "quiz", "assignment"}


def test_no_question_types_means_every_type_is_unknown(bank):
    course, problems = load_package(bank, question_types={})
    assert course is None
    problem = matching(problems, QA, "unknown question type 'choice' in questions[0]")
    assert problem.message.endswith("known types: none")
    assert problem.line == 3


def test_the_given_question_types_are_the_known_ones(bank):
    course, problems = load(bank, types={"any": Anything()})
    assert course is None
    assert [str(p) for p in problems] == [
        f"{QA}:3: unknown question type 'choice' in questions[0]; known types: any",
        f"{QA}:58: unknown question type 'choice' in questions[2]; known types: any",
    ]


def _from(text: str) -> str:
    """The rest of ALPHA_QUESTIONS from `text` on."""
    return ALPHA_QUESTIONS[ALPHA_QUESTIONS.index(text) :]


# (id, change to ALPHA_QUESTIONS (old, new), line, message)
QUESTION_CASES = [
    (
        "fraction-of-the-right-option-of-the-right-question",
        ('fraction = 0.0\ntext = "C"', 'fraction = 2.0\ntext = "C"'),
        72,
        "'questions[2].options[2].fraction': a fraction is from 0 to 1",
    ),
    (
        "fraction-missing-points-at-its-option-table",
        ('[[questions.options]]\nfraction = 0.0\ntext = "C"', '[[questions.options]]\ntext = "C"'),
        71,
        "'questions[2].options[2].fraction': a fraction is from 0 to 1",
    ),
    (
        "too-few-options-points-at-the-first-option-of-the-question",
        (_from('\n[[questions.options]]\nfraction = 1.0\ntext = "B"'), "\n"),
        63,
        "'questions[2].options': give at least two options",
    ),
    (
        "inline-options-point-at-their-key",
        (
            _from("\n[[questions.options]]\nfraction = 0.5"),
            'options = [\n  { fraction = 0.5, text = "A" },\n'
            '  { fraction = 2.0, text = "B" },\n]\n',
        ),
        62,
        "'questions[2].options[1].fraction': a fraction is from 0 to 1",
    ),
    (
        "unknown-configuration-key",
        ('name = "Lagi"', 'name = "Lagi"\ncolour = "red"'),
        60,
        "'questions[2].colour': choice has no setting 'colour'",
    ),
    (
        "configuration-as-a-whole-points-at-the-question",
        (_from("\n[[questions.options]]\nfraction = 0.5"), "\n"),
        56,
        "configuration of questions[2]: a choice question needs options",
    ),
    (
        "missing-key",
        ('key = "q02-pasangan"\n', ""),
        25,
        "missing required key 'questions[1].key'",
    ),
    ("missing-type", ('type = "any"\n', ""), 25, "missing required key 'questions[1].type'"),
    ("missing-name", ('name = "Pasangkan"\n', ""), 25, "missing required key 'questions[1].name'"),
    (
        "missing-text",
        ('text = "Pasangkan istilah \\"SPBE\\" dengan artinya."\n', ""),
        25,
        "missing required key 'questions[1].text'",
    ),
    (
        "empty-text",
        ('text = "Pilih satu."', 'text = " "'),
        60,
        "'questions[2].text' must not be empty",
    ),
    (
        "key-not-a-slug",
        ('key = "q03-lagi"', 'key = "Q03 lagi"'),
        57,
        "'questions[2].key' must be lowercase ASCII letters, digits and single hyphens",
    ),
    (
        "type-not-a-string",
        ('type = "any"', "type = 3"),
        27,
        "'questions[1].type' must be a string, not an integer",
    ),
    (
        "name-too-long",
        ('name = "Lagi"', f'name = "{"x" * 201}"'),
        59,
        "'questions[2].name' must be at most 200 characters, not 201",
    ),
    (
        "feedback-not-a-string",
        ('feedback = "Lihat Perpres 95/2018."', "feedback = false"),
        13,
        "'questions[0].feedback' must be a string, not a boolean",
    ),
    (
        "configuration-table",
        ("weight = 0.25", "weight = { a = 1 }"),
        38,
        "'questions[1].weight' must not be a table",
    ),
    (
        "configuration-sub-table",
        ("[[questions.steps]]\ndue", "[questions.extra]\na = 1\n\n[[questions.steps]]\ndue"),
        52,
        "'questions[1].extra' must not be a table",
    ),
    (
        "configuration-nested-array",
        ("scale = [1, 2.5, -3]", "scale = [[1], [2]]"),
        37,
        "'questions[1].scale' must not hold nested arrays",
    ),
    (
        "configuration-mixed-array",
        ("scale = [1, 2.5, -3]", "scale = [1, { a = 1 }]"),
        37,
        "'questions[1].scale' must not mix tables and other values in one array",
    ),
    (
        "configuration-array-in-a-table-of-an-array",
        ("synonyms = []", 'synonyms = [["x"]]'),
        50,
        "'questions[1].pairs[1].synonyms' must not hold nested arrays",
    ),
    (
        "configuration-table-in-a-table-of-an-array",
        ("order = 1", "order = { n = 1 }"),
        54,
        "'questions[1].steps[0].order' must not be a table",
    ),
    (
        "configuration-date-time",
        ("closes = 2027-03-01", "closes = 2027-03-01T10:00:00"),
        30,
        "'questions[1].closes' must not be a date-time",
    ),
    (
        "configuration-nan",
        ("weight = 0.25", "weight = nan"),
        38,
        "'questions[1].weight' must be a finite number, not nan",
    ),
    (
        "duplicate-key-in-the-module",
        ('key = "q03-lagi"', 'key = "q01-prinsip"'),
        57,
        "question key 'q01-prinsip' is used more than once in this module",
    ),
]


@pytest.mark.parametrize(
    ("old_new", "line", "fragment"),
    [case[1:] for case in QUESTION_CASES],
    ids=[case[0] for case in QUESTION_CASES],
)
def test_each_question_problem_names_its_line(bank, old_new, line, fragment):
    edit(bank, QA, *old_new)
    course, problems = load(bank)
    assert course is None
    problem = matching(problems, QA, fragment)
    assert problem.line == line, problems
    assert (bank / QA).read_text(encoding="utf-8").splitlines()[line - 1].strip()


def test_a_configuration_the_package_cannot_hold_is_not_given_to_the_type(bank):
    edit(bank, QA, "weight = 0.25", "weight = { a = 1 }")
    types = question_types()
    _, problems = load(bank, types=types)
    assert len(problems) == 1, problems
    assert types["any"].seen == [{}]  # q02 is not checked by its type; q04 in beta is
    assert len(types["choice"].seen) == 2


@pytest.mark.parametrize("points", ["0", "-1", "-0.5", "0.0", "true", '"2"', "nan", "inf", "[1]"])
def test_points_must_be_a_number_above_0(bank, points):
    edit(bank, QA, "points = 2.5", f"points = {points}")
    course, problems = load(bank)
    assert course is None
    problem = matching(problems, QA, "'questions[0].points' must be a number greater than 0")
    assert problem.line == 8
    assert len(problems) == 1, problems


def test_points_may_be_left_out_or_written_as_floats(bank):
    edit(bank, QA, "points = 2.5\n", "")
    edit(bank, QA, "points = 3\n", "points = 0.25\n")
    edit(bank, QB, 'text = "Beta?"\n', 'text = "Beta?"\npoints = 4.0\n')
    course, problems = load(bank)
    assert problems == [] and course is not None
    assert [q.points for q in course.modules[0].questions] == [1, 1, 0.25]
    assert [(q.points, type(q.points)) for q in course.modules[1].questions] == [(4, int)]


TAGS = """tags = [
  "pre",
  "indikator-1",
]"""


@pytest.mark.parametrize(
    ("tags", "line", "message"),
    [
        ('tags = "pre"', 9, "'questions[0].tags' must be a list of tags (strings), not a string"),
        ('tags = ["pre", 3]', 9, "questions[0].tags[1] must be a string, not an integer"),
        ('tags = [\n  "pre",\n  " ",\n]', 11, "questions[0].tags[1] must not be empty"),
        (
            f'tags = ["pre", "{"x" * 65}"]',
            9,
            "questions[0].tags[1] must be at most 64 characters, not 65",
        ),
        (
            'tags = [\n  "pre",\n  "indikator-1",\n  "pre",\n]',
            10,
            "tag 'pre' is listed more than once in 'questions[0].tags'",
        ),
        (
            'tags = [\n  "pre",\n  "01-alpha",\n]',
            11,
            "tag '01-alpha' is this module's slug, which every question of the module has "
            "without writing it; leave it out",
        ),
    ],
    ids=["not-a-list", "not-a-string", "empty", "too-long", "duplicate", "module-slug"],
)
def test_bad_tags(bank, tags, line, message):
    edit(bank, QA, TAGS, tags)
    course, problems = load(bank)
    assert course is None
    assert problems == [Problem(QA, line, message)]


def test_tags_of_64_characters_and_other_modules_slugs_are_fine(bank):
    edit(bank, QA, TAGS, f'tags = ["02-beta", "{"x" * 64}"]')
    course, problems = load(bank)
    assert problems == [] and course is not None
    assert course.modules[0].questions[0].tags == ("02-beta", "x" * 64)


def test_question_keys_are_unique_across_the_course(bank):
    edit(bank, QB, 'key = "q04-beta"', 'key = "q02-pasangan"')
    course, problems = load(bank)
    assert course is None
    assert [str(p) for p in problems] == [
        f"{QB}:2: question key 'q02-pasangan' is already used in module '01-alpha'; question "
        "keys must be unique across the course"
    ]


def test_a_duplicate_key_is_reported_even_when_the_first_module_has_problems(bank):
    edit(bank, QB, 'key = "q04-beta"', 'key = "q02-pasangan"')
    edit(bank, QA, "points = 2.5", "points = 0")
    _, problems = load(bank)
    assert [(p.file, p.line) for p in problems] == [(QA, 8), (QB, 2)]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", None, "questions.toml holds no questions: add a [[questions]] table or leave"),
        ("# nothing yet\nquestions = []\n", 2, "questions.toml holds no questions"),
        ('questions = "q1"\n', 1, "'questions' must be an array of tables ([[questions]] with"),
        ("questions = [1]\n", 1, "questions[0] must be a table (key, type, name, text), not an"),
        (
            BETA_QUESTIONS + "title = 'x'\n",
            6,
            "'questions[0].title': choice",  # replaced below: `any` takes anything
        ),
        ("title = 'x'\n" + BETA_QUESTIONS, 1, "unknown key 'title'; known keys: questions"),
        ("[[questions]\n", 1, "TOML syntax error"),
    ],
    ids=["empty", "empty-array", "not-an-array", "not-a-table", "type-key", "unknown", "syntax"],
)
def test_problems_with_questions_toml_as_a_whole(bank, text, line, message):
    if message.startswith("'questions[0].title'"):
        text = text.replace('type = "any"', 'type = "choice"')
        message = "'questions[0].title': choice has no setting 'title'"
    (bank / QB).write_text(text, encoding="utf-8")
    course, problems = load(bank)
    assert course is None
    problem = matching(problems, QB, message)
    assert problem.line == line, problems


def test_questions_toml_over_1mb_is_reported_once(bank):
    (bank / QB).write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    _, problems = load(bank)
    assert [(p.file, p.line) for p in problems] == [(QB, None)]
    assert "at most 1 MB" in problems[0].message


def test_questions_toml_must_be_utf8(bank):
    (bank / QB).write_bytes(BETA_QUESTIONS.encode() + b"# \xff\n")
    _, problems = load(bank)
    assert [(p.file, p.line) for p in problems] == [(QB, 6)]


def test_a_symlinked_questions_toml_is_refused(tmp_path, bank):
    (tmp_path / "elsewhere.toml").write_text(BETA_QUESTIONS, encoding="utf-8")
    (bank / QB).unlink()
    os.symlink(tmp_path / "elsewhere.toml", bank / QB)
    _, problems = load(bank)
    assert [p.file for p in problems] == [QB]
    assert "symbolic link" in problems[0].message


def test_a_question_type_that_fails_is_a_problem_not_a_crash(bank):
    class Broken:
        def validate_config(self, config):
            raise KeyError("boom")

    _, problems = load(bank, types={"choice": Choice(), "any": Broken()})
    assert [str(p) for p in problems] == [
        f"{QA}:25: question type 'any' failed to check the configuration of questions[1]: "
        "KeyError: 'boom'",
        f"{QB}:1: question type 'any' failed to check the configuration of questions[0]: "
        "KeyError: 'boom'",
    ]


def test_every_question_problem_is_reported_at_once(bank):
    edit(bank, QA, "points = 2.5", "points = -1")
    edit(bank, QA, 'fraction = 0.0\ntext = "C"', 'fraction = 2.0\ntext = "C"')
    edit(bank, QA, 'name = "Pasangkan"\n', "")
    edit(bank, QB, 'text = "Beta?"', 'text = ""')
    (bank / A / "material.md").write_bytes(b"")
    _, problems = load(bank)
    assert [(p.file, p.line) for p in problems] == [
        (MAT, None),
        (QA, 8),
        (QA, 25),
        (QA, 71),
        (QB, 5),
    ]


def test_content_hash_covers_questions(bank):
    course, _ = load(bank)
    assert course is not None
    digest = content_hash(course)
    alpha = course.modules[0]

    def with_questions(*questions: QuestionPackage) -> CoursePackage:
        changed = dataclasses.replace(alpha, questions=questions)
        return dataclasses.replace(course, modules=(changed, *course.modules[1:]))

    q01, q02, q03 = alpha.questions
    assert content_hash(with_questions(q01, q02, q03)) == digest
    changes = [
        dataclasses.replace(q01, points=2.4),
        dataclasses.replace(q01, tags=("pre",)),
        dataclasses.replace(q01, feedback=""),
        dataclasses.replace(q01, config=(("shuffle", True),)),
        dataclasses.replace(q01, config=(("options", q01.config[0][1][::-1]), q01.config[1])),
    ]
    hashes = {content_hash(with_questions(q, q02, q03)) for q in changes}
    assert digest not in hashes and len(hashes) == len(changes)
    assert content_hash(with_questions(q02, q01, q03)) != digest
    assert content_hash(with_questions(q01, q02)) != digest
    as_date = dataclasses.replace(q01, config=(("d", datetime.date(2027, 2, 1)),))
    as_text = dataclasses.replace(q01, config=(("d", "2027-02-01"),))
    assert content_hash(with_questions(as_date)) != content_hash(with_questions(as_text))


def test_content_hash_of_a_package_without_questions_is_as_before(package):
    """Packages from before question banks keep their hash: no re-import looks changed."""
    course, _ = load(package)
    assert course is not None
    fields = dataclasses.asdict(course)
    del fields["grading"], fields["at_risk"]  # left out when absent too
    del fields["assets"]  # and the course's own files when it has none
    for module in fields["modules"]:
        # none of these changes an old hash
        del module["questions"], module["mentor_notes"]
        del module["summary_page"], module["assets"]
    canonical = json.dumps(
        {"format": 1, "course": fields}, sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )
    assert content_hash(course) == hashlib.sha256(canonical.encode("ascii")).hexdigest()


# -------------------------------------------------- activities that look across files

QUIZ_IN_BETA = """
[[activities]]
key = "kuis"
type = "quiz"
title = "Pre-test"
questions = ["q01-prinsip", "q04-beta"]
"""


class FakeQuiz:
    """An activity type of the tests' own with a `check_package` hook: every key in
    `questions` must be in the course's bank."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[tuple[dict[str, Any], ModulePackage, CoursePackage]] = []

    def validate_config(self, config: dict[str, Any]) -> list[ConfigProblem]:
        return [ConfigProblem(key, "unknown") for key in config if key not in ("questions", "all")]

    def check_package(
        self, config: dict[str, Any], module: ModulePackage, course: CoursePackage
    ) -> list[ConfigProblem]:
        self.calls.append((config, module, course))
        if self.fail:
            raise RuntimeError("boom")
        bank = {q.key for m in course.modules for q in m.questions}
        problems = [
            ConfigProblem("questions", f"no question {key!r} in the course's questions")
            for key in config["questions"]
            if key not in bank
        ]
        if config.get("all") and len(bank) != len(config["questions"]):
            problems.append(ConfigProblem(None, "a quiz with all = true lists every question"))
        return problems


def quiz_types(quiz: Any) -> dict[str, Any]:
    return {"reading": ReadingActivity(), "meeting": MeetingActivity(), "quiz": quiz}


def test_check_package_is_given_the_settings_module_and_whole_course(bank):
    (bank / BETA).write_text(BETA_TOML + QUIZ_IN_BETA, encoding="utf-8")
    quiz = FakeQuiz()
    course, problems = load(bank, quiz_types(quiz))
    assert problems == [] and course is not None
    assert len(quiz.calls) == 1
    config, module, whole = quiz.calls[0]
    assert config == {"questions": ["q01-prinsip", "q04-beta"]}
    assert module == course.modules[1]
    assert whole == course


def test_check_package_problems_are_reported_at_the_activity(bank):
    quiz = QUIZ_IN_BETA.replace('"q04-beta"]', '"q09-none"]\nall = true')
    (bank / BETA).write_text(BETA_TOML + quiz, encoding="utf-8")
    course, problems = load(bank, quiz_types(FakeQuiz()))
    assert course is None
    assert [str(p) for p in problems] == [
        f"{BETA}:12: settings of activities[1]: a quiz with all = true lists every question",
        f"{BETA}:16: setting 'activities[1].questions': no question 'q09-none' in the course's "
        "questions",
    ]


def test_a_check_package_that_fails_is_a_problem_not_a_crash(bank):
    (bank / BETA).write_text(BETA_TOML + QUIZ_IN_BETA, encoding="utf-8")
    _, problems = load(bank, quiz_types(FakeQuiz(fail=True)))
    assert [str(p) for p in problems] == [
        f"{BETA}:12: activity type 'quiz' failed to check activities[1] against the rest of the "
        "course: RuntimeError: boom"
    ]


def test_check_package_waits_for_a_course_without_problems(bank):
    """A module that did not load would make its questions look missing elsewhere."""
    (bank / BETA).write_text(BETA_TOML + QUIZ_IN_BETA, encoding="utf-8")
    edit(bank, QA, "points = 2.5", "points = 0")
    quiz = FakeQuiz()
    _, problems = load(bank, quiz_types(quiz))
    assert quiz.calls == []
    assert [(p.file, p.line) for p in problems] == [(QA, 8)]


def test_check_package_is_optional_and_read_with_getattr(bank):
    class NoHook:
        def validate_config(self, config):
            return []

    (bank / BETA).write_text(BETA_TOML + QUIZ_IN_BETA, encoding="utf-8")
    course, problems = load(bank, quiz_types(NoHook()))
    assert problems == [] and course is not None


def test_the_quiz_activity_checks_the_bank(bank):
    """The real quiz type, on the tests' own question types."""
    from quizzes.activity import QuizActivity

    quiz = '\n[[activities]]\nkey = "kuis"\ntype = "quiz"\ntitle = "Pre-test"\nkind = "pre"\n'
    (bank / BETA).write_text(BETA_TOML + quiz + 'draw = 2\ndraw_tag = "pre"\n', encoding="utf-8")
    course, problems = load(bank, quiz_types(QuizActivity()))
    assert course is None
    assert [str(p) for p in problems] == [
        f"{BETA}:17: setting 'activities[1].draw': only 1 questions are tagged 'pre'; cannot draw 2"
    ]
    edit(bank, BETA, 'draw_tag = "pre"', 'draw_tag = "01-alpha"')  # the implicit tag
    course, problems = load(bank, quiz_types(QuizActivity()))
    assert problems == [] and course is not None


# ------------------------------------------------------------- grading and at-risk rules

# Appended to COURSE_TOML (10 lines): [grading] is line 12, pre 14, post 16, assignment 17;
# [at_risk] is line 19, missed_meetings 20, overdue_days 21, failed_post_test 22,
# inactive_days 23. Keep in sync with the cases below.
TABLES = """
[grading]
pass_percent = 60
pre = 0
practice = 0
post = 40
assignment = 60

[at_risk]
missed_meetings = 2
overdue_days = 7
failed_post_test = true
inactive_days = 14
"""

COURSE = "course.toml"


@pytest.fixture
def ruled(package: Path) -> Path:
    """The small package with both tables in course.toml."""
    (package / COURSE).write_text(COURSE_TOML + TABLES, encoding="utf-8")
    return package


def _course(text: str) -> Callable[[Path], None]:
    """Replace the tables of course.toml with `text`."""
    return lambda root: (root / COURSE).write_text(COURSE_TOML + text, encoding="utf-8")


def test_pinned_lines_of_the_tables():
    lines = (COURSE_TOML + TABLES).splitlines()
    assert lines[11] == "[grading]" and lines[13] == "pre = 0" and lines[15] == "post = 40"
    assert lines[18] == "[at_risk]" and lines[21] == "failed_post_test = true"
    assert lines[22] == "inactive_days = 14"


def test_the_defaults():
    grading = gw(pass_percent=60, pre=0, practice=0, post=40, assignment=60)
    at_risk = AtRiskRules(
        missed_meetings=2, overdue_days=7, failed_post_test=True, inactive_days=14
    )
    assert grading == DEFAULT_GRADING and at_risk == DEFAULT_AT_RISK
    assert gw() == DEFAULT_GRADING and AtRiskRules() == DEFAULT_AT_RISK
    weights = DEFAULT_GRADING
    assert sum(w for _category, w in weights.weights) == 100


def test_a_course_without_the_tables_has_none(package):
    course, problems = load_package(package)
    assert problems == [] and course is not None
    assert course.grading is None and course.at_risk is None


def test_a_course_built_without_the_tables_has_none():
    course = tricky_course()
    assert course.grading is None and course.at_risk is None


def test_the_shipped_course_has_the_default_tables():
    course, problems = load_package(SHIPPED)
    assert problems == [] and course is not None
    assert course.grading == DEFAULT_GRADING
    assert course.at_risk == DEFAULT_AT_RISK


def test_the_tables_load(ruled):
    edit(ruled, COURSE, "pre = 0\npractice = 0\npost = 40", "pre = 10\npractice = 5\npost = 25")
    edit(ruled, COURSE, "pass_percent = 60", "pass_percent = 75")
    edit(ruled, COURSE, "missed_meetings = 2", "missed_meetings = 0")
    edit(ruled, COURSE, "failed_post_test = true", "failed_post_test = false")
    edit(ruled, COURSE, "inactive_days = 14", "inactive_days = 365")
    course, problems = load_package(ruled)
    assert problems == [] and course is not None
    assert course.grading == gw(75, 10, 5, 25, 60)
    assert course.at_risk == AtRiskRules(0, 7, False, 365)


def test_keys_left_out_take_their_defaults(package):
    _course("\n[grading]\npost = 40\n\n[at_risk]\n")(package)
    course, problems = load_package(package)
    assert problems == [] and course is not None
    assert course.grading == DEFAULT_GRADING
    assert course.at_risk == DEFAULT_AT_RISK


def test_the_tables_may_be_written_in_another_style(package):
    text = (
        "grading = { assignment = 100, post = 0, pass_percent = 0 }\n"
        "at_risk.inactive_days = 0  # off\n"
    )
    edit(package, COURSE, "modules = [", text + "modules = [")
    course, problems = load_package(package)
    assert problems == [] and course is not None
    assert course.grading == gw(0, 0, 0, 0, 100)
    assert course.at_risk == AtRiskRules(inactive_days=0)


def test_the_tables_are_written_after_the_course_keys(tmp_path, ruled):
    course, _ = load_package(ruled)
    assert course is not None
    dump_package(course, tmp_path / "out")
    assert (tmp_path / "out" / COURSE).read_text(encoding="utf-8") == COURSE_TOML + TABLES


def test_each_table_is_written_only_when_present(tmp_path, package):
    course, _ = load_package(package)
    assert course is not None
    dump_package(course, tmp_path / "none")
    assert (tmp_path / "none" / COURSE).read_text(encoding="utf-8") == COURSE_TOML
    dump_package(dataclasses.replace(course, at_risk=DEFAULT_AT_RISK), tmp_path / "at-risk")
    written = (tmp_path / "at-risk" / COURSE).read_text(encoding="utf-8")
    assert written == COURSE_TOML + TABLES[TABLES.index("\n[at_risk]") :]
    dump_package(dataclasses.replace(course, grading=DEFAULT_GRADING), tmp_path / "grading")
    written = (tmp_path / "grading" / COURSE).read_text(encoding="utf-8")
    assert written == COURSE_TOML + TABLES[: TABLES.index("\n[at_risk]")]


def test_round_trip_of_the_tables(tmp_path, package):
    _course(
        "\n[at_risk]\ninactive_days = 0\nfailed_post_test = false\n[grading]\npre = 40\npost = 0\n"
    )(package)
    course, problems = load_package(package)
    assert problems == [] and course is not None
    assert course.grading == gw(60, 40, 0, 0, 60)
    assert course.at_risk == AtRiskRules(2, 7, False, 0)
    dump_package(course, tmp_path / "a")
    again, problems = load_package(tmp_path / "a")
    assert problems == [] and again == course
    dump_package(again, tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert content_hash(again) == content_hash(course)


def test_a_course_built_in_code_round_trips_with_the_tables(tmp_path):
    course = dataclasses.replace(
        tricky_course(),
        grading=gw(50, 10, 10, 30, 50),
        at_risk=AtRiskRules(3, 0, True, 30),
    )
    dump_package(course, tmp_path / "a")
    loaded, problems = load_package(tmp_path / "a")
    assert problems == [] and loaded == course


@pytest.mark.parametrize(
    ("grading", "at_risk", "message"),
    [
        (gw(post=50), None, "[grading] weights add up to 110, not 100"),
        (gw(pass_percent=101), None, "'grading.pass_percent' must be a whole"),
        (gw(pre=True, post=39), None, "'grading.pre' must be a whole"),  # type: ignore[arg-type]
        (None, AtRiskRules(overdue_days=366), "'at_risk.overdue_days' must be a whole"),
        (None, AtRiskRules(failed_post_test=1), "'at_risk.failed_post_test' must be true"),  # type: ignore[arg-type]
        (None, AtRiskRules(inactive_days=None), "'at_risk.inactive_days' must be a whole"),  # type: ignore[arg-type]
    ],
)
def test_dump_refuses_tables_it_could_not_load_back(tmp_path, grading, at_risk, message):
    course = dataclasses.replace(tricky_course(), grading=grading, at_risk=at_risk)
    with pytest.raises(ValueError, match=re.escape(message)):
        dump_package(course, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_content_hash_without_the_tables_is_as_before(package):
    """Packages without [grading] and [at_risk] keep their hash: no re-import looks changed."""
    course, _ = load_package(package)
    assert course is not None
    fields = dataclasses.asdict(course)
    del fields["grading"], fields["at_risk"], fields["assets"]
    for module in fields["modules"]:
        del module["questions"], module["mentor_notes"]
        del module["summary_page"], module["assets"]
    canonical = json.dumps(
        {"format": 1, "course": fields}, sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )
    assert content_hash(course) == hashlib.sha256(canonical.encode("ascii")).hexdigest()


def test_content_hash_covers_the_tables(package):
    course, _ = load_package(package)
    assert course is not None
    plain = content_hash(course)

    def digest(**changes: Any) -> str:
        return content_hash(dataclasses.replace(course, **changes))

    with_grading = digest(grading=DEFAULT_GRADING)
    with_at_risk = digest(at_risk=DEFAULT_AT_RISK)
    with_both = digest(grading=DEFAULT_GRADING, at_risk=DEFAULT_AT_RISK)
    assert len({plain, with_grading, with_at_risk, with_both}) == 4
    assert digest(grading=gw(pre=10, post=30)) != with_grading
    assert digest(grading=gw(pass_percent=70)) != with_grading
    assert digest(at_risk=AtRiskRules(failed_post_test=False)) != with_at_risk
    assert digest(at_risk=AtRiskRules(inactive_days=15)) != with_at_risk
    assert digest(grading=DEFAULT_GRADING, at_risk=DEFAULT_AT_RISK) == with_both


def test_content_hash_of_the_tables_ignores_formatting(ruled, package):
    course, _ = load_package(ruled)
    _course("\n[at_risk]  # who to call\n[grading]\npost = 40\n")(package)
    other, problems = load_package(package)
    assert problems == [] and course is not None and other is not None
    assert content_hash(other) == content_hash(course)


def _in_tables(old: str, new: str) -> Callable[[Path], None]:
    return lambda root: (root / COURSE).write_text(
        COURSE_TOML + TABLES.replace(old, new, 1), encoding="utf-8"
    )


def _top(line: str) -> Callable[[Path], None]:
    """Add `line` as a top-level key of course.toml, at line 7 (before modules)."""
    return _edit(COURSE, "modules = [", f"{line}\nmodules = [")


WEIGHT = "must be a whole number from 0 to 100 (a weight)"
PERCENT = "must be a whole number from 0 to 100 (a percentage)"
DAYS = "must be a whole number from 0 to 365 (0 turns the rule off)"

# (id, change, line, message fragment); every problem is in course.toml.
TABLE_CASES = [
    (
        "grading-unknown-key",
        _in_tables("post = 40\n", "post = 40\npost_test = 5\n"),
        17,
        "unknown grade category 'grading.post_test' (did you mean 'post'?); the installed "
        "activity types declare: pre, practice, post, assignment",
    ),
    (
        "grading-nested-table",
        _in_tables("\n[at_risk]", "\n[grading.extra]\nx = 1\n\n[at_risk]"),
        19,
        "unknown grade category 'grading.extra'",
    ),
    ("pre-101", _in_tables("pre = 0", "pre = 101"), 14, f"'grading.pre' {WEIGHT}, not 101"),
    ("practice-negative", _in_tables("practice = 0", "practice = -1"), 15, "not -1"),
    ("post-float", _in_tables("post = 40", "post = 40.0"), 16, f"{WEIGHT}, not a float"),
    ("post-string", _in_tables("post = 40", 'post = "40"'), 16, f"{WEIGHT}, not a string"),
    ("pre-bool", _in_tables("pre = 0", "pre = false"), 14, f"{WEIGHT}, not a boolean"),
    (
        "assignment-array",
        _in_tables("assignment = 60", "assignment = [60]"),
        17,
        "'grading.assignment' must be a whole number from 0 to 100 (a weight), not an array",
    ),
    (
        "pass-percent-101",
        _in_tables("pass_percent = 60", "pass_percent = 101"),
        13,
        f"'grading.pass_percent' {PERCENT}, not 101",
    ),
    (
        "pass-percent-string",
        _in_tables("pass_percent = 60", 'pass_percent = "60%"'),
        13,
        f"{PERCENT}, not a string",
    ),
    (
        "weights-over-100",
        _in_tables("post = 40", "post = 50"),
        12,
        "[grading] weights add up to 110, not 100 (pre 0 + practice 0 + post 50 + assignment 60)",
    ),
    (
        "weights-under-100",
        _in_tables("assignment = 60", "assignment = 0"),
        12,
        "weights add up to 40, not 100",
    ),
    (
        "weights-with-defaults",
        _course("\n[grading]\npost = 100\n"),
        12,
        "[grading] weights add up to 160, not 100 (pre 0 + practice 0 + post 100 + "
        "assignment 60; left out, so at their default: pre, practice, assignment)",
    ),
    (
        "weights-inline-table",
        _top("grading = { post = 50 }"),
        7,
        "weights add up to 110, not 100",
    ),
    (
        "grading-not-a-table",
        _top("grading = 60"),
        7,
        "'grading' must be a table ([grading] with pass_percent and a weight per grade "
        "category), not an integer",
    ),
    (
        "at-risk-unknown-key",
        _in_tables("inactive_days = 14\n", "inactive_days = 14\noverdue = 3\n"),
        24,
        "unknown key 'at_risk.overdue' (did you mean 'overdue_days'?)",
    ),
    (
        "missed-meetings-366",
        _in_tables("missed_meetings = 2", "missed_meetings = 366"),
        20,
        f"'at_risk.missed_meetings' {DAYS}, not 366",
    ),
    (
        "overdue-days-negative",
        _in_tables("overdue_days = 7", "overdue_days = -7"),
        21,
        f"'at_risk.overdue_days' {DAYS}, not -7",
    ),
    (
        "inactive-days-float",
        _in_tables("inactive_days = 14", "inactive_days = 14.5"),
        23,
        f"'at_risk.inactive_days' {DAYS}, not a float",
    ),
    (
        "overdue-days-bool",
        _in_tables("overdue_days = 7", "overdue_days = true"),
        21,
        f"{DAYS}, not a boolean",
    ),
    (
        "failed-post-test-int",
        _in_tables("failed_post_test = true", "failed_post_test = 1"),
        22,
        "'at_risk.failed_post_test' must be true or false, not an integer",
    ),
    (
        "failed-post-test-string",
        _in_tables("failed_post_test = true", 'failed_post_test = "true"'),
        22,
        "must be true or false, not a string",
    ),
    (
        "at-risk-not-a-table",
        _top('at_risk = ["missed_meetings"]'),
        7,
        "'at_risk' must be a table ([at_risk] with missed_meetings, overdue_days, "
        "failed_post_test, inactive_days), not an array",
    ),
    (
        "misspelled-table",
        _course("\n[gradings]\npost = 40\n"),
        12,
        "unknown key 'gradings' (did you mean 'grading'?)",
    ),
]


@pytest.mark.parametrize(
    ("change", "line", "fragment"),
    [case[1:] for case in TABLE_CASES],
    ids=[case[0] for case in TABLE_CASES],
)
def test_each_table_problem_names_file_and_line(package, change, line, fragment):
    change(package)
    course, problems = load_package(package)
    assert course is None
    problem = matching(problems, COURSE, fragment)
    assert problem.line == line, problems
    assert len(problems) == 1, problems


@pytest.mark.parametrize(
    ("text", "grading", "at_risk"),
    [
        ("pass_percent = 0\npost = 0\nassignment = 100", gw(0, 0, 0, 0, 100), None),
        (
            "pass_percent = 100\nassignment = 0\npre = 100\npost = 0",
            gw(100, 100, 0, 0, 0),
            None,
        ),
        (None, None, "missed_meetings = 0\noverdue_days = 365\ninactive_days = 0"),
    ],
)
def test_the_bounds_are_allowed(package, text, grading, at_risk):
    table = f"\n[grading]\n{text}\n" if text else f"\n[at_risk]\n{at_risk}\n"
    _course(table)(package)
    course, problems = load_package(package)
    assert problems == [] and course is not None
    if grading is not None:
        assert course.grading == grading
    else:
        assert course.at_risk == AtRiskRules(0, 365, True, 0)


def test_every_table_problem_is_reported_at_once(package):
    _course(
        "\n[grading]\npass_percent = 101\npost = 50\nbonus = 1\n"
        "\n[at_risk]\nmissed_meetings = -1\nfailed_post_test = 0\n"
    )(package)
    edit(package, COURSE, 'language = "en"', 'language = "fr"')
    course, problems = load_package(package)
    assert course is None
    expected = [
        (5, "'language' must be one of id, en"),
        (
            12,
            "[grading] weights add up to 110, not 100 (pre 0 + practice 0 + post 50 + "
            "assignment 60; left out, so at their default: pre, practice, assignment)",
        ),
        (13, f"'grading.pass_percent' {PERCENT}, not 101"),
        (15, "unknown grade category 'grading.bonus'"),
        (18, f"'at_risk.missed_meetings' {DAYS}, not -1"),
        (19, "'at_risk.failed_post_test' must be true or false, not an integer"),
    ]
    assert [p.file for p in problems] == [COURSE] * len(expected)
    assert [p.line for p in problems] == [line for line, _ in expected]
    for problem, (_, start) in zip(problems, expected, strict=True):
        assert problem.message.startswith(start), problem


def test_a_table_problem_still_lets_the_modules_be_checked(package):
    _course("\n[grading]\npost = 50\n")(package)
    edit(package, BETA, 'title = "Beta"', 'title = ""')
    _, problems = load_package(package)
    assert [(p.file, p.line) for p in problems] == [(COURSE, 12), (BETA, 1)]


# ---------------------------------------------------------------------------- safety

UNSAFE = ["../x", "..", "a/b", "a\\b", ".hidden", "x/../../y", "/etc", "..x"]


@pytest.mark.parametrize("name", UNSAFE)
def test_unsafe_module_names_are_refused_without_touching_files(tmp_path, name):
    root = make_package(tmp_path / "pkg" / "mini")
    # Something tempting outside the package: broken, so reading it would be reported.
    outside = tmp_path / "pkg" / "x"
    outside.mkdir()
    (outside / "module.toml").write_text("this is = = not toml", encoding="utf-8")
    (outside / "material.md").write_bytes(b"\xff")
    toml_name = name.replace("\\", "\\\\")
    edit(root, "course.toml", '  "02-beta",\n', f'  "02-beta",\n  "{toml_name}",\n')
    course, problems = load_package(root)
    assert course is None
    problem = matching(problems, "course.toml", "refused")
    assert problem.line == 10
    assert repr(name) in problem.message
    assert len(problems) == 1, problems


def test_symlinked_material_is_refused(tmp_path, package):
    secret = tmp_path / "secret.md"
    secret.write_text("TOP SECRET " * 200, encoding="utf-8")
    (package / MAT).unlink()
    os.symlink(secret, package / MAT)
    course, problems = load_package(package)
    assert course is None
    problem = matching(problems, MAT, "symbolic link")
    assert problem.line is None
    assert len(problems) == 1, problems
    assert not any("SECRET" in str(p) for p in problems)


def test_symlink_inside_the_package_is_refused_too(package):
    (package / MAT).unlink()
    os.symlink(package / "02-beta" / "material.md", package / MAT)
    _, problems = load_package(package)
    assert [p.file for p in problems] == [MAT]


def test_symlinked_module_folder_is_refused(tmp_path, package):
    outside = make_package(tmp_path / "other")
    os.rename(package / A, tmp_path / "moved")
    os.symlink(outside / A, package / A, target_is_directory=True)
    course, problems = load_package(package)
    assert course is None
    assert [p.file for p in problems] == [A]
    assert "symbolic link" in problems[0].message


def test_symlinked_course_toml_is_refused(tmp_path, package):
    (tmp_path / "course.toml").write_text(COURSE_TOML, encoding="utf-8")
    (package / "course.toml").unlink()
    os.symlink(tmp_path / "course.toml", package / "course.toml")
    _, problems = load_package(package)
    assert [p.file for p in problems] == ["course.toml"]
    assert "symbolic link" in problems[0].message


def test_dangling_and_nested_symlinks_are_refused(package):
    os.symlink("/nonexistent/target", package / A / "dangling")
    (package / A / "assets").mkdir()
    os.symlink("/etc/passwd", package / A / "assets" / "passwd")
    _, problems = load_package(package)
    assert [p.file for p in problems] == [f"{A}/assets/passwd", f"{A}/dangling"]


def test_special_files_are_refused(package):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    (package / MAT).unlink()
    os.mkfifo(package / MAT)
    _, problems = load_package(package)
    assert [p.file for p in problems] == [MAT]
    assert "regular file" in problems[0].message


def test_a_symlinked_package_root_is_fine(tmp_path, package):
    os.symlink(package, tmp_path / "link", target_is_directory=True)
    course, problems = load_package(tmp_path / "link")
    assert problems == [] and course is not None


# ------------------------------------------------------------------ mentor notes


def test_mentor_notes_load_round_trip_and_change_the_hash(package, tmp_path):
    before, _ = load(package)
    (package / "01-alpha" / "mentor.md").write_text("## Untuk mentor\n\nJawaban model.\n")
    course, problems = load(package)
    assert problems == [] and course is not None
    assert course.modules[0].mentor_notes == "## Untuk mentor\n\nJawaban model.\n"
    assert course.modules[1].mentor_notes == ""
    assert content_hash(course) != content_hash(before)
    dump_package(course, tmp_path / "out")
    assert tree(tmp_path / "out")["01-alpha/mentor.md"] == tree(package)["01-alpha/mentor.md"]
    again, _ = load(tmp_path / "out")
    assert again == course


def test_empty_or_broken_mentor_notes_are_reported(package):
    (package / "01-alpha" / "mentor.md").write_text("  \n")
    (package / "02-beta" / "mentor.md").write_bytes(b"ok\n\xff")
    course, problems = load(package)
    assert course is None
    assert matching(problems, "01-alpha/mentor.md", "mentor notes is empty")
    assert matching(problems, "02-beta/mentor.md", "not valid UTF-8").line == 2


def test_a_summary_under_the_word_limit_that_takes_two_pages_is_refused(package):
    """The word limit alone cannot promise one page: 120 two-word bullets (240 words) run
    to a second A4 page and are refused; 40 of them fit."""
    bullets = "## Pokok\n\n" + "".join(f"- butir {n}\n" for n in range(120))
    (package / "01-alpha" / "summary.md").write_text(bullets, encoding="utf-8")
    course, problems = load_package(package)
    assert course is None
    assert [(p.file, p.message) for p in problems] == [
        ("01-alpha/summary.md", "summary takes 2 A4 pages in the PDF; shorten it to fit on one")
    ]
    short = "## Pokok\n\n" + "".join(f"- butir {n}\n" for n in range(40))
    (package / "01-alpha" / "summary.md").write_text(short, encoding="utf-8")
    course, problems = load_package(package)
    assert problems == [] and course.modules[0].summary_page == short
