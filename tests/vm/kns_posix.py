#!/usr/bin/python3
# POSIX namespace behaviour of a leofs mount, used by kns_posix_check.sh.
#   kns_posix.py ops DIR        every operation and its error cases (and
#                               a short write() at the end of a file, a
#                               mkdir of an uncached existing name)
#   kns_posix.py verify DIR     the state "ops" left, read again (run after
#                               dropping caches and after a remount)
#   kns_posix.py bigdir DIR N   N entries created, listed completely
#   kns_posix.py seekdir DIR    telldir/seekdir through libc
#   kns_posix.py nonroot DIR    run as uid 1000: EACCES/EPERM cases
# Every failed check is printed; the exit status is 1 if any failed.
import ctypes
import ctypes.util
import errno
import os
import stat
import sys
import time

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
bad = []


def check(cond, what):
    if not cond:
        bad.append(what)
        print("FAIL:", what, flush=True)


def expect_errno(want, what, fn, *args, **kw):
    """fn(*args) must fail with errno want (an int or a tuple of ints)."""
    wants = want if isinstance(want, tuple) else (want,)
    try:
        fn(*args, **kw)
    except OSError as e:
        check(e.errno in wants, "%s: got %s, want %s" % (
            what, errno.errorcode.get(e.errno, e.errno),
            "/".join(errno.errorcode[w] for w in wants)))
        return
    check(False, "%s: succeeded, want %s" % (
        what, "/".join(errno.errorcode[w] for w in wants)))


def touch(p, mode=0o644):
    os.close(os.open(p, os.O_CREAT | os.O_WRONLY, mode))


def excl(p):
    os.close(os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))


RENAME_NOREPLACE = 1
libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                           ctypes.c_char_p, ctypes.c_uint]


def renameat2(a, b, flags):
    AT_FDCWD = -100
    if libc.renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b),
                      flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def shard(p):
    return os.lstat(p).st_ino >> 48


ALL_BYTES = bytes(b for b in range(1, 256) if b != 0x2f)   # 254 bytes
LONG_TARGET = ("t" * 99 + "/") * 40 + "end"                 # 4003 bytes


def sec_create():
    # create, O_EXCL
    touch("f")
    st = os.stat("f")
    check(stat.S_ISREG(st.st_mode) and st.st_size == 0, "create: regular, empty")
    excl("g")
    expect_errno(errno.EEXIST, "O_CREAT|O_EXCL on an existing file", excl, "f")
    expect_errno(errno.EEXIST, "O_CREAT|O_EXCL on an existing directory", excl, ".")
    expect_errno(errno.ENOENT, "open of a missing name", os.open, "nope", os.O_RDONLY)
    expect_errno(errno.ENOENT, "create in a missing directory", touch, "nodir/x")


def sec_mkdir():
    # mkdir, rmdir
    os.mkdir("d")
    check(stat.S_ISDIR(os.stat("d").st_mode), "mkdir: a directory")
    expect_errno(errno.EEXIST, "mkdir of an existing name", os.mkdir, "d")
    expect_errno(errno.EEXIST, "mkdir over a file", os.mkdir, "f")
    touch("d/inner")
    expect_errno(errno.ENOTEMPTY, "rmdir of a non-empty directory", os.rmdir, "d")
    expect_errno(errno.ENOTDIR, "rmdir of a file", os.rmdir, "f")
    expect_errno(errno.ENOENT, "rmdir of a missing name", os.rmdir, "nope")
    os.mkdir("e")
    os.rmdir("e")
    expect_errno(errno.ENOENT, "stat after rmdir", os.stat, "e")
    nl0 = os.stat(".").st_nlink
    os.mkdir("e2")
    check(os.stat(".").st_nlink == nl0 + 1, "mkdir raises the parent's link count")
    os.rmdir("e2")
    check(os.stat(".").st_nlink == nl0, "rmdir lowers the parent's link count")


