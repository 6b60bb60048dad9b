#!/usr/bin/python3
# Two processes storm the same directories of a leofs mount, used by
# test_kns_concurrency.sh.
#   kns_storm.py run DIR OPS     both workers, then the records in /tmp/kns-storm.json
#   kns_storm.py check DIR       the listing of DIR against the records
# Phase 1: each worker does OPS random creates (O_EXCL), renames (within a
# directory, over one of its own files, to another directory: EXDEV when
# the two directories are on different shards, documented for now) and
# unlinks of its own names, in the same three directories. Phases 2-5 race
# both workers on the same names, after a barrier: O_EXCL create, unlink,
# RENAME_NOREPLACE onto one name, and rename of one source: exactly one
# worker must win each name.
import ctypes
import errno
import json
import multiprocessing as mp
import os
import random
import sys

DIRS = ["d0", "d1", "d2"]
SHARED = 300
REC = "/tmp/kns-storm.json"   # the records, outside the mount
libc = ctypes.CDLL("libc.so.6", use_errno=True)
libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                           ctypes.c_char_p, ctypes.c_uint]


def noreplace(a, b):
    if libc.renameat2(-100, a.encode(), -100, b.encode(), 1) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def worker(root, w, nops, barrier, out):
    os.chdir(root)
    rnd = random.Random(1000 + w)
    mine = set()          # paths this worker owns
    rec = {"w": w, "exdev": 0, "ops": 0, "errors": []}
    k = 0

    def err(what, e):
        rec["errors"].append("%s: %s" % (what, errno.errorcode.get(e.errno, e.errno)))

    for _ in range(nops):
        op = rnd.random()
        if op < 0.4 or len(mine) < 5:
            p = "%s/w%d-%d" % (rnd.choice(DIRS), w, k)
            k += 1
            try:
                os.close(os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
                mine.add(p)
            except OSError as e:
                err("create " + p, e)
        elif op < 0.55:                                   # rename in the directory
            src = rnd.choice(sorted(mine))
            dst = "%s/w%d-%d" % (src.split("/")[0], w, k)
            k += 1
            try:
                os.rename(src, dst)
                mine.discard(src)
                mine.add(dst)
            except OSError as e:
                err("rename %s %s" % (src, dst), e)
        elif op < 0.65:                                   # rename over own file
            src, dst = rnd.sample(sorted(mine), 2)
            try:
                os.rename(src, dst)
                mine.discard(src)
            except OSError as e:
                if e.errno == errno.EXDEV and os.stat(src.split("/")[0]).st_ino >> 48 != \
                        os.stat(dst.split("/")[0]).st_ino >> 48:
                    rec["exdev"] += 1
                else:
                    err("rename %s over %s" % (src, dst), e)
        elif op < 0.75:                                   # rename to another directory
            src = rnd.choice(sorted(mine))
            dst = "%s/w%d-%d" % (rnd.choice(DIRS), w, k)
            k += 1
            try:
                os.rename(src, dst)
                mine.discard(src)
                mine.add(dst)
            except OSError as e:
                if e.errno == errno.EXDEV and os.stat(src.split("/")[0]).st_ino >> 48 != \
                        os.stat(dst.split("/")[0]).st_ino >> 48:
                    rec["exdev"] += 1
                else:
                    err("rename %s %s" % (src, dst), e)
        else:
            p = rnd.choice(sorted(mine))
            try:
                os.unlink(p)
                mine.discard(p)
            except OSError as e:
                err("unlink " + p, e)
        rec["ops"] += 1
    # phase 2: both create the same names
    barrier.wait()
    rec["created"] = []
    for j in range(SHARED):
        p = "%s/sh-%d" % (DIRS[j % 3], j)
        try:
            os.close(os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            rec["created"].append(p)
        except OSError as e:
            if e.errno != errno.EEXIST:
                err("shared create " + p, e)
    # phase 3: both unlink every other shared name
    barrier.wait()
    rec["unlinked"] = []
    for j in range(0, SHARED, 2):
        p = "%s/sh-%d" % (DIRS[j % 3], j)
        try:
            os.unlink(p)
            rec["unlinked"].append(p)
        except OSError as e:
            if e.errno != errno.ENOENT:
                err("shared unlink " + p, e)
    # phase 4: RENAME_NOREPLACE of own files onto the same names
    srcs = []
    for j in range(SHARED // 3):
        p = "%s/nrsrc-w%d-%d" % (DIRS[j % 3], w, j)
        os.close(os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        srcs.append(p)
    barrier.wait()
    rec["noreplace_won"] = []
    for j, src in enumerate(srcs):
        dst = "%s/nr-%d" % (DIRS[j % 3], j)
        try:
            noreplace(src, dst)
            rec["noreplace_won"].append(dst)
        except OSError as e:
            if e.errno == errno.EEXIST:
                mine.add(src)
            else:
                err("noreplace %s %s" % (src, dst), e)
    # phase 5: both rename the same sources (made by the parent)
    barrier.wait()
    rec["moved"] = []
    for j in range(SHARED // 3):
        src = "%s/mv-%d" % (DIRS[j % 3], j)
        dst = "%s/mv-%d-w%d" % (DIRS[j % 3], j, w)
        try:
            os.rename(src, dst)
            rec["moved"].append(dst)
        except OSError as e:
            if e.errno != errno.ENOENT:
                err("shared rename " + src, e)
    rec["mine"] = sorted(mine)
    out.put(rec)


def run(root, nops):
    for d in DIRS:
        os.mkdir(os.path.join(root, d))
    for j in range(SHARED // 3):
        os.close(os.open("%s/%s/mv-%d" % (root, DIRS[j % 3], j), os.O_CREAT | os.O_WRONLY))
    barrier = mp.Barrier(2)
    out = mp.Queue()
    ps = [mp.Process(target=worker, args=(root, w, nops, barrier, out)) for w in (0, 1)]
    for p in ps:
        p.start()
    recs = [out.get(timeout=3000) for _ in ps]
    for p in ps:
        p.join()
    with open(REC, "w") as fh:
        json.dump(recs, fh)
    bad = 0
    for r in recs:
        print("worker %d: %d operations, %d EXDEV across shards, %d unexpected errors" % (
            r["w"], r["ops"], r["exdev"], len(r["errors"])))
        for e in r["errors"][:20]:
            print("  FAIL:", e)
        bad += len(r["errors"])
    return bad == 0 and all(p.exitcode == 0 for p in ps)


def check(root):
    recs = json.load(open(REC))
    bad = []
    want = set()
    for r in recs:
        want |= set(r["mine"])
    c = [set(r["created"]) for r in recs]
    u = [set(r["unlinked"]) for r in recs]
    for j in range(SHARED):
        p = "%s/sh-%d" % (DIRS[j % 3], j)
        n = (p in c[0]) + (p in c[1])
        if n != 1:
            bad.append("%s created by %d workers (O_CREAT|O_EXCL)" % (p, n))
        if j % 2 == 0:
            n = (p in u[0]) + (p in u[1])
            if n != 1:
                bad.append("%s unlinked by %d workers" % (p, n))
        else:
            want.add(p)
    nr = [set(r["noreplace_won"]) for r in recs]
    for j in range(SHARED // 3):
        p = "%s/nr-%d" % (DIRS[j % 3], j)
        n = (p in nr[0]) + (p in nr[1])
        if n != 1:
            bad.append("%s won by %d workers (RENAME_NOREPLACE)" % (p, n))
        want.add(p)
    mv = set(recs[0]["moved"]) | set(recs[1]["moved"])
    for j in range(SHARED // 3):
        n = sum(("%s/mv-%d-w%d" % (DIRS[j % 3], j, w)) in mv for w in (0, 1))
        if n != 1:
            bad.append("mv-%d renamed by %d workers" % (j, n))
    want |= mv
    got = set()
    for d in DIRS:
        names = os.listdir(os.path.join(root, d))
        if len(names) != len(set(names)):
            bad.append("%s lists duplicates" % d)
        got |= {d + "/" + n for n in names}
    miss, extra = sorted(want - got), sorted(got - want)
    if miss or extra:
        bad.append("listing: %d missing %s, %d extra %s" % (
            len(miss), miss[:10], len(extra), extra[:10]))
    for b in bad[:30]:
        print("FAIL:", b)
    print("check: %d names expected, %d listed, %d problems" % (len(want), len(got), len(bad)))
    return not bad


if __name__ == "__main__":
    if sys.argv[1] == "run":
        ok = run(sys.argv[2], int(sys.argv[3]))
    else:
        ok = check(sys.argv[2])
    sys.exit(0 if ok else 1)
