"""Course package zips: reproducible packing, and every way an untrusted upload is refused."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
from pathlib import Path
from typing import IO, Any

import pytest

from courses.archive import ArchiveError, extract_zip, make_zip

SHIPPED = Path(__file__).resolve().parents[2] / "courses" / "packages" / "spbe-dasar"


def build_zip(*members: tuple[str, bytes] | zipfile.ZipInfo, payload: bytes = b"") -> bytes:
    """A zip with the given (name, data) members; a bare ZipInfo is written with `payload`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            if isinstance(member, zipfile.ZipInfo):
                archive.writestr(member, payload)
            else:
                name, data = member
                archive.writestr(name, data)
    return buffer.getvalue()


def files_under(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def assert_refused(data: bytes, dest: Path, *fragments: str, **limits: int) -> ArchiveError:
    """Extraction raises ArchiveError mentioning every fragment, and writes nothing."""
    with pytest.raises(ArchiveError) as caught:
        extract_zip(data, dest, **limits)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message
    assert not dest.exists() or list(dest.iterdir()) == []
    return caught.value


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


SAMPLE = {
    "course.toml": b'format = 1\nslug = "demo"\n',
    "pengantar/module.toml": b'title = "Pengantar"\n',
    "pengantar/material.md": b"# Pengantar\n\nTata kelola SPBE.\n",
    "tata-kelola/material.md": b"x" * 5000,
    "tata-kelola/assets/diagram.txt": b"",
}


# --------------------------------------------------------------------------- packing


def test_round_trip_gives_identical_files(tmp_path: Path) -> None:
    source = tmp_path / "source"
    write_tree(source, SAMPLE)
    data = make_zip(source, prefix="demo")

    root = extract_zip(data, tmp_path / "out")

    assert root == tmp_path / "out" / "demo"
    assert files_under(root) == SAMPLE
    for path in root.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_round_trip_of_shipped_package(tmp_path: Path) -> None:
    root = extract_zip(make_zip(SHIPPED, prefix="spbe-dasar"), tmp_path / "out")
    assert root.name == "spbe-dasar"
    assert files_under(root) == files_under(SHIPPED)


def test_make_zip_layout(tmp_path: Path) -> None:
    write_tree(tmp_path / "src", SAMPLE)
    with zipfile.ZipFile(io.BytesIO(make_zip(tmp_path / "src", prefix="demo"))) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == [
        "demo/course.toml",
        "demo/pengantar/material.md",
        "demo/pengantar/module.toml",
        "demo/tata-kelola/assets/diagram.txt",
        "demo/tata-kelola/material.md",
    ]
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr == 0o644 << 16
        assert info.compress_type == zipfile.ZIP_DEFLATED


def test_make_zip_is_byte_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    write_tree(first, SAMPLE)
    write_tree(second, dict(reversed(list(SAMPLE.items()))))  # created in another order
    os.utime(second / "course.toml", (1_000_000_000, 1_000_000_000))
    (second / "course.toml").chmod(0o600)

    data = make_zip(first, prefix="demo")
    assert make_zip(first, prefix="demo") == data
    assert make_zip(second, prefix="demo") == data


def test_make_zip_skips_symlinks(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_tree(source, SAMPLE)
    outside = tmp_path / "secret.txt"
    outside.write_bytes(b"secret")
    (source / "link.txt").symlink_to(outside)
    (source / "linked-folder").symlink_to(tmp_path, target_is_directory=True)

    with zipfile.ZipFile(io.BytesIO(make_zip(source, prefix="demo"))) as archive:
        names = archive.namelist()
    assert len(names) == len(SAMPLE)
    assert not any("link" in name for name in names)


@pytest.mark.parametrize("prefix", ["", ".", "..", "a/b", "a\\b"])
def test_make_zip_refuses_bad_prefix(tmp_path: Path, prefix: str) -> None:
    write_tree(tmp_path, {"a.txt": b"a"})
    with pytest.raises(ValueError, match="single folder name"):
        make_zip(tmp_path, prefix=prefix)


# --------------------------------------------------------------------------- package root


def test_single_top_folder_is_the_root(tmp_path: Path) -> None:
    data = build_zip(("spbe-dasar/course.toml", b"c"), ("spbe-dasar/m/material.md", b"m"))
    root = extract_zip(data, tmp_path / "out")
    assert root == tmp_path / "out" / "spbe-dasar"
    assert (root / "course.toml").read_bytes() == b"c"


def test_single_top_folder_with_directory_entries(tmp_path: Path) -> None:
    data = build_zip(
        zipfile.ZipInfo("pkg/"), zipfile.ZipInfo("pkg/m/"), ("pkg/m/material.md", b"m")
    )
    root = extract_zip(data, tmp_path / "out")
    assert root == tmp_path / "out" / "pkg"
    assert (root / "m" / "material.md").read_bytes() == b"m"


def test_flat_archive_root_is_dest(tmp_path: Path) -> None:
    data = build_zip(("course.toml", b"c"), ("m/material.md", b"m"))
    root = extract_zip(data, tmp_path / "out")
    assert root == tmp_path / "out"
    assert files_under(root) == {"course.toml": b"c", "m/material.md": b"m"}


def test_two_top_folders_root_is_dest(tmp_path: Path) -> None:
    data = build_zip(("a/x.txt", b"x"), ("b/y.txt", b"y"))
    assert extract_zip(data, tmp_path / "out") == tmp_path / "out"


def test_single_top_file_root_is_dest(tmp_path: Path) -> None:
    assert extract_zip(build_zip(("course.toml", b"c")), tmp_path / "out") == tmp_path / "out"


def test_macos_litter_is_ignored(tmp_path: Path) -> None:
    data = build_zip(
        ("pkg/course.toml", b"c"),
        ("pkg/.DS_Store", b"junk"),
        ("__MACOSX/pkg/._course.toml", b"junk"),
        ("__MACOSX/._pkg", b"junk"),
        (".DS_Store", b"junk"),
    )
    root = extract_zip(data, tmp_path / "out")
    assert root == tmp_path / "out" / "pkg"
    assert files_under(tmp_path / "out") == {"pkg/course.toml": b"c"}


def test_accepts_a_file_object(tmp_path: Path) -> None:
    data = build_zip(("pkg/course.toml", b"c"))
    assert extract_zip(io.BytesIO(data), tmp_path / "out") == tmp_path / "out" / "pkg"


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04broken"])
def test_not_a_zip(tmp_path: Path, data: bytes) -> None:
    assert_refused(data, tmp_path / "out", "the file is not a zip archive")


def test_empty_archive(tmp_path: Path) -> None:
    assert_refused(build_zip(), tmp_path / "out", "no files")
    assert_refused(build_zip(("__MACOSX/._x", b"j")), tmp_path / "out", "no files")


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "pkg/../../evil.txt", "pkg/../evil.txt", "pkg/sub/../../../evil.txt"],
)
def test_zip_slip_refused_and_nothing_written(tmp_path: Path, name: str) -> None:
    dest = tmp_path / "out"
    # Safe members come first: they must not be written either.
    data = build_zip(("pkg/course.toml", b"c"), (name, b"evil"))
    assert_refused(data, dest, repr(name), "outside")
    assert not (tmp_path / "evil.txt").exists()
    assert not dest.exists()


