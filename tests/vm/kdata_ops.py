#!/usr/bin/env python3
"""Random operations on a file in the leofs mount, mirrored on a local
reference file: unaligned pwrite (overwrites and appends), truncate up and
down, shared-mmap writes, O_DIRECT reads and writes, reads checked against
the reference. Usage: kdata_ops.py FILE REFERENCE OPS SEED"""
import mmap
import os
import random
import sys

path, ref, nops, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(seed)
MAXSZ = 3 << 20
history = []


def die(msg):
    print("FAIL:", msg, "; the operations before:", history[-8:])
    sys.exit(1)


def check(f, r, what):
    size = os.fstat(r).st_size
    if os.fstat(f).st_size != size:
        die("%s: size %d, expected %d" % (what, os.fstat(f).st_size, size))
    a = os.pread(f, size + 10, 0)
    b = os.pread(r, size, 0)
    if a != b:
        i = next(i for i in range(min(len(a), len(b))) if a[i] != b[i]) \
            if len(a) == len(b) else min(len(a), len(b))
        die("%s: contents differ at byte %d" % (what, i))


f = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
r = os.open(ref, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
def run(i, op):
    size = os.fstat(r).st_size
    if op in ("write", "append", "dwrite"):
        off = size if op == "append" else rnd.randrange(0, size + 70000)
        n = rnd.choice([1, 7, 4095, 4096, 4097, rnd.randrange(1, 300000)])
        n = max(1, min(n, MAXSZ - off)) if off < MAXSZ else 1
        data = rnd.randbytes(n)
        if op == "dwrite":
            g = os.open(path, os.O_RDWR | os.O_DIRECT)
            os.pwrite(g, data, off)
            os.close(g)
        else:
            os.pwrite(f, data, off)
        os.pwrite(r, data, off)
        history.append((op, off, n))
    elif op == "trunc":
        n = rnd.randrange(0, MAXSZ)
        os.ftruncate(f, n)
        os.ftruncate(r, n)
        history.append((op, n))
    elif op == "mmap" and size > 0:
        off = rnd.randrange(0, size)
        n = min(rnd.randrange(1, 20000), size - off)
        data = rnd.randbytes(n)
        m = mmap.mmap(f, size)
        m[off:off + n] = data
        if rnd.random() < 0.5:
            m.flush()
        m.close()
        os.pwrite(r, data, off)
    elif op == "read" and size > 0:
        off = rnd.randrange(0, size)
        n = rnd.randrange(1, 200000)
        if os.pread(f, n, off) != os.pread(r, n, off):
            die("op %d: read %d at %d differs" % (i, n, off))
    elif op == "dread" and size > 0:
        off = rnd.randrange(0, size)
        n = rnd.randrange(1, 200000)
        g = os.open(path, os.O_RDONLY | os.O_DIRECT)
        got = os.pread(g, n, off)
        os.close(g)
        if got != os.pread(r, n, off):
            die("op %d: O_DIRECT read %d at %d differs" % (i, n, off))
    elif op == "fsync":
        os.fsync(f)


for i in range(nops):
    op = rnd.choice(["write", "write", "append", "trunc", "mmap", "read",
                     "dwrite", "dread", "fsync"])
    try:
        run(i, op)
    except OSError as e:
        die("op %d (%s): %s" % (i, op, e))
    if op not in ("write", "append", "dwrite", "trunc"):
        history.append((op,))
check(f, r, "after %d ops" % nops)
os.fsync(f)
os.close(f)
os.close(r)
print("ok", nops, "ops, size", os.path.getsize(ref))
