#!/usr/bin/python3
# A metadata workload on a leofs mount for test_kns_faults.sh: for SECONDS
# seconds at most, until the file OUT.stop exists, create (O_EXCL) f<i>, rename it to g<i>, stat and list the
# directory, unlink an older g<j>, mkdir/rmdir; every operation is recorded
# with its start time, duration and result (ok or an errno name) to OUT as
# one JSON line, flushed at once. Only names known to exist are renamed,
# stat'ed or unlinked.
#   kns_mdsload.py run DIR SECONDS OUT
#   kns_mdsload.py check DIR OUT MDS_DOWN_AT MDS_UP_AT
# check: the errors are clean ones (no EEXIST/ENOENT a lost or doubled
# request would cause), no operation took longer than the outage plus
# 60 s, every operation that started 30 s after the restart succeeded, and
# the listing holds what succeeded: a name whose operation failed may be in
# either state.
import errno
import json
import os
import sys
import time

CLEAN = {"EIO", "ETIMEDOUT", "ENOTCONN", "ECONNREFUSED", "ECONNRESET",
         "EHOSTDOWN", "EHOSTUNREACH", "EAGAIN", "EINTR", "ENETUNREACH", "ESHUTDOWN"}


def run(d, seconds, out):
    fh = open(out, "w")
    end = time.time() + seconds
    i = 0
    present = set()     # g<i> known to exist

    def op(name, fn, *args):
        t0 = time.time()
        try:
            fn(*args)
            res = "ok"
        except OSError as e:
            res = errno.errorcode.get(e.errno, str(e.errno))
        t1 = time.time()
        fh.write(json.dumps({"op": name, "i": i, "t0": t0, "dt": t1 - t0, "res": res}) + "\n")
        fh.flush()
        return res == "ok"

    while time.time() < end and not os.path.exists(out + ".stop"):
        f, g = "%s/f%d" % (d, i), "%s/g%d" % (d, i)
        if op("create", lambda: os.close(os.open(f, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))):
            if op("rename", os.rename, f, g):
                present.add(i)
                op("stat", os.stat, g)
        if i % 10 == 0:
            op("list", os.listdir, d)
        if i % 2 == 0 and i - 4 in present:
            present.discard(i - 4)
            op("unlink", os.unlink, "%s/g%d" % (d, i - 4))
        if i % 5 == 0:
            dd = "%s/dir%d" % (d, i)
            if op("mkdir", os.mkdir, dd) and i % 10 == 0:
                op("rmdir", os.rmdir, dd)
        i += 1
    fh.close()


def check(d, out, down, up):
    recs = [json.loads(l) for l in open(out)]
    bad = []
    state = {}        # name -> True present / False absent / None unknown
    for r in recs:
        i, res, ok = r["i"], r["res"], r["res"] == "ok"
        if res != "ok" and res not in CLEAN:
            bad.append("%s #%d: %s (t=%+.1f s from the kill)" % (r["op"], i, res, r["t0"] - down))
        if r["dt"] > (up - down) + 60:
            bad.append("%s #%d took %.0f s" % (r["op"], i, r["dt"]))
        if r["t0"] > up + 30 and not ok:
            bad.append("%s #%d failed %.0f s after the restart: %s" % (
                r["op"], i, r["t0"] - up, res))
        if r["op"] == "create":
            state["f%d" % i] = True if ok else None
        elif r["op"] == "rename":
            state["f%d" % i] = False if ok else None
            state["g%d" % i] = True if ok else None
        elif r["op"] == "unlink":
            state["g%d" % (i - 4)] = False if ok else None
        elif r["op"] == "mkdir":
            state["dir%d" % i] = True if ok else None
        elif r["op"] == "rmdir":
            state["dir%d" % i] = False if ok else None
    got = set(os.listdir(d))
    for n, s in sorted(state.items()):
        if s is True and n not in got:
            bad.append("%s: its operation succeeded, but it is missing" % n)
        if s is False and n in got:
            bad.append("%s: removed or renamed successfully, but still listed" % n)
    extra = got - set(state)
    if extra:
        bad.append("names no operation made: %s" % sorted(extra)[:10])
    n_err = sum(r["res"] != "ok" for r in recs)
    during = [r for r in recs if down <= r["t0"] <= up]
    longest = max((r["dt"] for r in recs), default=0)
    print("%d operations (%d while the MDS was down), %d failed, longest %.1f s, "
          "%d names in the final listing" % (len(recs), len(during), n_err, longest, len(got)))
    by = {}
    for r in recs:
        if r["res"] != "ok":
            by[r["res"]] = by.get(r["res"], 0) + 1
    print("errors:", by)
    for b in bad[:30]:
        print("FAIL:", b)
    return not bad


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], float(sys.argv[3]), sys.argv[4])
        sys.exit(0)
    sys.exit(0 if check(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])) else 1)