def sec_unlink_errors():
    # unlink
    touch("u")
    os.unlink("u")
    expect_errno(errno.ENOENT, "stat after unlink", os.stat, "u")
    expect_errno(errno.ENOENT, "unlink of a missing name", os.unlink, "u")
    expect_errno(errno.EISDIR, "unlink of a directory", os.unlink, "d")
    # EISDIR, ENOTDIR
    expect_errno(errno.EISDIR, "open a directory for writing", os.open, "d", os.O_WRONLY)
    expect_errno(errno.ENOTDIR, "a file used as a directory (open)", os.open, "f/x", os.O_RDONLY)
    expect_errno(errno.ENOTDIR, "a file used as a directory (mkdir)", os.mkdir, "f/x")
    expect_errno(errno.ENOTDIR, "O_DIRECTORY on a file", os.open, "f", os.O_RDONLY | os.O_DIRECTORY)


def sec_rename():
    # rename
    with open("r1", "w") as fh:
        fh.write("one")
    ino = os.stat("r1").st_ino
    os.rename("r1", "r2")
    expect_errno(errno.ENOENT, "old name after rename", os.stat, "r1")
    check(os.stat("r2").st_ino == ino, "rename keeps the inode")
    with open("r3", "w") as fh:
        fh.write("three")
    os.rename("r2", "r3")       # replaces r3
    check(os.stat("r3").st_ino == ino, "rename over a file: the target is the source")
    expect_errno(errno.ENOENT, "source after rename over a file", os.stat, "r2")
    with open("r3") as fh:
        check(fh.read() == "one", "rename over a file: the content is the source's")
    expect_errno(errno.ENOENT, "rename of a missing name", os.rename, "r2", "r4")
    # directories homed on this directory's shard (other shards: see
    # sec_rename_xshard_dirs)
    for i, n in enumerate(same_shard_dirs(3)):
        os.rename(n, "rd%d" % (i + 1))
    touch("rd2/x")
    expect_errno(errno.ENOTEMPTY, "rename a directory over a non-empty one",
                 os.rename, "rd1", "rd2")
    expect_errno(errno.ENOTDIR, "rename a directory over a file", os.rename, "rd1", "f")
    expect_errno(errno.EISDIR, "rename a file over a directory", os.rename, "f", "rd1")
    expect_errno(errno.EINVAL, "rename a directory into itself", os.rename, "rd2", "rd2/sub")
    os.rename("rd1", "rd3")     # over an empty directory
    check(stat.S_ISDIR(os.stat("rd3").st_mode), "rename a directory over an empty one")
    expect_errno(errno.ENOENT, "source directory after rename", os.stat, "rd1")


CAND = iter(range(1 << 30))


def same_shard_dirs(k, other=False):
    """k new directories homed on the shard of "." (or on another one);
    the others made on the way are removed again."""
    out, tries = [], 0
    while len(out) < k and tries < 200:
        n = "cand%d" % next(CAND)
        tries += 1
        os.mkdir(n)
        if (shard(n) == shard(".")) != other:
            out.append(n)
        else:
            os.rmdir(n)
    check(len(out) == k, "%d directories homed on %s shard in 200 tries" % (
        len(out), "another" if other else "the parent's"))
    return out


def sec_rename_xshard_dirs():
    # Renames that replace or move a directory homed on another shard than
    # its parent: the metadata servers' two-phase protocol.
    xs, ys = same_shard_dirs(1, other=True), same_shard_dirs(1)
    if not xs or not ys:
        return
    x, y = xs[0], ys[0]
    ino = os.stat(y).st_ino
    os.rename(y, x)             # over an empty directory homed elsewhere
    check(os.stat(x).st_ino == ino, "rename a directory over one on another shard")
    expect_errno(errno.ENOENT, "source after a cross-shard directory rename", os.stat, y)
    os.mkdir(y)
    touch(y + "/f")
    expect_errno(errno.ENOTEMPTY, "rename over a non-empty directory on another shard",
                 os.rename, x, y)
    os.rename(x, y + "/moved")  # into a directory homed on another shard
    check(os.stat(y + "/moved").st_ino == ino and os.stat(y).st_nlink == 3,
          "move a directory into one on another shard (ino, parent's nlink)")
    expect_errno(errno.EINVAL, "move a directory into its own subtree across shards",
                 os.rename, y, y + "/moved/sub")
    os.rmdir(y + "/moved")
    os.unlink(y + "/f")
    os.rmdir(y)


