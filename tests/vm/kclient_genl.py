#!/usr/bin/python3
# Minimal generic netlink client for the "leofs" family (tests only):
# prints one line per mount, connection and stats message.
import os, socket, struct

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3

A = dict(MOUNT_ID=2, SOURCE=3, FSNAME=4, MAP_EPOCH=5, CONN_ADDR=6,
         CONN_STATE=7, CONN_INFLIGHT=8, CONN_SESSION=9, RPC=18,
         RPC_OPCODE=19, RPC_NAME=20, RPC_COUNT=21)

def attrs(buf):
    out = []
    while len(buf) >= 4:
        ln, typ = struct.unpack_from("HH", buf)
        out.append((typ & 0x3fff, buf[4:ln]))
        buf = buf[(ln + 3) & ~3:]
    return out

def request(s, fam, cmd, flags, payload=b""):
    body = struct.pack("BBH", cmd, 1, 0) + payload
    s.send(struct.pack("IHHII", 16 + len(body), fam, NLM_F_REQUEST | flags, 1, 0) + body)
    msgs = []
    while True:
        data = s.recv(65536)
        while data:
            ln, typ, fl, seq, pid = struct.unpack_from("IHHII", data)
            msg, data = data[16:ln], data[(ln + 3) & ~3:]
            if typ == NLMSG_DONE:
                return msgs
            if typ == NLMSG_ERROR:
                err = struct.unpack_from("i", msg)[0]
                if err:
                    raise OSError(-err, os.strerror(-err))
                return msgs
            msgs.append(attrs(msg[4:]))
            if not flags & NLM_F_DUMP:
                return msgs

s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
name = b"leofs\0"
nla = struct.pack("HH", 4 + len(name), CTRL_ATTR_FAMILY_NAME) + name
nla += b"\0" * (((len(nla) + 3) & ~3) - len(nla))
fam = None
for typ, val in request(s, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, nla)[0]:
    if typ == CTRL_ATTR_FAMILY_ID:
        fam = struct.unpack("H", val[:2])[0]
u32 = lambda v: struct.unpack("I", v[:4])[0]
u64 = lambda v: struct.unpack("Q", v[:8])[0]
st = lambda v: v.rstrip(b"\0").decode()
for m in request(s, fam, 1, NLM_F_DUMP):
    d = dict(m)
    print("mount %d source=%s fsname=%s epoch=%d" % (u32(d[A["MOUNT_ID"]]), st(d[A["SOURCE"]]),
          st(d[A["FSNAME"]]), u64(d[A["MAP_EPOCH"]])))
for m in request(s, fam, 2, NLM_F_DUMP):
    d = dict(m)
    print("conn %d %s %s inflight=%d" % (u32(d[A["MOUNT_ID"]]), st(d[A["CONN_ADDR"]]),
          st(d[A["CONN_STATE"]]), u32(d[A["CONN_INFLIGHT"]])))
for m in request(s, fam, 3, NLM_F_DUMP):
    d = dict(m)
    rpcs = []
    for typ, val in m:
        if typ == A["RPC"]:
            r = dict(attrs(val))
            rpcs.append("%s=%d" % (st(r[A["RPC_NAME"]]), u64(r[A["RPC_COUNT"]])))
    print("stats %d %s" % (u32(d[A["MOUNT_ID"]]), " ".join(rpcs)))
