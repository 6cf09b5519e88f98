"""Every user-visible string in the code has an Indonesian translation."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHODS = [
    ("lms/**.py", "python"),
    ("courses/**.py", "python"),
    ("quizzes/**.py", "python"),
    ("assignments/**.py", "python"),
    ("discussions/**.py", "python"),
    ("templates/**.html", "jinja2"),
]


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map=METHODS,
        keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(lang: str):
    with (ROOT / "lms" / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh)


def test_every_source_string_is_translated_to_indonesian():
    catalog = _catalog("id")
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated[key] = all(strings) and not message.fuzzy
    source = _source_messages()
    assert len(source) > 150
    missing = sorted(m for m in source if not translated.get(m))
    assert not missing, f"untranslated (run `make extract-messages` and translate): {missing[:10]}"


def test_indonesian_translations_keep_placeholders():
    for message in _catalog("id"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        for string in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", string)) == wanted, message.id


# --------------------------------------------------------------------------- template fragments

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
# A stored code word printed as it is (`{{ review.state }}`, `{{ x.status[:3] }}`): in the
# page's text that is English, not the catalog's label for it.
_RAW_CODE = re.compile(
    r"\{\{\s*([\w.]*(?:state|status|action|kind|role|phase))(\[[^\]]*\])?\s*\}\}"
)
_MARK = "\u27e6raw:{}\u27e7"
_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*")  # a word with a lower-case letter: language
_TEXT_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
_NOT_TEXT = {"script", "style", "svg", "code", "pre"}
# Names that are the same in every language; "breadcrumb" is Pico's styling hook.
ALLOWED = {
    "Living Lab LMS",
    "Indonesia Digital Services Living Lab",
    "English",
    "Bahasa Indonesia",
    "breadcrumb",
}


class _Fragments(HTMLParser):
    """Text and user-visible attributes left in a template once every Jinja tag is removed:
    whatever remains was written in the template itself, outside the catalog."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _NOT_TEXT:
            self._skip += 1
        for name, value in attrs:
            if name in _TEXT_ATTRIBUTES and value and _WORD.search(value):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in _NOT_TEXT and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        for raw in re.findall(r"\u27e6raw:(.*?)\u27e7", data):
            self.found.append("{{ " + raw + " }}")
        data = re.sub(r"\u27e6raw:.*?\u27e7", " ", data)
        if _WORD.search(data):
            self.found.append(data.strip())


def template_fragments(source: str) -> list[str]:
    parser = _Fragments()
    marked = _RAW_CODE.sub(lambda m: _MARK.format(m.group(1) + (m.group(2) or "")), source)
    parser.feed(_JINJA.sub(" ", marked))
    return [f for f in parser.found if f.strip("<>").strip() not in ALLOWED and not _allowed(f)]


def _allowed(fragment: str) -> bool:
    text = re.sub(r"^<\w+ [\w-]+='(.*)'>$", r"\1", fragment)
    return text.strip(" ·") in ALLOWED


def test_templates_have_no_untranslated_text():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        found += [f"{path.relative_to(ROOT)}: {f}" for f in template_fragments(path.read_text())]
    assert not found, f"text outside _(): {found[:10]}"


def test_the_template_check_catches_text_and_attributes_outside_the_catalog():
    assert template_fragments("<td>{{ _('Grade') }}</td>") == []
    assert template_fragments("<td>{{ labels[x.state] }} KB</td>") == []
    assert template_fragments("<td>{{ x.assignment_state[:3] }}</td>") == [
        "{{ x.assignment_state[:3] }}"
    ]
    assert template_fragments("<td>{{ a.action }}</td>") == ["{{ a.action }}"]
    assert template_fragments('<span class="badge-{{ s.status }}">') == []
    assert template_fragments("<td>(returned) {{ n }}</td>") == ["(returned)"]
    assert template_fragments('<input placeholder="Search">') == ["<input placeholder='Search'>"]
    assert template_fragments("<p>{{ a }} ret</p>") == ["ret"]
    assert template_fragments("<script>var ok = 1;</script>") == []