def sec_noreplace():
    # RENAME_NOREPLACE
    with open("n1", "w") as fh:
        fh.write("n1")
    with open("n2", "w") as fh:
        fh.write("n2")
    expect_errno(errno.EEXIST, "RENAME_NOREPLACE onto an existing name",
                 renameat2, "n1", "n2", RENAME_NOREPLACE)
    with open("n1") as fh:
        check(fh.read() == "n1", "RENAME_NOREPLACE failure leaves the source")
    with open("n2") as fh:
        check(fh.read() == "n2", "RENAME_NOREPLACE failure leaves the target")
    renameat2("n1", "n3", RENAME_NOREPLACE)
    expect_errno(errno.ENOENT, "RENAME_NOREPLACE to a free name: source gone", os.stat, "n1")
    with open("n3") as fh:
        check(fh.read() == "n1", "RENAME_NOREPLACE to a free name")


def sec_rename_dirs():
    # rename between directories, on one shard or across shards
    touch("mv")
    ino = os.stat("mv").st_ino
    others = same_shard_dirs(1, other=True)
    for sub in ["d", "rd3"] + others:
        os.rename("mv", sub + "/mv")
        check(os.stat(sub + "/mv").st_ino == ino,
              "rename to another directory (shards %d and %d)" % (shard("."), shard(sub)))
        expect_errno(errno.ENOENT, "source after a rename to another directory",
                     os.stat, "mv")
        os.link(sub + "/mv", "mv-link")     # a link across directories
        check(os.stat("mv-link").st_nlink == 2, "link count after a link across directories")
        os.unlink("mv-link")
        os.rename(sub + "/mv", "mv")
    for o in others:
        os.rmdir(o)


def sec_link():
    # link
    touch("l1")
    os.link("l1", "l2")
    s1, s2 = os.stat("l1"), os.stat("l2")
    check(s1.st_ino == s2.st_ino and s1.st_nlink == 2, "link: same inode, nlink 2")
    expect_errno(errno.EEXIST, "link onto an existing name", os.link, "l1", "f")
    expect_errno(errno.EPERM, "link of a directory", os.link, "d", "dl")
    expect_errno(errno.ENOENT, "link of a missing name", os.link, "nope", "nl")
    os.unlink("l1")
    check(os.stat("l2").st_nlink == 1, "unlink of one link leaves the other, nlink 1")


def sec_symlink():
    # symlink, readlink
    os.symlink("f", "s1")
    check(os.readlink("s1") == "f", "readlink")
    check(stat.S_ISLNK(os.lstat("s1").st_mode) and os.lstat("s1").st_size == 1,
          "lstat of a symlink")
    check(os.stat("s1").st_ino == os.stat("f").st_ino, "a symlink is followed")
    os.symlink(LONG_TARGET, "slong")
    check(os.readlink("slong") == LONG_TARGET, "readlink of a 4003-byte target")
    os.symlink("/nonexistent/x", "sdang")
    expect_errno(errno.ENOENT, "a dangling symlink", os.stat, "sdang")
    expect_errno(errno.EEXIST, "symlink onto an existing name", os.symlink, "x", "f")
    expect_errno(errno.EINVAL, "readlink of a file", os.readlink, "f")


def sec_eloop():
    # ELOOP
    os.symlink("loop2", "loop1")
    os.symlink("loop1", "loop2")
    expect_errno(errno.ELOOP, "open through a symlink loop", os.open, "loop1", os.O_RDONLY)
    expect_errno(errno.ELOOP, "stat through a symlink loop", os.stat, "loop1")
    expect_errno(errno.ELOOP, "O_NOFOLLOW on a symlink", os.open, "s1",
                 os.O_RDONLY | os.O_NOFOLLOW)


def sec_setattr():
    # chmod, chown, utimes, truncate
    touch("a")
    os.chmod("a", 0o4751)
    check(stat.S_IMODE(os.stat("a").st_mode) == 0o4751, "chmod 4751")
    os.chown("a", 1000, 1000)
    st = os.stat("a")
    check((st.st_uid, st.st_gid) == (1000, 1000), "chown 1000:1000")
    check(not st.st_mode & stat.S_ISUID, "chown clears set-user-id")
    os.utime("a", ns=(1000000000123456789, 1100000000987654321))
    st = os.stat("a")
    check(st.st_atime_ns == 1000000000123456789 and st.st_mtime_ns == 1100000000987654321,
          "utimes with nanoseconds: got %d %d" % (st.st_atime_ns, st.st_mtime_ns))
    ct0 = os.stat("a").st_ctime_ns
    time.sleep(0.02)
    os.chmod("a", 0o640)
    check(os.stat("a").st_ctime_ns > ct0, "chmod updates ctime")
    touch("t")
    os.truncate("t", 123457)
    check(os.stat("t").st_size == 123457, "truncate up to 123457")
    with open("t", "rb") as fh:
        check(fh.read() == bytes(123457), "truncate up reads zeros")
    os.truncate("t", 10)
    check(os.stat("t").st_size == 10, "truncate down to 10")
    expect_errno(errno.EISDIR, "truncate of a directory", os.truncate, "d", 0)


