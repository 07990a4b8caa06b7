"""The hotfolder transport on its own: folder fsyncs once per window, the path jail with known folders."""

from __future__ import annotations

import errno
import os
import stat
from collections import Counter
from pathlib import Path

import pytest

from flowkit.errors import RecordError
from flowkit.records import make_record
from flowkit.transports.base import OutcomeUnknown, Receipt
from flowkit.transports.hotfolder import Hotfolder

RECORD = make_record("payload", "k", "<x/>", type="application/xml")


def fsyncs(monkeypatch: pytest.MonkeyPatch, fail_on_folders: bool = False) -> Counter[str]:
    """Count the fsyncs of folders by path (files are counted under 'file')."""
    seen: Counter[str] = Counter()
    real = os.fsync

    def counting(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            if fail_on_folders:
                raise OSError(errno.EIO, "Input/output error")
            seen[os.readlink(f"/proc/self/fd/{fd}")] += 1
        else:
            seen["file"] += 1
        real(fd)

    monkeypatch.setattr(os, "fsync", counting)
    return seen


def test_a_window_fsyncs_each_changed_folder_once_before_answering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hot = Hotfolder(tmp_path / "out")
    hot.open()
    seen = fsyncs(monkeypatch)
    items = [(f"{n}.xml", b"<x/>", RECORD) for n in range(5)] + [(f"web/{n}.xml", b"<x/>", RECORD) for n in range(3)]
    results = hot.put_many(items)
    assert all(isinstance(r, Receipt) for r in results)
    root = str((tmp_path / "out").resolve())
    assert seen == {"file": 8, root: 1, f"{root}/web": 1}  # the new folder's entry in the root is made durable too
    seen.clear()
    hot.put_many([("6.xml", b"<x/>", RECORD), ("web/7.xml", b"<x/>", RECORD)])  # a second window: its folders again
    assert seen == {"file": 2, root: 1, f"{root}/web": 1}
    seen.clear()
    hot.put("8.xml", b"<x/>", RECORD)  # one file (a retry): its folder before the answer
    assert seen == {"file": 1, root: 1}
    hot.close()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [*(f"{n}.xml" for n in (0, 1, 2, 3, 4, 6, 8)), "web"]


def test_without_fsync_no_folder_is_synced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hot = Hotfolder(tmp_path / "out", fsync=False)
    hot.open()
    seen = fsyncs(monkeypatch)
    hot.put_many([("a/1.xml", b"<x/>", RECORD), ("2.xml", b"<x/>", RECORD)])
    assert not seen


def test_a_folder_that_cannot_be_synced_leaves_the_outcome_unknown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hot = Hotfolder(tmp_path / "out")
    hot.open()
    fsyncs(monkeypatch, fail_on_folders=True)
    results = hot.put_many([("1.xml", b"<x/>", RECORD), ("2.xml", b"<x/>", RECORD)])
    assert all(isinstance(r, OutcomeUnknown) for r in results)
    with pytest.raises(OutcomeUnknown):
        hot.put("3.xml", b"<x/>", RECORD)
    assert hot.exists("1.xml", 4)  # in place: the next run finds it when it reconciles


@pytest.mark.parametrize(("link", "name"), [("web/1.xml", "web/1.xml"), ("web/sub", "web/sub/1.xml")])
def test_a_symlink_in_a_known_folder_is_still_refused(tmp_path: Path, link: str, name: str) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    hot = Hotfolder(out)
    hot.open()
    assert isinstance(hot.put("web/0.xml", b"<x/>", RECORD), Receipt)  # the folder is known from here on
    (out / link).symlink_to(outside / "1.xml" if link.endswith(".xml") else outside)
    with pytest.raises(RecordError, match="escapes the hotfolder"):
        hot.put(name, b"<x/>", RECORD)
    assert not list(outside.iterdir())
