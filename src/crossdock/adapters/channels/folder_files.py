"""File-system steps of a drop folder that must never follow a partner's file anywhere.

A drop folder is written by someone else (an SFTP account, a mounted share), so every name in
it is treated as hostile: a symbolic link to ``/etc/…``, a FIFO (opening one for reading
blocks until a writer appears), a device node, a directory, or a hard link to a file outside
the folder. Everything here works relative to a directory descriptor with ``O_NOFOLLOW``,
checks the kind with ``lstat`` before opening and with ``fstat`` after (the name may have been
swapped in between), so reading never leaves the folder and never blocks.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat

#: Longest file name (bytes) on the file systems a drop folder lives on (ext4, xfs, NFS).
NAME_MAX = 255
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


class Refused(OSError):
    """A name in the folder that is not a plain file of its own: never read."""


LINK = "a symbolic link: links are never followed out of the drop folder"


def refusal(st: os.stat_result) -> str | None:
    """Why an entry (from ``lstat``) must not be read, or None for a plain file."""
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return LINK
    if stat.S_ISDIR(mode):
        return "a directory: only files are taken from the drop folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO): not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file: not a file"
    if stat.S_ISSOCK(mode):
        return "a socket: not a file"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    if st.st_nlink > 1:
        return "a hard link: the same file has another name, possibly outside the drop folder"
    return None


def open_dir(path: str, *, dir_fd: int | None = None, nofollow: bool = False) -> int:
    """A descriptor of a directory; ``nofollow`` refuses a symbolic link in its place."""
    flags = _DIR_FLAGS | (getattr(os, "O_NOFOLLOW", 0) if nofollow else 0)
    return os.open(path, flags, dir_fd=dir_fd)


def open_regular(dir_fd: int, name: str) -> int:
    """Open ``name`` in ``dir_fd`` for reading only if it is a plain file of its own.

    Raises:
        Refused: a link, FIFO, device, directory or hard link (nothing was read).
        OSError: the name is gone or unreadable.
    """
    if not name or "/" in name or name in (".", ".."):
        raise Refused(f"{name!r} is not a file name inside the drop folder")
    before = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    reason = refusal(before)
    if reason is not None:
        raise Refused(reason)
    try:
        fd = os.open(name, _OPEN_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == getattr(os, "ELOOP", -1):
            raise Refused(LINK) from exc
        raise
    try:
        after = os.fstat(fd)
        reason = refusal(after)
        if reason is None and (after.st_ino, after.st_dev) != (before.st_ino, before.st_dev):
            reason = "replaced while it was being opened"
        if reason is not None:
            raise Refused(reason)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def derived_name(prefix: str, name: str, *, reserve: int) -> str:
    """``prefix + name`` shortened, when needed, to leave ``reserve`` bytes of NAME_MAX free.

    A partner may use a legal 250-byte name; the archive's time stamp and the report's suffix
    would push the derived names past NAME_MAX. The shortened form keeps the start of the name
    and its extension and puts a hash of the whole name between them, so two long names that
    share a start still map to different files (the report keeps the original name).
    """
    full = prefix + name
    budget = NAME_MAX - reserve
    if len(os.fsencode(full)) <= budget:
        return full
    encoded = os.fsencode(name)
    digest = "~" + hashlib.sha256(encoded).hexdigest()[:16]
    suffix = os.fsencode(os.path.splitext(name)[1])
    if len(suffix) > 16:
        suffix = b""
    room = budget - len(os.fsencode(prefix)) - len(digest) - len(suffix)
    head = _whole_characters(encoded[: max(room, 0)])
    return prefix + os.fsdecode(head) + digest + os.fsdecode(suffix)


def _whole_characters(data: bytes) -> bytes:
    """Drop a UTF-8 sequence cut in half at the end (a name stays valid UTF-8 if it was)."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return data
        if byte >= 0xC0:  # a lead byte: keep it only if its sequence is complete
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return data if back >= needed else data[:-back]
    return data


_ISA_SCAN = 400
_TAIL = 1024


def x12_incomplete(fd: int, size: int) -> bool:
    """True for an X12 file still being written: an ISA at the start and no IEA at the end.

    Only the head (for the delimiters) and the tail are read, whatever the size. A file that
    does not start like X12 is never held back (the reader reports what it is). The trailer
    counts as written when it is followed by a terminator or line break, or when its control
    number is complete (nine digits, or equal to the first ISA13): partners omit the last
    terminator, drop ISA16 or end segments with multi-byte characters, and such files must
    not wait for the maximum.
    """
    head = os.pread(fd, _ISA_SCAN, 0)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"ISA"):
        return False
    if len(text) < 4:
        return True
    separator = text[3:4]
    if separator.isalnum() or separator in b" \r\n":
        return False  # not a usable ISA: nothing to wait for
    isa = text.split(separator, 16)
    if len(isa) < 15:
        return len(head) < _ISA_SCAN  # the ISA itself is not all there yet
    tail = os.pread(fd, _TAIL, max(0, size - _TAIL))
    sep = re.escape(separator)
    pattern = b"IEA" + sep + rb"[0-9 ]*" + sep + rb"([0-9]+)([^0-9A-Za-z\s]{0,4})([\s\x00]*)\Z"
    found = re.search(pattern, tail)
    if found is None:
        return True
    control, terminator, trailing = found.groups()
    if terminator or trailing or len(control) >= 9:
        return False
    return not isa[13].strip().isdigit() or int(isa[13]) != int(control)