def sec_xattr():
    # xattrs
    os.setxattr("f", "user.a", b"alpha")
    os.setxattr("f", "user.empty", b"")
    big = bytes(range(256)) * 16
    os.setxattr("f", "user.big", big)
    check(os.getxattr("f", "user.a") == b"alpha", "getxattr user.a")
    check(os.getxattr("f", "user.empty") == b"", "getxattr of an empty value")
    check(os.getxattr("f", "user.big") == big, "getxattr of a 4 KiB value")
    names = set(os.listxattr("f"))
    check({"user.a", "user.empty", "user.big"} <= names, "listxattr: %s" % sorted(names))
    expect_errno(errno.EEXIST, "XATTR_CREATE on an existing xattr", os.setxattr,
                 "f", "user.a", b"x", os.XATTR_CREATE)
    expect_errno(errno.ENODATA, "XATTR_REPLACE on a missing xattr", os.setxattr,
                 "f", "user.none", b"x", os.XATTR_REPLACE)
    os.setxattr("f", "user.a", b"beta", os.XATTR_REPLACE)
    check(os.getxattr("f", "user.a") == b"beta", "XATTR_REPLACE")
    os.setxattr("d", "user.ondir", b"dir")
    check(os.getxattr("d", "user.ondir") == b"dir", "xattr on a directory")
    os.removexattr("f", "user.empty")
    expect_errno(errno.ENODATA, "getxattr after removexattr", os.getxattr, "f", "user.empty")
    expect_errno(errno.ENODATA, "getxattr of a missing xattr", os.getxattr, "f", "user.zz")
    expect_errno(errno.ENODATA, "removexattr of a missing xattr", os.removexattr, "f", "user.zz")


def sec_statfs():
    # statfs
    sv = os.statvfs(".")
    check(sv.f_bsize > 0 and sv.f_blocks > 0 and sv.f_bavail <= sv.f_blocks,
          "statfs: bsize %d blocks %d bavail %d" % (sv.f_bsize, sv.f_blocks, sv.f_bavail))
    check(sv.f_namemax == 255, "statfs: namemax %d" % sv.f_namemax)


def sec_nametoolong():
    # ENAMETOOLONG
    touch("n" * 255)
    check(os.stat("n" * 255).st_size == 0, "a 255-byte name")
    expect_errno(errno.ENAMETOOLONG, "create with a 256-byte name", touch, "n" * 256)
    expect_errno(errno.ENAMETOOLONG, "mkdir with a 256-byte name", os.mkdir, "m" * 256)
    expect_errno(errno.ENAMETOOLONG, "stat with a 256-byte name", os.stat, "s" * 256)
    expect_errno(errno.ENAMETOOLONG, "rename to a 256-byte name", os.rename, "f", "r" * 256)


def sec_byte_names():
    # names with every legal byte
    os.mkdir("bytes")
    touch(b"bytes/" + ALL_BYTES)
    for b in ALL_BYTES:
        touch(b"bytes/" + (bytes([b]) if b != 0x2e else b"..."))
        touch(b"bytes/x" + bytes([b]) + b"y")
    verify_bytes("bytes")


libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                      ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libc.write.restype = ctypes.c_ssize_t
libc.write.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]


def zeroes_new_pages():
    """Whether the kernel clears pages as it allocates them."""
    with open("/proc/cmdline") as f:
        args = f.read().split()
    for a in args:
        if a.startswith("init_on_alloc="):
            return a != "init_on_alloc=0"
    try:
        with open("/boot/config-" + os.uname().release) as f:
            return "CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y" in f.read()
    except OSError:
        return True  # unknown: assume the check could not show it


