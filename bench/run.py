#!/usr/bin/env python3
"""Benchmarks for wsc against the example server (standard library only).

    python3 bench/run.py            # full run (a few minutes, plus the release build)
    python3 bench/run.py --quick    # fewer repetitions
    python3 bench/run.py --no-build --json results.json

It builds `cargo build --release --examples --bins`, starts examples/server on 127.0.0.1 with an
OS-chosen port, and measures wsc:

1. connect-send-receive-exit latency: `wsc URL -x hello --count 1 </dev/null` against echo;
2. send rate: 200,000 lines of 64 bytes piped (from `cat`) into `wsc URL -w 0` against sink,
   checked against the server's own count;
3. receive rate: 200,000 messages of 64 bytes from flood, `wsc URL -w -1 > file`, checked by
   counting the lines;
4. binary throughput: 20 messages of 16 MiB received (flood ... binary, stdout to /dev/null, with
   --count 20 as the check) and sent (`wsc -b`, 20 lines of 16 MiB piped in, sink's count);
5. wsc's own peak RSS in every run (os.wait4's ru_maxrss, KiB on Linux).

Every run checks wsc's exit status (and is killed after a deadline, which counts as a failure).
Times are each process's own, exec to exit, and RSS is its own (see Spawner for how: a child
started straight from Python would report Python's RSS as its floor). The first row, /bin/true,
is what any process costs on the machine. Linux only.
The "server limit" column is the same work done by a Python raw-socket client (pre-built frames,
no parsing): it tells how fast the example server itself can go, so a wsc figure close to it is
bound by the server, not by wsc. websocat and wscat, where installed (on PATH, or WEBSOCAT=/path,
WSCAT=/path), give a latency comparison; nothing is installed by this script.
"""

from __future__ import annotations

import argparse
import base64
import ctypes
import json
import os
import platform
import queue
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MiB = 1 << 20
PR_SET_CHILD_SUBREAPER = 36

# Targets on the reference 2-core machine (DESIGN.md, Performance).
LATENCY_TARGET_MS = 3.0
SEND_TARGET_MSGS = 3e6
RECV_TARGET_MSGS = 6e6
BINARY_TARGET_GBS = 1.5
SMALL_RSS_TARGET_KIB = 10 * 1024


def big_rss_target_kib(message_size: int) -> int:
    return 2 * message_size // 1024 + 10 * 1024


# --------------------------------------------------------------------------------------------
# Processes


@dataclass
class Run:
    """One finished wsc (or other measured) process."""

    status: int  # exit code, or -signal
    seconds: float
    maxrss_kib: int
    timed_out: bool
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 0 and not self.timed_out


class Spawner:
    """Starts measured processes so that both their time and their own peak RSS are exact.

    ru_maxrss of a child started straight from this Python is at least this Python's RSS: at
    exec, Linux keeps the high-water mark of the memory the child was forked (or vforked) from.
    So a small persistent /bin/sh forks each measured process instead, twice (so the shell never
    reaps it), and this process, a child subreaper, adopts and reaps it with os.wait4. The process
    then waits at a gate; the clock starts when the gate opens, just before its exec, and stops
    when wait4 returns: the time is the process's own, exec to exit, without Python's overhead.
    """

    def __init__(self):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
        self.me = os.getpid()
        pid_r, self.pid_w = os.pipe()
        self.gate_r, self.gate_w = os.pipe()
        self.pids = os.fdopen(pid_r, "rb")
        # fd 8: the gate, fd 9: where each forked process reports its pid.
        self.shell = subprocess.Popen(
            ["/bin/sh", "-c",
             f"exec 8</proc/{self.me}/fd/{self.gate_r} 9>/proc/{self.me}/fd/{self.pid_w}; "
             'while IFS= read -r line; do eval "$line"; done'],
            stdin=subprocess.PIPE,
        )

    def run(self, argv, *, stdin="/dev/null", stdout="/dev/null", stderr="/dev/null",
            timeout=60.0) -> Run:
        command = " ".join(shlex.quote(str(a)) for a in argv)
        redirects = f"<{shlex.quote(stdin)} >{shlex.quote(stdout)} 2>{shlex.quote(stderr)}"
        line = ("( { read pid _ </proc/self/stat; echo $pid >&9; read go <&8; "
                f"exec {command} {redirects} 8<&- 9>&-; }} & )\n")
        self.shell.stdin.write(line.encode())
        self.shell.stdin.flush()
        pid = int(self.pids.readline())
        # Open the gate only once we have adopted the process (its subshell has exited).
        while parent_pid(pid) != self.me:
            time.sleep(0.0001)
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        started = time.perf_counter()
        os.write(self.gate_w, b"g\n")
        while True:
            try:
                _, wstatus, usage = os.wait4(pid, 0)
                break
            except InterruptedError:
                continue
        seconds = time.perf_counter() - started
        timer.cancel()
        text = ""
        if stderr != "/dev/null":
            text = Path(stderr).read_text(errors="replace")
        return Run(os.waitstatus_to_exitcode(wstatus), seconds, usage.ru_maxrss,
                   timed_out.is_set(), text)

    def close(self):
        self.shell.stdin.close()
        self.shell.wait()


