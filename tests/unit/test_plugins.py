"""The plugin registry: built-ins come through entry points, and a bad plugin stops start-up
with a message that names it."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from lms import create_app
from lms.plugins import ACTIVITY_TYPES, COURSE_PACKAGES, PluginError, build_registry


def _ep(name: str, value: str, group: str = ACTIVITY_TYPES) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=group)


def test_built_in_types_and_the_shipped_course_are_registered():
    registry = build_registry()
    assert {"reading", "meeting"} <= set(registry.activity_types)
    assert "spbe-dasar" in registry.course_packages
    assert (registry.course_packages["spbe-dasar"] / "course.toml").is_file()


def test_built_ins_come_from_the_packaging_entry_points():
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group=ACTIVITY_TYPES)}
    assert {"reading", "meeting"} <= names


def test_a_temporary_plugin_is_added_for_one_registry_only():
    extra = build_registry([_ep("checklist", "tests.plugins.checklist:ChecklistActivity")])
    assert "checklist" in extra.activity_types
    assert "checklist" not in build_registry().activity_types


@pytest.mark.parametrize(
    ("entry_point", "expected"),
    [
        (_ep("reading", "tests.plugins.checklist:ChecklistActivity"), "reuses the name"),
        (_ep("missing", "tests.plugins.nowhere:Thing"), "failed to load"),
        (_ep("norender", "tests.plugins.checklist:NoRender"), "lacks render"),
        (_ep("checklist", "tests.plugins.checklist:WrongName"), "calls itself"),
        (_ep("exploding", "tests.plugins.checklist:Exploding"), "could not be created"),
        (_ep("nowhere", "os:devnull", COURSE_PACKAGES), "holds no course.toml"),
        (_ep("spbe-dasar", "os:curdir", COURSE_PACKAGES), "reuses the name"),
    ],
)
def test_a_bad_plugin_is_refused_by_name(entry_point, expected):
    with pytest.raises(PluginError) as error:
        build_registry([entry_point])
    assert expected in str(error.value)
    assert f"'{entry_point.name}'" in str(error.value)


def test_a_broken_plugin_stops_the_app_from_starting(tmp_path):
    with pytest.raises(PluginError, match="norender"):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                "SECRET_KEY": "x",
                "LMS_EXTRA_PLUGINS": [_ep("norender", "tests.plugins.checklist:NoRender")],
            }
        )