def sec_mkdir_existing_uncached():
    """mkdir of a name that exists but is not in the dentry cache fails
    with EEXIST and leaves the name usable: the dentry made for the create
    must not pass for a looked-up negative one."""
    os.mkdir("exists")
    with open("exists/inner", "w"):
        pass
    for i in range(200):  # recently stamped dentries, freed again
        try:
            os.stat("gone-%d" % i)
        except FileNotFoundError:
            pass
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("2")
    expect_errno(errno.EEXIST, "mkdir of an uncached existing name",
                 os.mkdir, "exists")
    try:
        check(stat.S_ISDIR(os.stat("exists").st_mode),
              "after a refused mkdir: still a directory")
        check(os.listdir("exists") == ["inner"],
              "after a refused mkdir: its entries")
    except OSError as e:
        check(False, "after a refused mkdir: %r" % e)
    if zeroes_new_pages():
        print("mkdir of an uncached name: this kernel zeroes what it"
              " allocates (init_on_alloc), so a stale stamp could not"
              " show here")
    os.unlink("exists/inner")
    os.rmdir("exists")


def sec_short_write():
    """A write() at the end of a file whose buffer runs into an unmapped
    page copies what it can; the rest of the new page reads as zeros, never
    as what the page cache page held before."""
    pg = os.sysconf("SC_PAGE_SIZE")
    # page cache pages full of 0x5a, freed again: a stale byte would show
    with open("stale", "wb") as f:
        f.write(b"\x5a" * (8 << 20))
        os.fsync(f.fileno())
    os.unlink("stale")
    buf = libc.mmap(None, 2 * pg, 3, 0x22, -1, 0)  # RW, private anonymous
    check(buf not in (None, ctypes.c_void_p(-1).value), "mmap")
    ctypes.memset(buf + pg - 100, 0x41, 100)
    libc.munmap(buf + pg, pg)
    fd = os.open("shortw", os.O_CREAT | os.O_RDWR | os.O_TRUNC, 0o644)
    try:
        n = libc.write(fd, buf + pg - 100, 200)
        check(n == 100, "write of 200 bytes, 100 mapped: %d" % n)
        os.ftruncate(fd, pg)
        data = os.pread(fd, pg, 0)
        check(data[:100] == b"A" * 100, "short write: the bytes copied")
        check(data[100:] == bytes(pg - 100),
              "short write: past them zeros, not %r" % data[100:116])
        if zeroes_new_pages():
            print("short write: this kernel zeroes every page it hands out"
                  " (init_on_alloc), so stale bytes could not show here")
    finally:
        os.close(fd)
        libc.munmap(buf, pg)
    os.unlink("shortw")


SECTIONS = [sec_create, sec_mkdir, sec_unlink_errors, sec_rename, sec_rename_xshard_dirs, sec_noreplace, sec_rename_dirs, sec_link, sec_symlink, sec_eloop, sec_setattr, sec_xattr, sec_statfs, sec_nametoolong, sec_byte_names, sec_short_write, sec_mkdir_existing_uncached]


def ops(d):
    os.chdir(d)
    for sec in SECTIONS:
        try:
            sec()
        except Exception as e:
            check(False, "%s (%s): unexpected %r" % (
                sec.__name__, sec.__code__.co_firstlineno, e))


def verify_bytes(d):
    want = {ALL_BYTES, b"..."} | {bytes([b]) for b in ALL_BYTES if b != 0x2e} | \
        {b"x" + bytes([b]) + b"y" for b in ALL_BYTES}
    got = set(os.listdir(os.fsencode(d)))
    check(got == want, "names with every byte: %d listed, %d missing, %d extra" % (
        len(got), len(want - got), len(got - want)))
    for n in want:
        try:
            os.stat(os.fsencode(d) + b"/" + n)
        except OSError as e:
            check(False, "stat of byte name %r: %s" % (n, e))


