"""Writing a file: all of it or none of it, and never over someone else's.

Every file regkit writes (``History.to_csv``, ``ModelCheckpoint``,
``regkit diagnose --plot``) goes through :func:`atomic_write`, so two rules
hold everywhere:

* **Atomic.** The content is written to a temporary file in a fresh hidden
  folder next to ``path`` (the same file system), which then replaces
  ``path`` in one ``os.replace``, a rename. A failed or interrupted write
  leaves the old file as it was (or no file), never half a file, and the
  hidden folder is removed whatever happens.
* **Refuse to overwrite.** An existing file is replaced only when it is of
  the writer's own kind (a regkit History CSV for ``to_csv``, a regkit
  model for ``ModelCheckpoint``) or when the caller allowed it
  (``overwrite=True``, ``--force``). Anything else is a
  ``FileExistsError`` that names the argument, the path and how to allow
  it; a directory at ``path`` is an ``IsADirectoryError``.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import Callable

#: ``(what the files are called, a test for one)``, e.g.
#: ``("a regkit model", is_model_file)``: such a file may always be replaced.
OwnKind = tuple[str, Callable[[str], bool]]


def check_writable(path, *, overwrite: bool, own_kind: OwnKind | None = None,
                   who: str, arg: str = "path", allow: str | None = None) -> str:
    """Raise unless ``atomic_write`` may write ``path``; return it as a str.

    Args:
        path: the file to be written.
        overwrite: True lets any existing file be replaced.
        own_kind: ``(description, test)``: an existing file for which
            ``test(path)`` is True is replaced even without ``overwrite``.
        who: the caller, for the message ("to_csv", "regkit diagnose").
        arg: the argument that holds the path ("path", "--plot").
        allow: how the user lets an existing file be replaced
            ("pass overwrite=True", "pass --force"); None when they cannot
            (the message then says to delete the file).

    Raises:
        IsADirectoryError: ``path`` is a directory.
        FileNotFoundError: the folder ``path`` would go in does not exist.
        FileExistsError: ``path`` exists and may not be replaced.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"{who}: {arg} {path!r} is a directory; give the path "
                                "of a file")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{who}: {arg} {path!r} cannot be written: the folder "
                                f"{folder!r} does not exist")
    if overwrite or not os.path.lexists(path):
        return path
    what = ""
    if own_kind is not None:
        kind, is_own = own_kind
        if is_own(path):
            return path
        what = f" and is not {kind}"
    fix = f"{allow} to replace it" if allow else "delete the file yourself"
    raise FileExistsError(f"{who}: {arg} {path!r} already exists{what}; refusing to "
                          f"overwrite it. Choose another path, or {fix}.")


def atomic_write(path, write: Callable[[str], object], *, overwrite: bool,
                 own_kind: OwnKind | None = None, who: str, arg: str = "path",
                 allow: str | None = None) -> None:
    """Write a whole file at ``path`` with ``write(tmp_path)``, atomically.

    ``write`` receives the path of a file that does not exist yet, in a
    hidden folder next to ``path`` and with the same file name (so a writer
    that reads the format from the extension, like matplotlib's
    ``savefig``, sees the right one), and must write the complete content
    there. Only when it returns does that file replace ``path``. The file
    is not fsync'ed: a crash of the machine itself may still lose the last
    write (but leaves no half-written file behind a finished rename).

    Args:
        path: where the file goes (exactly this path).
        write: ``write(tmp_path)``, e.g. ``model.save`` or
            ``lambda tmp: fig.savefig(tmp)``. Whatever it raises is raised
            again, after the temporary folder is removed.
        overwrite, own_kind, who, arg, allow: the refuse-to-overwrite rule,
            see :func:`check_writable`.

    Raises:
        FileExistsError, IsADirectoryError, FileNotFoundError: see
            :func:`check_writable`.
        FileNotFoundError: also when ``write`` returned without creating
            the file.
    """
    path = check_writable(path, overwrite=overwrite, own_kind=own_kind, who=who, arg=arg,
                          allow=allow)
    folder = os.path.dirname(os.path.abspath(path))
    scratch = tempfile.mkdtemp(dir=folder, prefix=".regkit-")
    try:
        tmp = os.path.join(scratch, os.path.basename(path))
        write(tmp)
        if not os.path.isfile(tmp):
            raise FileNotFoundError(f"{who}: nothing was written for {arg} {path!r} "
                                    f"(the writer created {sorted(os.listdir(scratch))})")
        os.replace(tmp, path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
