"""regkit._io.atomic_write: all or nothing, and never over someone else's file."""
import os

import pytest

from regkit._io import atomic_write, check_writable


def writer(text, fail=False):
    def write(tmp):
        with open(tmp, "w") as fh:
            fh.write(text[: len(text) // 2])
            if fail:
                raise OSError("disk full")
            fh.write(text[len(text) // 2:])
    return write


RULE = dict(who="save_it", allow="pass overwrite=True")


def test_writes_exactly_the_path_and_leaves_nothing_else(tmp_path):
    path = tmp_path / "out.txt"
    atomic_write(path, writer("hello world"), overwrite=False, **RULE)
    assert path.read_text() == "hello world"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_refuses_to_overwrite_naming_who_the_path_and_the_way_out(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("mine")
    with pytest.raises(FileExistsError) as err:
        atomic_write(path, writer("new"), overwrite=False, **RULE)
    message = str(err.value)
    assert message.startswith("save_it: path ") and "out.txt" in message
    assert "refusing to overwrite" in message and "pass overwrite=True to replace it" in message
    assert path.read_text() == "mine" and os.listdir(tmp_path) == ["out.txt"]


def test_replaces_only_with_overwrite_true(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    atomic_write(path, writer("new"), overwrite=True, **RULE)
    assert path.read_text() == "new" and os.listdir(tmp_path) == ["out.txt"]


def test_a_failing_write_leaves_the_old_file_intact_and_no_temporary(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, writer("new content", fail=True), overwrite=True, **RULE)
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_a_failing_first_write_leaves_nothing(tmp_path):
    with pytest.raises(OSError, match="disk full"):
        atomic_write(tmp_path / "out.txt", writer("x", fail=True), overwrite=False, **RULE)
    assert os.listdir(tmp_path) == []


def test_a_writer_that_writes_nothing_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing was written"):
        atomic_write(tmp_path / "out.txt", lambda tmp: None, overwrite=False, **RULE)
    assert os.listdir(tmp_path) == []


def test_the_writer_sees_the_file_name_and_a_path_that_does_not_exist(tmp_path):
    seen = []

    def write(tmp):
        seen.append((os.path.basename(tmp), os.path.exists(tmp),
                     os.path.dirname(os.path.dirname(tmp))))
        open(tmp, "w").close()
    atomic_write(tmp_path / "fig.png", write, overwrite=False, **RULE)
    assert seen == [("fig.png", False, str(tmp_path))]


def test_own_kind_is_replaced_anything_else_refused(tmp_path):
    own = ("a greeting", lambda p: open(p).read().startswith("hello"))
    path = tmp_path / "g.txt"
    path.write_text("hello old")
    atomic_write(path, writer("hello new"), overwrite=False, own_kind=own, **RULE)
    assert path.read_text() == "hello new"
    path.write_text("my thesis")
    with pytest.raises(FileExistsError, match="already exists and is not a greeting"):
        atomic_write(path, writer("hello"), overwrite=False, own_kind=own, **RULE)
    assert path.read_text() == "my thesis"


def test_without_a_way_to_allow_it_the_message_says_delete_it(tmp_path):
    path = tmp_path / "x"
    path.write_text("")
    with pytest.raises(FileExistsError, match="Choose another path, or delete the file"):
        check_writable(path, overwrite=False, who="ModelCheckpoint")
    with pytest.raises(FileExistsError, match="save_it: --plot .* pass --force"):
        check_writable(path, overwrite=False, who="save_it", arg="--plot",
                       allow="pass --force")


def test_a_directory_is_never_a_target(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a directory"):
        atomic_write(tmp_path, writer("x"), overwrite=True, **RULE)
    assert os.listdir(tmp_path) == []


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="the folder .*nope.* does not exist"):
        atomic_write(tmp_path / "nope" / "out.txt", writer("x"), overwrite=True, **RULE)
    assert os.listdir(tmp_path) == []