def verify(d):
    os.chdir(d)
    st = os.stat("a")
    check(stat.S_IMODE(st.st_mode) == 0o640 and (st.st_uid, st.st_gid) == (1000, 1000),
          "verify: mode/owner of a: %o %d:%d" % (st.st_mode, st.st_uid, st.st_gid))
    check(st.st_mtime_ns == 1100000000987654321, "verify: mtime of a")
    check(os.stat("t").st_size == 10, "verify: size of t")
    check(os.readlink("slong") == LONG_TARGET, "verify: long symlink")
    check(os.stat("l2").st_nlink == 1, "verify: nlink of l2")
    check(os.getxattr("f", "user.a") == b"beta", "verify: user.a")
    check(os.getxattr("f", "user.big") == bytes(range(256)) * 16, "verify: user.big")
    with open("r3") as fh:
        check(fh.read() == "one", "verify: r3")
    want = {"f", "g", "d", "r3", "rd2", "rd3", "n2", "n3", "mv", "l2", "s1", "slong",
            "sdang", "loop1", "loop2", "a", "t", "n" * 255, "bytes"}
    got = set(os.listdir("."))
    check(got == want, "verify: listing, missing %s, extra %s" % (
        sorted(want - got), sorted(got - want)))
    verify_bytes("bytes")


