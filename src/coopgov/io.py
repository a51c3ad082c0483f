"""File output that never destroys a user's files, and text input in any encoding used.

Atomic output
    An interrupted run must never leave a half-written report or table: every
    file is written to a temporary sibling and moved into place with
    :func:`os.replace`, which is atomic on POSIX file systems; a whole
    directory of outputs is built in a temporary sibling directory and
    swapped in at the end (in one step on Linux; see :func:`atomic_directory`
    for exactly what a reader can see elsewhere).

Output folders
    coopgov replaces or adds to a folder only if coopgov wrote it: every
    output folder carries a manifest file, :data:`OUTPUT_MANIFEST`.  A folder
    without it (or a file) in the way of an output is refused with
    :class:`OutputRefused`, which names the path, unless the caller passes
    ``force=True`` (``--force`` on the command line).  The current folder and
    the folders above it are never replaced.  Temporary folders left by a
    killed run (``.NAME.*.tmp`` and ``.NAME.old-*`` beside the output, with
    the manifest inside) are removed by the next run once they are older
    than :data:`STALE_AFTER_S` or their process is gone.

Text input
    Chinese statistical offices publish CSV files in GB18030 (or its subsets
    GBK and GB2312).  :func:`read_text` reads UTF-8 (with or without a byte
    order mark) and, failing that, GB18030; any other encoding is read when
    the caller names it.  Binary data, or bytes that are neither, give an
    :class:`~coopgov.errors.InputError` naming the file and the first bad
    byte, never a ``UnicodeDecodeError``.
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import errno
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from coopgov.errors import CoopgovError, InputError

__all__ = [
    "OUTPUT_MANIFEST",
    "STALE_AFTER_S",
    "OutputRefused",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_directory",
    "check_output_dir",
    "claim_output_dir",
    "clean_stale_temporaries",
    "decode_text",
    "exchange_paths",
    "read_text",
    "check_encoding",
    "AUTO_ENCODING",
]

#: Name of the file that marks a folder as written by coopgov.
OUTPUT_MANIFEST = ".coopgov-output.json"
#: Age after which a leftover temporary folder of coopgov's is removed [s].
STALE_AFTER_S = 3600.0
#: ``encoding`` value meaning: UTF-8, else GB18030.
AUTO_ENCODING = "auto"


class OutputRefused(CoopgovError):
    """An output path holds something coopgov did not write (or must never replace)."""

    def __init__(self, reason: str, path: str | Path) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def to_dict(self) -> dict[str, Any]:
        """Return the refusal as a JSON-serialisable mapping."""
        return {"error": self.reason, "file": self.path, "row": None, "field": "out", "value": None}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode(encoding))


# ---------------------------------------------------------------------------
# Output folders
# ---------------------------------------------------------------------------
def _manifest(kind: str) -> str:
    return json.dumps(
        {
            "written_by": "coopgov",
            "kind": kind,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "created": time.time(),
        },
        indent=2,
    )


def _is_ours(folder: Path, legacy: tuple[str, ...] = ()) -> bool:
    if (folder / OUTPUT_MANIFEST).is_file():
        return True
    return any(_legacy_ok(folder / name) for name in legacy)


def _legacy_ok(path: Path) -> bool:
    """An experiment manifest of coopgov's (written before the output manifest existed)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and {"fingerprint", "format", "n_chunks"} <= set(doc)


def _protected(path: Path) -> str | None:
    """Why ``path`` may never be replaced whatever ``force`` says (or None)."""
    target = path.resolve()
    cwd = Path.cwd().resolve()
    if target == cwd:
        return (
            "is the current folder; give a new folder's name instead "
            "(for example --out coopgov-report)"
        )
    if target in cwd.parents:
        return "is a folder above the current folder; give a new folder's name instead"
    if target == Path(target.anchor) or target == Path.home().resolve():
        return "is the root or home folder; give a new folder's name instead"
    return None


def check_output_dir(
    path: str | Path, *, force: bool = False, legacy: tuple[str, ...] = ()
) -> Path:
    """Check that coopgov may write the output folder ``path``; return it resolved.

    Allowed: a path that does not exist, an empty folder, or a folder with
    the manifest :data:`OUTPUT_MANIFEST` (or one of the ``legacy`` marker
    files of coopgov's).  Anything else is refused unless ``force``; the
    current folder, its parents, the root and the home folder always are.

    Parameters
    ----------
    path : str or Path
        Output folder.
    force : bool
        Replace whatever is there (``--force``).
    legacy : tuple of str
        Other file names that mark a folder as coopgov's.

    Raises
    ------
    OutputRefused
        Naming the path and what to do.
    """
    p = Path(path)
    why = _protected(p)
    if why is not None:
        raise OutputRefused(why, p)
    # resolve the folder it is in, not a symbolic link at the path itself
    p = p.resolve() if p.name in ("", ".", "..") else p.parent.resolve() / p.name
    if force or not os.path.lexists(p):
        return p
    if p.is_symlink() or not p.is_dir():
        raise OutputRefused(
            "exists and is not a folder written by coopgov; choose another "
            "--out, or pass --force to replace it",
            p,
        )
    if not any(p.iterdir()) or _is_ours(p, legacy):
        return p
    raise OutputRefused(
        f"is a folder that coopgov did not write (no {OUTPUT_MANIFEST}); "
        "choose another --out, or pass --force to replace it",
        p,
    )