@pytest.mark.parametrize("name", ["/etc/evil.txt", "/evil.txt", "C:/evil.txt", "c:evil.txt"])
def test_absolute_path_refused(tmp_path: Path, name: str) -> None:
    assert_refused(build_zip((name, b"evil")), tmp_path / "out", repr(name), "absolute path")


@pytest.mark.parametrize("name", ["pkg\\evil.txt", "..\\evil.txt", "C:\\evil.txt", "\\\\host\\x"])
def test_backslash_refused(tmp_path: Path, name: str) -> None:
    assert_refused(build_zip((name, b"evil")), tmp_path / "out", repr(name), "backslash")


def test_nul_in_name_refused(tmp_path: Path) -> None:
    # zipfile cuts names at a NUL when reading, so patch it into a stored name.
    data = build_zip(("pkg/evil.txt.md", b"evil")).replace(b"evil.txt.md", b"evil.txt\x00md")
    assert_refused(data, tmp_path / "out", "'pkg/evil.txt\\x00md'", "NUL")


@pytest.mark.parametrize("name", ["pkg//x.txt", "pkg/./x.txt", "./x.txt"])
def test_empty_or_dot_component_refused(tmp_path: Path, name: str) -> None:
    assert_refused(build_zip((name, b"x")), tmp_path / "out", repr(name), "'.'")


