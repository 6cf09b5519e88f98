"""Course packages: the shipped course, round trips, every validation problem, path safety."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from courses.package import (
    MAX_FILE_BYTES,
    MAX_MATERIAL_BYTES,
    CoursePackage,
    MeetingPlan,
    ModulePackage,
    Problem,
    _toml_string,
    content_hash,
    dump_package,
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
"""

BETA_TOML = """\
title = "Beta"
summary = "Second module."
objectives = ["Explain beta."]
duration_minutes = 30
indicators = []
"""

MATERIAL = "# Heading\n\nSome material with several words in it.\n"


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
        assert module.meeting is not None and module.meeting.agenda, module.slug
    covered = {n for module in course.modules for n in module.indicators}
    assert covered == set(range(1, 48))


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
    )
    plain = dataclasses.replace(module, slug="02-plain", meeting=None, indicators=())
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
        lambda root: (root / ALPHA).write_text(BETA_TOML + 'meeting = "x"\n'),
        ALPHA,
        6,
        "'meeting' must be a table",
    ),
    (
        "meeting-inline-table",
        lambda root: (root / ALPHA).write_text(
            BETA_TOML + "meeting = { duration_minutes = 0, agenda = [] }\n"
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
    (package / "02-beta" / "module.toml").write_text(BETA_TOML + "colour = 'red'\n")
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
        " duration_minutes, indicators, meeting",
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