def claim_output_dir(
    path: str | Path, *, force: bool = False, kind: str = "output", legacy: tuple[str, ...] = ()
) -> Path:
    """Check ``path`` (:func:`check_output_dir`), create it and mark it as coopgov's.

    For folders that are added to over several runs (experiment results).
    With ``force``, a file in the way is removed; a folder is kept and marked.
    """
    p = check_output_dir(path, force=force, legacy=legacy)
    if force and os.path.lexists(p) and (p.is_symlink() or not p.is_dir()):
        p.unlink()
    p.mkdir(parents=True, exist_ok=True)
    if not (p / OUTPUT_MANIFEST).is_file():
        atomic_write_text(p / OUTPUT_MANIFEST, _manifest(kind))
    return p


def _pid_gone(manifest: Path) -> bool:
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
        pid, host = int(doc["pid"]), str(doc["host"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if host != socket.gethostname():
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def clean_stale_temporaries(
    path: str | Path, *, stale_after_s: float = STALE_AFTER_S
) -> list[Path]:
    """Remove coopgov's leftover temporary folders beside the output ``path``.

    A leftover is a folder ``.NAME.*.tmp`` or ``.NAME.old-*`` (NAME the
    output's name) that holds :data:`OUTPUT_MANIFEST` and is older than
    ``stale_after_s`` seconds or whose writing process is gone.  Folders
    without the manifest are never touched.

    Returns
    -------
    list of Path
        The folders removed.
    """
    p = Path(path).resolve()
    removed: list[Path] = []
    if not p.parent.is_dir():
        return removed
    now = time.time()
    for cand in list(p.parent.glob(f".{p.name}.*")):
        if not (cand.name.endswith(".tmp") or f".{p.name}.old-" in cand.name):
            continue
        if cand.is_symlink() or not cand.is_dir():
            continue
        man = cand / OUTPUT_MANIFEST
        if not man.is_file():
            continue
        try:
            age = now - man.stat().st_mtime
        except OSError:
            continue
        if age > stale_after_s or _pid_gone(man):
            shutil.rmtree(cand, ignore_errors=True)
            removed.append(cand)
    return removed


@contextlib.contextmanager
def atomic_directory(
    path: str | Path, *, force: bool = False, kind: str = "output"
) -> Iterator[Path]:
    """Build a directory in a temporary sibling and swap it in on success.

    Yields the temporary directory to write into (it already holds the
    manifest :data:`OUTPUT_MANIFEST`).  The target is checked first
    (:func:`check_output_dir`: only a folder coopgov wrote is replaced
    unless ``force``) and again just before the swap.  On normal exit the
    previous contents of ``path`` (if any) are replaced as a whole; on an
    exception (including ``KeyboardInterrupt``) the temporary directory is
    removed and ``path`` is left exactly as it was.  Stale temporary folders
    of earlier, killed runs are removed first (:func:`clean_stale_temporaries`).

    What a reader of ``path`` sees during the swap:

    * ``path`` did not exist: one :func:`os.replace`; the folder appears
      whole, never half-written.
    * ``path`` existed, on Linux (kernel 3.15 or later, glibc 2.28 or later,
      a file system that supports it: ext4, xfs, btrfs, tmpfs, ...): the two
      folders are exchanged in one step with ``renameat2(RENAME_EXCHANGE)``;
      ``path`` always exists and holds either the old or the new outputs.
    * ``path`` existed, elsewhere (macOS, Windows, or a file system without
      the exchange): two renames, ``path`` -> ``.NAME.old-PID``, then the
      temporary folder -> ``path``.  Between them (microseconds) ``path``
      does not exist; a reader then finds no folder, never a mixed or
      half-written one.  If the process dies between the two, the old
      outputs are kept in ``.NAME.old-PID`` (with their manifest) until the
      next run cleans them up.

    Raises
    ------
    OutputRefused
        The target holds something coopgov did not write.
    """
    path = check_output_dir(path, force=force)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    os.chmod(tmp, 0o777 & ~_umask())
    try:
        atomic_write_text(tmp / OUTPUT_MANIFEST, _manifest(kind))
        yield tmp
        check_output_dir(path, force=force)  # nothing of the user's appeared meanwhile
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if os.path.lexists(path) and exchange_paths(tmp, path):
        old: Path | None = tmp  # the exchange left the previous outputs here
    else:
        old = None
        if os.path.lexists(path):
            old = path.with_name(f".{path.name}.old-{os.getpid()}")
            if os.path.lexists(old):
                shutil.rmtree(old, ignore_errors=True)
            os.replace(path, old)
        os.replace(tmp, path)
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


_AT_FDCWD = -100  # <fcntl.h>: paths relative to the current directory
_RENAME_EXCHANGE = 2  # <linux/fs.h>
_renameat2: Any = None


def exchange_paths(a: str | Path, b: str | Path) -> bool:
    """Swap two existing paths in one atomic step, where the system can.

    Linux ``renameat2(2)`` with ``RENAME_EXCHANGE`` (kernel 3.15, glibc
    2.28), called through :mod:`ctypes`.

    Parameters
    ----------
    a, b : str or Path
        Two existing paths on one file system.

    Returns
    -------
    bool
        True if they were exchanged; False if this system or file system
        cannot (not Linux, no ``renameat2`` in the C library, ``EINVAL``,
        ``ENOSYS``, ``ENOTSUP``): nothing was changed and the caller falls
        back to two renames.

    Raises
    ------
    OSError
        Any other failure of the call (e.g. a path missing, permission).
    """
    global _renameat2
    if not sys.platform.startswith("linux"):
        return False
    if _renameat2 is None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fn = libc.renameat2
        except (OSError, AttributeError):
            _renameat2 = False
            return False
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        fn.restype = ctypes.c_int
        _renameat2 = fn
    if _renameat2 is False:
        return False
    rc = _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


# ---------------------------------------------------------------------------
# Text input
# ---------------------------------------------------------------------------
_CONTROL = {c for c in range(32) if chr(c) not in "\t\n\r\f\v"} | {0x7F}


def check_encoding(encoding: str | None) -> str:
    """Return a known encoding name (or ``"auto"``); raise InputError otherwise."""
    if encoding is None or encoding.strip().lower() == AUTO_ENCODING:
        return AUTO_ENCODING
    try:
        return codecs.lookup(encoding.strip()).name
    except LookupError:
        raise InputError(
            "unknown encoding (try utf-8, gb18030 or auto)", field="encoding", value=encoding
        ) from None


_CONTROL_BYTES = bytes(sorted(_CONTROL))


def _binary_at(data: bytes) -> int | None:
    if len(data.translate(None, _CONTROL_BYTES)) == len(data):
        return None
    return next(i for i, b in enumerate(data) if b in _CONTROL)


def decode_text(data: bytes, *, file: str | Path | None = None, encoding: str | None = None) -> str:
    """Decode the bytes of a text file.

    Parameters
    ----------
    data : bytes
        File content.
    file : str or Path, optional
        Its name, for error messages.
    encoding : str, optional
        ``None`` or ``"auto"``: UTF-8 (a byte order mark is dropped), else
        GB18030 (which includes GBK and GB2312).  Any other name: that
        encoding, strictly.

    Raises
    ------
    InputError
        Binary data (control characters other than tab, newline, carriage
        return, form feed), or bytes that the encoding(s) cannot decode; the
        message names the file, the encoding and the byte offset.
    """
    enc = check_encoding(encoding)
    name = None if file is None else str(file)
    if enc != AUTO_ENCODING:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"cannot be read as {enc}: byte 0x{data[exc.start]:02x} at "
                f"offset {exc.start} (check --encoding)",
                file=name,
                field="encoding",
                value=enc,
            ) from None
        if text.startswith("\ufeff"):
            text = text[1:]
        return text
    at = _binary_at(data)
    if at is not None:
        raise InputError(
            f"binary data, not a text file (byte 0x{data[at]:02x} at offset {at})", file=name
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first = exc.start
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    raise InputError(
        f"neither UTF-8 nor GB18030 text (byte 0x{data[first]:02x} at offset "
        f"{first}); convert it to UTF-8 or pass --encoding",
        file=name,
    )


def read_text(path: str | Path, *, encoding: str | None = None) -> str:
    """Read a text file in UTF-8 or GB18030 (or ``encoding``); see :func:`decode_text`.

    Raises
    ------
    InputError
        Missing or unreadable file, a folder, binary data or undecodable bytes,
        naming the file.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=str(p)) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", file=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=str(p)) from None
    return decode_text(data, file=p, encoding=encoding)