def bigdir(d, n):
    """n entries made by two processes (the metadata server runs in the
    same guest), then listed completely, cached and after drop_caches."""
    os.mkdir(d)
    t0 = time.monotonic()
    budget = float(os.environ.get("KNS_BIGDIR_BUDGET", "360"))
    kids = []
    for part in (0, 1):
        pid = os.fork()
        if pid == 0:
            rc = 0
            for i in range(part, n, 2):
                try:
                    os.close(os.open("%s/entry-%06d" % (d, i),
                                     os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
                except OSError as e:
                    print("FAIL: create entry-%06d: %s" % (i, e), flush=True)
                    os._exit(1)
                if i % 10000 < 2 and i >= 10000:
                    print("  %d created, %.0f s" % (i, time.monotonic() - t0), flush=True)
                if time.monotonic() - t0 > budget:
                    print("  stopped at entry %d after %.0f s" % (i, budget), flush=True)
                    os._exit(2)
            os._exit(rc)
        kids.append(pid)
    st = [os.waitpid(k, 0)[1] for k in kids]
    if any(st):
        made = len(os.listdir(d))
        check(False, "bigdir: %d of %d entries created in %.0f s (%.0f/s)" % (
            made, n, time.monotonic() - t0, made / (time.monotonic() - t0)))
        return
    t1 = time.monotonic()
    want = {"entry-%06d" % i for i in range(n)}
    for rnd in ("cached", "after drop_caches"):
        if rnd != "cached":
            with open("/proc/sys/vm/drop_caches", "w") as fh:
                fh.write("3\n")
        got = os.listdir(d)
        check(len(got) == len(set(got)), "bigdir %s: %d duplicates" % (rnd, len(got) - len(set(got))))
        check(set(got) == want, "bigdir %s: %d listed, %d missing, %d extra" % (
            rnd, len(got), len(want - set(got)), len(set(got) - want)))
    check(os.stat(d).st_nlink == 2, "bigdir nlink %d" % os.stat(d).st_nlink)
    print("bigdir: %d entries created in %.0f s, listed in %.0f s" % (
        n, t1 - t0, time.monotonic() - t1), flush=True)


class Dirent(ctypes.Structure):
    _fields_ = [("d_ino", ctypes.c_uint64), ("d_off", ctypes.c_int64),
                ("d_reclen", ctypes.c_ushort), ("d_type", ctypes.c_ubyte),
                ("d_name", ctypes.c_char * 256)]


libc.opendir.restype = ctypes.c_void_p
libc.opendir.argtypes = [ctypes.c_char_p]
libc.readdir.restype = ctypes.POINTER(Dirent)
libc.readdir.argtypes = [ctypes.c_void_p]
libc.telldir.restype = ctypes.c_long
libc.telldir.argtypes = [ctypes.c_void_p]
libc.seekdir.argtypes = [ctypes.c_void_p, ctypes.c_long]
libc.rewinddir.argtypes = [ctypes.c_void_p]
libc.closedir.argtypes = [ctypes.c_void_p]


def read_rest(dp):
    out = []
    while True:
        ent = libc.readdir(dp)
        if not ent:
            return out
        out.append(ent.contents.d_name.decode())


def seekdir_test(d):
    os.mkdir(d)
    names = {"s%03d" % i for i in range(300)}
    for n in names:
        os.close(os.open(d + "/" + n, os.O_CREAT | os.O_WRONLY))
    dp = libc.opendir(d.encode())
    check(dp is not None, "opendir")
    # positions before each entry
    seq, pos = [], []
    while True:
        p = libc.telldir(dp)
        ent = libc.readdir(dp)
        if not ent:
            break
        pos.append(p)
        seq.append(ent.contents.d_name.decode())
    check(set(seq) == names | {".", ".."} and len(seq) == len(names) + 2,
          "readdir through libc: %d entries" % len(seq))
    for k in (0, 1, 2, 3, 57, 150, 299, len(seq) - 1):
        if k >= len(seq):
            continue
        libc.seekdir(dp, pos[k])
        rest = read_rest(dp)
        check(rest == seq[k:], "seekdir to the position of entry %d: %d entries, "
              "first %s, want %d first %s" % (k, len(rest), rest[:1], len(seq) - k, seq[k:k + 1]))
    # back and forth: a later position, then an earlier one
    libc.seekdir(dp, pos[200])
    first = libc.readdir(dp)
    check(bool(first) and first.contents.d_name.decode() == seq[200], "seekdir forward")
    libc.seekdir(dp, pos[10])
    check(read_rest(dp) == seq[10:], "seekdir backward")
    libc.rewinddir(dp)
    check(read_rest(dp) == seq, "rewinddir")
    libc.closedir(dp)
    # a position kept across closedir/opendir (another open file)
    dp = libc.opendir(d.encode())
    libc.seekdir(dp, pos[100])
    check(read_rest(dp) == seq[100:], "telldir position used in another opendir")
    libc.closedir(dp)
    print("seekdir: %d entries, %d positions checked" % (len(seq), 10), flush=True)


def nonroot(d):
    check(os.getuid() == 1000 and os.geteuid() == 1000, "running as uid 1000")
    os.chdir(d)
    expect_errno(errno.EACCES, "create in a root 0755 directory", touch, "ro/x")
    expect_errno(errno.EACCES, "mkdir in a root 0755 directory", os.mkdir, "ro/x")
    expect_errno(errno.EACCES, "unlink in a root 0755 directory", os.unlink, "ro/file")
    expect_errno(errno.EACCES, "rename in a root 0755 directory", os.rename, "ro/file", "ro/y")
    expect_errno(errno.EACCES, "list a root 0700 directory", os.listdir, "priv")
    expect_errno(errno.EACCES, "lookup in a root 0700 directory", os.stat, "priv/file")
    expect_errno(errno.EACCES, "read a root 0600 file", os.open, "ro/file", os.O_RDONLY)
    expect_errno(errno.EACCES, "write a root 0644 file", os.open, "ro/pub", os.O_WRONLY)
    expect_errno(errno.EACCES, "setxattr user.* on a root 0644 file", os.setxattr,
                 "ro/pub", "user.x", b"1")
    expect_errno(errno.EPERM, "chmod of a root file", os.chmod, "ro/pub", 0o777)
    expect_errno(errno.EPERM, "chown of a root file", os.chown, "ro/pub", 1000, 1000)
    expect_errno(errno.EPERM, "unlink in a sticky directory, not the owner", os.unlink,
                 "sticky/rootfile")
    expect_errno((errno.EPERM, errno.EACCES), "utimes with a time on a root file",
                 os.utime, "ro/pub", (1, 1))
    # what the user owns works
    touch("open/mine")
    os.chmod("open/mine", 0o600)
    os.setxattr("open/mine", "user.me", b"1")
    check(os.getxattr("open/mine", "user.me") == b"1", "xattr on own file")
    os.utime("open/mine", (5, 5))
    check(os.stat("open/mine").st_uid == 1000, "own file owner 1000")
    os.rename("open/mine", "open/mine2")
    os.unlink("open/mine2")
    with open("ro/pub") as fh:
        fh.read()


if __name__ == "__main__":
    mode, d = sys.argv[1], sys.argv[2]
    try:
        {"ops": lambda: ops(d), "verify": lambda: verify(d),
         "bigdir": lambda: bigdir(d, int(sys.argv[3])), "seekdir": lambda: seekdir_test(d),
         "nonroot": lambda: nonroot(d)}[mode]()
    except OSError as e:
        check(False, "%s: unexpected %s" % (mode, e))
    print("%s: %d failed checks" % (mode, len(bad)), flush=True)
    sys.exit(1 if bad else 0)