def parent_pid(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_bytes()
    return int(stat[stat.rindex(b")") + 2:].split()[1])


class Server:
    """examples/server on 127.0.0.1:0; its stderr lines after the first go to a queue."""

    def __init__(self, binary: Path, *mode: str):
        self.mode = " ".join(mode)
        self.proc = subprocess.Popen(
            [str(binary), "127.0.0.1:0", *mode],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        first = self.proc.stderr.readline().decode(errors="replace")
        found = re.search(r"listening on (ws://\S+)", first)
        if not found:
            self.proc.kill()
            raise RuntimeError(f"server {self.mode!r} did not start: {first!r}")
        self.url = found.group(1)
        host, port = self.url.removeprefix("ws://").rsplit(":", 1)
        self.address = (host, int(port))
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.put(line.decode(errors="replace").rstrip("\n"))

    def sink_report(self, timeout=10.0) -> tuple[int, int, str]:
        """The next `received N messages, B bytes` line: (N, B, the whole line)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return (-1, -1, "no report from the sink server")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            found = re.match(r"received (\d+) messages, (\d+) bytes", line)
            if found:
                return (int(found.group(1)), int(found.group(2)), line)

    def drain_reports(self):
        while True:
            try:
                self.lines.get_nowait()
            except queue.Empty:
                return

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --------------------------------------------------------------------------------------------
# A raw-socket client: how fast the server itself goes


def ws_connect(address) -> tuple[socket.socket, bytes]:
    """Connects and upgrades; returns the socket and any bytes that came after the 101."""
    sock = socket.create_connection(address)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET / HTTP/1.1\r\nHost: {address[0]}:{address[1]}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("server closed during the handshake")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(f"handshake failed: {head[:40]!r}")
    return sock, head.split(b"\r\n\r\n", 1)[1]


def frame_header(opcode: int, length: int) -> bytes:
    """A masked client frame header with a zero mask key (payload bytes stay as they are)."""
    if length < 126:
        return bytes([0x80 | opcode, 0x80 | length]) + b"\0\0\0\0"
    if length < 1 << 16:
        return bytes([0x80 | opcode, 0x80 | 126]) + length.to_bytes(2, "big") + b"\0\0\0\0"
    return bytes([0x80 | opcode, 0x80 | 127]) + length.to_bytes(8, "big") + b"\0\0\0\0"


def server_frame_length(length: int) -> int:
    return length + (2 if length < 126 else 4 if length < 1 << 16 else 10)


def raw_receive(address, count: int, size: int) -> float:
    """Reads a flood as bytes until the server's Close; returns seconds from connect."""
    started = time.perf_counter()
    sock, early = ws_connect(address)
    expected = count * server_frame_length(size) + 2  # + Close without payload
    buffer = bytearray(4 * MiB)
    view = memoryview(buffer)
    got = len(early)
    while got < expected:
        n = sock.recv_into(view)
        if n == 0:
            break
        got += n
    sock.sendall(bytes([0x88, 0x80]) + b"\0\0\0\0")
    seconds = time.perf_counter() - started
    sock.close()
    if got != expected:
        raise RuntimeError(f"raw receive got {got} bytes, expected {expected}")
    return seconds


def raw_send(address, frames: list[bytes] | bytes, repeat: int = 1) -> float:
    """Sends pre-built frames, then Close, and waits for the server's Close."""
    started = time.perf_counter()
    sock, _ = ws_connect(address)
    for _ in range(repeat):
        for part in frames if isinstance(frames, list) else [frames]:
            sock.sendall(part)
    sock.sendall(bytes([0x88, 0x82]) + b"\0\0\0\0" + (1000).to_bytes(2, "big"))
    while sock.recv(65536):
        pass
    seconds = time.perf_counter() - started
    sock.close()
    return seconds


# --------------------------------------------------------------------------------------------
# Results


@dataclass
class Result:
    name: str
    unit: str
    values: list[float] = field(default_factory=list)  # one per good run
    rss_kib: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    target: float | None = None
    higher_is_better: bool = True
    rss_target_kib: int | None = None
    compare: str = ""
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def fail(self, what: str):
        if len(self.failures) < 5:
            self.failures.append(what)
        else:
            self.extra["more_failures"] = self.extra.get("more_failures", 0) + 1

    def median(self):
        return statistics.median(self.values) if self.values else None

    def meets(self):
        m = self.median()
        if m is None or self.target is None:
            return None
        return m >= self.target if self.higher_is_better else m <= self.target

    def rss_meets(self):
        if not self.rss_kib or self.rss_target_kib is None:
            return None
        return max(self.rss_kib) <= self.rss_target_kib


def describe_run(run: Run) -> str:
    why = "timed out (killed)" if run.timed_out else f"exit status {run.status}"
    text = run.stderr.strip().splitlines()
    return why + (f": {text[-1]}" if text else "")


def fmt(value, unit):
    if value is None:
        return "-"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "msg/s":
        return f"{value / 1e6:.2f} M/s"
    if unit == "GB/s":
        return f"{value:.2f} GB/s"
    return f"{value:.3g} {unit}"


def fmt_target(r: Result):
    if r.target is None:
        return "-"
    return ("<= " if not r.higher_is_better else ">= ") + fmt(r.target, r.unit)


def verdict(flag):
    return "-" if flag is None else ("ok" if flag else "MISS")


# --------------------------------------------------------------------------------------------
# The benchmarks


class Bench:
    def __init__(self, args, wsc: Path, server: Path, work: Path, spawner: Spawner):
        self.args = args
        self.wsc = str(wsc)
        self.server = server
        self.work = work
        self.spawner = spawner
        self.reps = 3 if args.quick else 9
        self.results: list[Result] = []
        self.err = str(work / "stderr.txt")

    def run(self, argv, **kw) -> Run:
        return self.spawner.run(argv, stderr=self.err, **kw)

    def piped(self, path: Path, argv, **kw) -> Run:
        """argv with `cat path` piped into its stdin."""
        cat = subprocess.Popen(["cat", str(path)], stdout=subprocess.PIPE)
        try:
            return self.run(argv, stdin=f"/proc/{os.getpid()}/fd/{cat.stdout.fileno()}", **kw)
        finally:
            cat.stdout.close()
            cat.wait()

    # 0. what starting any process costs here
    def floor(self):
        runs = 20 if self.args.quick else 100
        r = Result("floor: /bin/true (exec, exit, reap)", "ms")
        for _ in range(runs):
            run = self.run(["/bin/true"])
            r.values.append(run.seconds * 1e3)
            r.rss_kib.append(run.maxrss_kib)
        r.notes.append("what any process costs on this machine, for reading the latency")
        self.results.append(r)

    # 1. latency
    def latency(self):
        runs = 30 if self.args.quick else 200
        r = Result("latency: connect, send, receive echo, exit", "ms",
                   target=LATENCY_TARGET_MS, higher_is_better=False,
                   rss_target_kib=SMALL_RSS_TARGET_KIB)
        r.extra["runs"] = runs
        echo = Server(self.server, "echo")
        out = self.work / "latency.out"
        try:
            argv = [self.wsc, echo.url, "-x", "hello", "--count", "1"]
            for _ in range(3):  # warm the page cache and the server
                self.run(argv, timeout=10)
            for _ in range(runs):
                run = self.run(argv, stdout=str(out), timeout=10)
                r.rss_kib.append(run.maxrss_kib)
                got = out.read_bytes()
                if not run.ok:
                    r.fail(describe_run(run))
                elif got != b"hello\n":
                    r.fail(f"stdout was {got[:60]!r}, not b'hello\\n'")
                else:
                    r.values.append(run.seconds * 1e3)
            if r.values:
                vs = sorted(r.values)
                r.extra["p90_ms"] = vs[min(len(vs) - 1, int(0.9 * len(vs)))]
                r.extra["min_ms"] = vs[0]
                r.notes.append(f"p90 {r.extra['p90_ms']:.2f} ms, min {vs[0]:.2f} ms, "
                               f"{len(vs)}/{runs} good runs")
            help_times = [self.run([self.wsc, "--help"]).seconds * 1e3 for _ in range(20)]
            r.extra["help_ms"] = statistics.median(help_times)
            r.notes.append(f"`wsc --help` alone (start-up, no network): "
                           f"{r.extra['help_ms']:.2f} ms")
            r.compare = self.wscat_latency(echo)
        finally:
            echo.stop()
        self.results.append(r)

    def wscat_latency(self, echo: Server) -> str:
        found = [self.websocat_latency(echo)]
        wscat = os.environ.get("WSCAT") or shutil.which("wscat")
        if wscat:
            found.append(self.wscat_one(wscat, echo))
        found = [f for f in found if f]
        return "; ".join(found) if found else "wscat, websocat not installed"

    def websocat_latency(self, echo: Server) -> str:
        websocat = os.environ.get("WEBSOCAT") or shutil.which("websocat")
        if not websocat:
            return ""
        # -1: send one message (the stdin line) and receive one, then exit.
        hello = self.work / "hello.txt"
        hello.write_bytes(b"hello\n")
        out = self.work / "websocat.out"
        times, echoed = [], 0
        for _ in range(5 if self.args.quick else 20):
            run = self.run([websocat, "-1", echo.url], stdin=str(hello), stdout=str(out),
                           timeout=10)
            if run.status == 0:
                times.append(run.seconds * 1e3)
                echoed += b"hello" in out.read_bytes()
        if not times:
            return "websocat failed"
        return f"websocat -1: {statistics.median(times):.1f} ms ({echoed}/{len(times)} echoed)"

    def wscat_one(self, wscat: str, echo: Server) -> str:
        # wscat cannot stop after one reply: -w 0 closes right after sending, so this is the
        # lower bound of its connect-send-exit time (and the echo may or may not be printed).
        times, echoed = [], 0
        out = self.work / "wscat.out"
        for _ in range(5 if self.args.quick else 20):
            run = self.run([wscat, "-c", echo.url, "-x", "hello", "-w", "0"], stdout=str(out),
                           timeout=10)
            if run.status == 0:
                times.append(run.seconds * 1e3)
                echoed += b"hello" in out.read_bytes()
        if not times:
            return "wscat failed"
        return (f"wscat -x hello -w 0: {statistics.median(times):.1f} ms "
                f"({echoed}/{len(times)} echoed)")

    # 2. send rate
    def send_small(self):
        count, size = 200_000, 64
        path = self.work / "lines64.txt"
        path.write_bytes((b"x" * size + b"\n") * count)
        r = Result(f"send: {count:,} x {size} B text, cat | wsc -> sink", "msg/s",
                   target=SEND_TARGET_MSGS, rss_target_kib=SMALL_RSS_TARGET_KIB)
        sink = Server(self.server, "sink")
        try:
            for i in range(self.reps + 1):
                run = self.piped(path, [self.wsc, sink.url, "-w", "0"], timeout=120)
                got, nbytes, report = sink.sink_report()
                if not run.ok:
                    r.fail(describe_run(run))
                elif got != count or nbytes != count * size:
                    r.fail(f"server: {report}")
                elif i > 0:  # the first run warms up
                    r.values.append(count / run.seconds)
                r.rss_kib.append(run.maxrss_kib)
            if r.values:
                r.extra["MB/s"] = statistics.median(r.values) * size / 1e6
                r.notes.append(f"{r.extra['MB/s']:.0f} MB/s of payload")
            frames = (frame_header(1, size) + b"x" * size) * count
            r.compare = self.server_limit(lambda: raw_send(sink.address, frames), count, sink)
        finally:
            sink.stop()
        path.unlink()
        self.results.append(r)

    # 3. receive rate
    def receive_small(self):
        count, size = 200_000, 64
        r = Result(f"receive: {count:,} x {size} B text, flood -> wsc > file", "msg/s",
                   target=RECV_TARGET_MSGS, rss_target_kib=SMALL_RSS_TARGET_KIB)
        flood = Server(self.server, "flood", str(count), str(size))
        out = self.work / "received.txt"
        try:
            for i in range(self.reps + 1):
                run = self.run([self.wsc, flood.url, "-w", "-1"], stdout=str(out), timeout=120)
                data = out.read_bytes()
                lines = data.count(b"\n")
                if not run.ok:
                    r.fail(describe_run(run))
                elif lines != count or len(data) != count * (size + 1):
                    r.fail(f"stdout had {lines} lines, {len(data)} bytes")
                elif i > 0:  # the first run warms up
                    r.values.append(count / run.seconds)
                r.rss_kib.append(run.maxrss_kib)
            out.unlink()
            r.compare = self.server_limit(lambda: raw_receive(flood.address, count, size), count)
        finally:
            flood.stop()
        self.results.append(r)

    # 4a. binary receive
    def receive_binary(self):
        count, size = 20, 16 * MiB
        r = Result(f"receive: {count} x 16 MiB binary, flood -> wsc > /dev/null", "GB/s",
                   target=BINARY_TARGET_GBS, rss_target_kib=big_rss_target_kib(size))
        flood = Server(self.server, "flood", str(count), str(size), "binary")
        try:
            for i in range(self.reps + 1):
                # --count: exit status 8 unless all the messages arrived.
                run = self.run([self.wsc, flood.url, "-w", "-1", "--count", str(count)],
                               timeout=120)
                if not run.ok:
                    r.fail(describe_run(run))
                elif i > 0:
                    r.values.append(count * size / run.seconds / 1e9)
                r.rss_kib.append(run.maxrss_kib)
            r.compare = self.server_limit(lambda: raw_receive(flood.address, count, size),
                                          count * size / 1e9, unit="GB/s")
        finally:
            flood.stop()
        self.results.append(r)

    # 4b. binary send
    def send_binary(self):
        count, size = 20, 16 * MiB
        path = self.work / "lines16m.bin"
        with open(path, "wb") as f:
            line = b"x" * size + b"\n"
            for _ in range(count):
                f.write(line)
        r = Result(f"send: {count} x 16 MiB binary, cat | wsc -b -> sink", "GB/s",
                   target=BINARY_TARGET_GBS, rss_target_kib=big_rss_target_kib(size))
        sink = Server(self.server, "sink")
        try:
            for i in range(self.reps + 1):
                run = self.piped(path, [self.wsc, "-b", sink.url, "-w", "0"], timeout=120)
                got, nbytes, report = sink.sink_report(timeout=30)
                if not run.ok:
                    r.fail(describe_run(run))
                elif got != count or nbytes != count * size:
                    r.fail(f"server: {report}")
                elif i > 0:
                    r.values.append(count * size / run.seconds / 1e9)
                r.rss_kib.append(run.maxrss_kib)
            frame = frame_header(2, size) + b"x" * size
            r.compare = self.server_limit(lambda: raw_send(sink.address, frame, repeat=count),
                                          count * size / 1e9, sink, unit="GB/s")
        finally:
            sink.stop()
        path.unlink()
        self.results.append(r)

    def server_limit(self, action, amount, sink: Server | None = None, unit="msg/s") -> str:
        """The median rate of a raw-socket client doing the same work: the server's ceiling."""
        rates = []
        try:
            for _ in range(3):
                seconds = action()
                if sink is not None:
                    sink.sink_report()
                rates.append(amount / seconds)
        except Exception as e:  # a benchmark aid only: say so and go on
            return f"server limit unknown ({e})"
        return "server limit " + fmt(statistics.median(rates), unit)


# --------------------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock"):
        head += " with uncommitted changes in src/ or Cargo.*"
    return (f"{cpus} CPUs ({model}), {platform.system()} {platform.release()}, {rustc}; "
            f"wsc at {head}")


def build() -> tuple[Path, Path]:
    print("building: cargo build --release --examples --bins", file=sys.stderr, flush=True)
    subprocess.run(["cargo", "build", "--release", "--examples", "--bins"], cwd=ROOT, check=True)
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT,
                          check=True, capture_output=True, text=True)
    target = Path(json.loads(meta.stdout)["target_directory"]) / "release"
    return target / "wsc", target / "examples" / "server"


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report(bench: Bench, info: str) -> bool:
    rows = [["benchmark", "wsc median", "range", "target", "", "peak RSS", "RSS target", "",
             "comparison"]]  # RSS in MiB
    all_ok = True
    for r in bench.results:
        rng = (f"{fmt(min(r.values), r.unit)} .. {fmt(max(r.values), r.unit)}"
               if r.values else "-")
        rss = f"{max(r.rss_kib) / 1024:.1f} MiB" if r.rss_kib else "-"
        rss_target = f"{r.rss_target_kib / 1024:.0f} MiB" if r.rss_target_kib else "-"
        ok, rss_ok = r.meets(), r.rss_meets()
        all_ok &= ok is not False and rss_ok is not False and not r.failures
        rows.append([r.name, fmt(r.median(), r.unit), rng, fmt_target(r), verdict(ok), rss,
                     rss_target, verdict(rss_ok), r.compare])
    print()
    print(f"machine: {info}")
    print(f"mode: {'quick' if bench.args.quick else 'full'} "
          f"({bench.reps} timed runs per throughput figure, after one warm-up)")
    print()
    print(table(rows))
    print()
    for r in bench.results:
        for note in r.notes:
            print(f"  {r.name.split(':')[0]}: {note}")
        for failure in r.failures:
            print(f"  FAILED {r.name}: {failure}")
        if r.extra.get("more_failures"):
            print(f"  FAILED {r.name}: ... and {r.extra['more_failures']} more")
    print("\nTimes: exec to exit of each process. Peak RSS: wsc's own ru_maxrss, the worst run.")
    return all_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--no-build", action="store_true", help="use the binaries as built")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--only", metavar="NAMES",
                        help="comma-separated subset: latency,send,receive,binrecv,binsend")
    args = parser.parse_args()

    if args.no_build:
        meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                              cwd=ROOT, check=True, capture_output=True, text=True)
        target = Path(json.loads(meta.stdout)["target_directory"]) / "release"
        wsc, server = target / "wsc", target / "examples" / "server"
    else:
        wsc, server = build()
    for binary in (wsc, server):
        if not binary.exists():
            sys.exit(f"missing {binary}; build with cargo build --release --examples --bins")

    info = machine()
    print(f"machine: {info}", file=sys.stderr)
    steps = {
        "latency": Bench.latency,
        "send": Bench.send_small,
        "receive": Bench.receive_small,
        "binrecv": Bench.receive_binary,
        "binsend": Bench.send_binary,
    }
    chosen = args.only.split(",") if args.only else list(steps)
    spawner = Spawner()
    with tempfile.TemporaryDirectory(prefix="wsc-bench-") as work:
        bench = Bench(args, wsc, server, Path(work), spawner)
        bench.floor()
        for name in chosen:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            steps[name](bench)
    spawner.close()
    ok = report(bench, info)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "machine": info,
            "quick": args.quick,
            "results": [{
                "name": r.name, "unit": r.unit, "median": r.median(), "values": r.values,
                "target": r.target, "meets": r.meets(), "max_rss_kib": max(r.rss_kib, default=0),
                "rss_target_kib": r.rss_target_kib, "rss_meets": r.rss_meets(),
                "failures": r.failures, "compare": r.compare, "extra": r.extra,
            } for r in bench.results],
        }, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
