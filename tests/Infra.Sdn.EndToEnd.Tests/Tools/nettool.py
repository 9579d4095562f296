#!/usr/bin/python3
# Packet tools the end-to-end tests run inside "VM" and host namespaces (ip netns exec ... nettool.py CMD).
# Every command is bounded in time and reports on stdout, one line per event, flushed at once, so the
# C# side can follow progress. Long-running commands stop when their stdin closes.
import select
import socket
import struct
import sys
import threading
import time


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def stdin_closed(timeout):
    r, _, _ = select.select([sys.stdin], [], [], timeout)
    return bool(r) and sys.stdin.readline() == ""


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def tcp_serve(name, port):
    # Greets every connection with the server's name, then echoes: the client learns WHO answered.
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.bind(("::", int(port)))
    srv.listen(16)

    def serve(c):
        try:
            c.sendall((name + "\n").encode())
            while True:
                d = c.recv(4096)
                if not d:
                    break
                c.sendall(d)
        except OSError:
            pass
        finally:
            c.close()

    def accept():
        while True:
            c, _ = srv.accept()
            threading.Thread(target=serve, args=(c,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    out("ready")
    while not stdin_closed(3600):
        pass


def tcp_connect(host, port, timeout):
    # ok:<server name> | refused | timeout | error:<what>
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.settimeout(float(timeout))
    try:
        s.connect((host, int(port)))
        f = s.makefile("rb")
        name = f.readline().decode().strip()
        s.sendall(b"ping\n")
        echo = f.readline().decode().strip()
        out("ok:" + name if echo == "ping" else "error:bad echo " + repr(echo))
    except ConnectionRefusedError:
        out("refused")
    except socket.timeout:
        out("timeout")
    except OSError as e:
        out("error:" + str(e))
    finally:
        s.close()


def stream(host, port):
    # A long-lived connection: one message per 20 ms, each echo awaited (3 s at most). Prints
    # "tick N" every 10 echoes; on stdin close prints "done N" (exit 0) or "failed ..." (exit 1).
    s = socket.create_connection((host, int(port)), timeout=5)
    s.settimeout(3)
    f = s.makefile("rb")
    f.readline()
    out("connected")
    n = 0
    try:
        while True:
            msg = b"m%d\n" % n
            s.sendall(msg)
            if f.readline() != msg:
                raise OSError("echo mismatch or connection closed at message %d" % n)
            n += 1
            if n % 10 == 0:
                out("tick %d" % n)
            if stdin_closed(0.02):
                break
    except (OSError, socket.timeout) as e:
        out("failed after %d: %r" % (n, e))
        sys.exit(1)
    s.close()
    out("done %d" % n)


def udp_listen(port):
    # Prints "got <payload> from <ip>" for every datagram until stdin closes.
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(port)))
    out("ready")
    while True:
        r, _, _ = select.select([s, sys.stdin], [], [], 30)
        if not r:
            continue
        if sys.stdin in r and sys.stdin.readline() == "":
            return
        if s in r:
            d, a = s.recvfrom(2048)
            out("got %s from %s" % (d.decode(errors="replace"), a[0]))


def raw_send(iface, hexframe, count):
    # Sends a hand-built Ethernet frame as the VM: what a guest with a raw socket can do.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    frame = bytes.fromhex(hexframe)
    for _ in range(int(count)):
        s.send(frame)
        time.sleep(0.05)
    out("sent")


def gre_send(dst, key, hexframe, count):
    # A hand-built GRE packet (flags: key present; protocol 0x6558 transparent Ethernet bridging).
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
    pkt = struct.pack("!HHI", 0x2000, 0x6558, int(key)) + bytes.fromhex(hexframe)
    for _ in range(int(count)):
        s.sendto(pkt, (dst, 0))
        time.sleep(0.05)
    out("sent")


def describe(frame):
    # One line per frame: what the tests look for (ARP on the wire, inside GRE, or delivered to a VM).
    if len(frame) < 14:
        return "short"
    src = frame[6:12].hex(":") + " dst=" + frame[0:6].hex(":")
    et = struct.unpack("!H", frame[12:14])[0]
    p = frame[14:]
    if et == 0x0806 and len(p) >= 28:
        op = struct.unpack("!H", p[6:8])[0]
        return "arp op=%d sha=%s spa=%s tpa=%s src=%s" % (op, p[8:14].hex(":"), socket.inet_ntoa(p[14:18]), socket.inet_ntoa(p[24:28]), src)
    if et == 0x0800 and len(p) >= 20:
        ihl = (p[0] & 15) * 4
        proto = p[9]
        ipsrc, ipdst = socket.inet_ntoa(p[12:16]), socket.inet_ntoa(p[16:20])
        if proto == 47 and len(p) >= ihl + 4:
            g = p[ihl:]
            flags, gproto = struct.unpack("!HH", g[:4])
            # optional fields in order: checksum (C), key (K), sequence (S)
            koff = 4 + (4 if flags & 0x8000 else 0)
            key = struct.unpack("!I", g[koff:koff + 4])[0] if flags & 0x2000 else -1
            off = koff + (4 if flags & 0x2000 else 0) + (4 if flags & 0x1000 else 0)
            inner = describe(g[off:]) if gproto == 0x6558 else "proto=%x" % gproto
            return "gre %s>%s key=%d inner=[%s]" % (ipsrc, ipdst, key, inner)
        if proto == 17 and len(p) >= ihl + 8:
            return "udp %s>%s src=%s payload=%s" % (ipsrc, ipdst, src, p[ihl + 8:].decode(errors="replace"))
        return "ip proto=%d %s>%s src=%s" % (proto, ipsrc, ipdst, src)
    return "eth type=%04x src=%s" % (et, src)


def sniff(iface):
    # Every frame seen on the interface (both directions) until stdin closes.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((iface, 0))
    out("ready")
    while True:
        r, _, _ = select.select([s, sys.stdin], [], [], 30)
        if sys.stdin in r and sys.stdin.readline() == "":
            return
        if s in r:
            out(describe(s.recv(65535)))


COMMANDS = {
    "tcp-serve": tcp_serve, "tcp-connect": tcp_connect, "stream": stream, "udp-listen": udp_listen,
    "raw-send": raw_send, "gre-send": gre_send, "sniff": sniff,
}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