def test_symlink_member_refused(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("pkg/link")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    data = build_zip(("pkg/course.toml", b"c"), link, payload=b"/etc/passwd")
    assert_refused(data, tmp_path / "out", "'pkg/link'", "symbolic link")


def test_encrypted_member_refused(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("pkg/secret.txt")
    data = bytearray(build_zip(info, payload=b"x"))
    # Set bit 0 (encrypted) of the general purpose flags in both headers.
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    data[local + 6] |= 0x1
    data[central + 8] |= 0x1
    assert_refused(bytes(data), tmp_path / "out", "'pkg/secret.txt'", "encrypted")


def test_too_many_files(tmp_path: Path) -> None:
    data = build_zip(*[(f"pkg/{n}.txt", b"x") for n in range(6)])
    assert_refused(data, tmp_path / "out", "6 entries", "at most 5", max_files=5)
    assert extract_zip(data, tmp_path / "ok", max_files=6) == tmp_path / "ok" / "pkg"


def test_declared_file_size_over_limit(tmp_path: Path) -> None:
    data = build_zip(("pkg/small.txt", b"x"), ("pkg/big.txt", b"x" * 101))
    assert_refused(
        data, tmp_path / "out", "'pkg/big.txt'", "101 bytes", "at most 100", max_file_bytes=100
    )
    assert extract_zip(data, tmp_path / "ok", max_file_bytes=101) == tmp_path / "ok" / "pkg"


def test_default_file_limit_is_one_megabyte(tmp_path: Path) -> None:
    data = build_zip(("pkg/big.bin", b"\0" * (1024 * 1024 + 1)))
    assert_refused(data, tmp_path / "out", "'pkg/big.bin'", "at most 1048576 bytes")


def test_declared_total_size_over_limit(tmp_path: Path) -> None:
    data = build_zip(*[(f"pkg/{n}.txt", b"x" * 40) for n in range(3)])
    assert_refused(data, tmp_path / "out", "120 bytes", "at most 100", max_total_bytes=100)


def patch_uncompressed_size(data: bytes, size: int) -> bytes:
    """Make a one-member zip lie: set the uncompressed size in both headers to `size`."""
    patched = bytearray(data)
    local = patched.index(b"PK\x03\x04")
    central = patched.index(b"PK\x01\x02")
    struct.pack_into("<I", patched, local + 22, size)
    struct.pack_into("<I", patched, central + 24, size)
    return bytes(patched)


def test_lying_header_is_stopped(tmp_path: Path) -> None:
    # 1 MB of zeros deflates to about 1 KB; the headers claim 10 bytes.
    data = patch_uncompressed_size(build_zip(("pkg/bomb.bin", b"\0" * (1024 * 1024))), 10)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("pkg/bomb.bin").file_size == 10
    dest = tmp_path / "out"
    # Python's zipfile stops at the declared size and then fails the CRC check.
    assert_refused(data, dest, "'pkg/bomb.bin'", "damaged", max_file_bytes=100)
    assert not dest.exists() or list(dest.rglob("*")) == []


class _Endless(io.RawIOBase):
    """A member stream that produces far more bytes (up to 8 MB) than any header said."""

    def __init__(self) -> None:
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = min(len(buffer), 8 * 1024 * 1024 - self.produced)
        buffer[:size] = b"\0" * size
        self.produced += size
        return size


@pytest.mark.parametrize(
    ("limits", "fragments"),
    [
        ({"max_file_bytes": 1000}, ("'pkg/b.bin'", "more than 1000 bytes")),
        (
            {"max_file_bytes": 10_000, "max_total_bytes": 1500},
            ("more than 1500 bytes", "'pkg/b.bin'"),
        ),
    ],
)
def test_streaming_cap_stops_what_headers_hide(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    limits: dict[str, int],
    fragments: tuple[str, ...],
) -> None:
    """Even if the zip reader trusted the data over the header, the cap holds."""
    data = build_zip(("pkg/a.bin", b"a" * 600), ("pkg/b.bin", b"b" * 10))
    streams: list[_Endless] = []
    real_open = zipfile.ZipFile.open

    def lying_open(
        self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: Any, **kwargs: Any
    ) -> IO[bytes]:
        if getattr(name, "filename", name) == "pkg/b.bin":
            streams.append(_Endless())
            return io.BufferedReader(streams[-1])
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", lying_open)
    dest = tmp_path / "out"
    assert_refused(data, dest, *fragments, **limits)
    assert not dest.exists() or list(dest.rglob("*")) == []
    # Reading stopped right after the limit, not at the end of the stream.
    assert streams[0].produced <= 10_000 + 64 * 1024


def test_duplicate_member_refused(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = build_zip(("pkg/a.txt", b"1"), ("pkg/a.txt", b"2"))
    assert_refused(data, tmp_path / "out", "'pkg/a.txt'", "more than once")


def test_file_and_folder_with_one_name_refused(tmp_path: Path) -> None:
    data = build_zip(("pkg/a", b"file"), ("pkg/a/b.txt", b"inside"))
    assert_refused(data, tmp_path / "out", "'pkg/a'", "both a file and a folder")


def test_damaged_member_data_cleans_up(tmp_path: Path) -> None:
    data = bytearray(build_zip(("pkg/a.txt", b"first"), ("pkg/b.txt", b"second" * 100)))
    # Corrupt the CRC of the second member in the central directory.
    central = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 4)
    data[central + 16] ^= 0xFF
    assert_refused(bytes(data), tmp_path / "out", "'pkg/b.txt'", "damaged")


def test_existing_file_in_dest_is_kept_on_failure(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    write_tree(dest, {"pkg/b.txt": b"already here"})
    data = build_zip(("pkg/a.txt", b"a"), ("pkg/b.txt", b"b"))
    with pytest.raises(ArchiveError, match="'pkg/b.txt' could not be written"):
        extract_zip(data, dest)
    assert files_under(dest) == {"pkg/b.txt": b"already here"}


def test_symlink_in_dest_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "pkg").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ArchiveError, match="'pkg/a.txt'"):
        extract_zip(build_zip(("pkg/a.txt", b"a")), dest)
    assert list(outside.iterdir()) == []
