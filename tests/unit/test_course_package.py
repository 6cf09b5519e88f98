"""Course packages: the shipped course, round trips, every validation problem, path safety."""

from __future__ import annotations

import dataclasses
import datetime
import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from courses.activities import ConfigProblem, MeetingActivity, ReadingActivity
from courses.package import (
    MAX_FILE_BYTES,
    MAX_MATERIAL_BYTES,
    ActivityPackage,
    CoursePackage,
    MeetingPlan,
    ModulePackage,
    Problem,
    UnlockRule,
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
        assert module.unlock is None, module.slug
        assert [(a.key, a.type, a.settings) for a in module.activities] == [
            ("bacaan", "reading", ()),
            ("pertemuan", "meeting", ()),
        ], module.slug
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
        _write(BETA, BETA_HEAD + 'activities = [{ key = "read", type = "quiz", title = "R" }]\n'),
        BETA,
        6,
        "unknown activity type 'quiz'",
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
        _edit(BETA, 'type = "reading"', 'type = "quiz"'),
        BETA,
        9,
        "unknown activity type 'quiz' in activities[0]; known types: meeting, reading",
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
        7,
        "setting 'activities[0].extra' must not be a table",
    ),
    (
        "activity-setting-array-of-tables",
        _write(BETA, BETA_TOML + "parts = [{ a = 1 }]\n"),
        BETA,
        11,
        "setting 'activities[0].parts' must not hold nested arrays or tables",
    ),
    (
        "activity-setting-nested-array",
        _write(BETA, BETA_TOML + "grid = [[1, 2], [3]]\n"),
        BETA,
        11,
        "setting 'activities[0].grid' must not hold nested arrays or tables",
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
    edit(package, BETA, 'title = "Read the material"', 'title = "R"\nitems = [{ q = 1 }]')
    _, problems = load_package(package, types)
    assert types["survey"].seen == []
    assert [str(p) for p in problems] == [
        "02-beta/module.toml:11: setting 'activities[0].items' must not hold nested arrays or"
        " tables; an array may only hold strings, numbers, booleans and dates"
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
