#!/usr/bin/env python3
"""Mutation testing of src/ with cargo-mutants, file by file, and a summary with the score.

    python3 mutants/run.py                          # every file in src/ (many hours on 2 cores)
    python3 mutants/run.py src/error.rs src/json    # these files, or every file under a folder
    python3 mutants/run.py --jobs 2 src/protocol   # two files at a time, each in its own tree
    python3 mutants/run.py --resume --jobs 2        # the files not run yet
    python3 mutants/run.py --recheck src/session    # the survivors and new code's mutants
    python3 mutants/run.py --summary-only           # re-read the last runs, write the summary

Each file is mutated one mutant at a time with a per-mutant timeout (`--jobs 2` mutates two
files side by side), and only the tests that exercise it run (PLAN below: the unit tests, plus
the integration tests of its area), so that a mutant costs one incremental build and a few
seconds of tests rather than the whole suite. The mutants are made in place in a worktree of
the job's own (target/mutants/tree, tree-1, ...), checked out at the working tree's state
(uncommitted changes to tracked files included), whose build is kept from one file to the next;
your checkout is never touched. Each file's outcomes are copied into mutants/results/
(committed), so a run can be stopped and resumed file by file, and the summary
(mutants/SUMMARY.md) covers every file run so far, whenever it was run.

mutants/equivalent.txt lists the mutants judged equivalent (the behaviour cannot differ), one
per line with its reason after `#`, named as cargo-mutants names them but without the line and
column (`src/x.rs: replace a with b in f`), so that edits elsewhere in the file do not unlist
them. They are expected to survive and are left out of the score; any other survivor is
printed, and the script exits 1 while there is one.

Install the tool once with `cargo install --locked cargo-mutants`.
"""

import argparse
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "mutants"

EQUIVALENT = ROOT / "mutants" / "equivalent.txt"
SUMMARY = ROOT / "mutants" / "SUMMARY.md"
# Each file's outcomes, one `outcome<TAB>mutant` per line: the summary is made from these.
RESULTS = ROOT / "mutants" / "results"

# Sessions, endings, output, input, config and errors: the pipe-side suites.
PIPE_SIDE = ["--test", "pipe", "--test", "endings", "--test", "limits", "--test", "diagnosis",
             "--test", "protocol", "--test", "handshake", "--test", "generated"]

# Which tests run for a file: the first prefix that matches. The unit tests always run.
PLAN = [
    ("src/protocol/", ["--test", "protocol", "--test", "compression", "--test", "fuzz_corpus"]),
    ("src/json/", ["--test", "json", "--test", "repl_json"]),
    ("src/jsonrpc/", ["--test", "jsonrpc"]),
    ("src/listen/", ["--test", "listen", "--test", "listen_clients", "--test", "listen_auth",
                     "--test", "listen_tls", "--test", "repl_listen"]),
    ("src/connect/", ["--test", "handshake", "--test", "proxy", "--test", "redirects",
                      "--test", "routes", "--test", "tls"]),
    ("src/tls/", ["--test", "tls", "--test", "listen_tls"]),
    ("src/config/file/", ["--test", "config_file"]),
    ("src/config/listen.rs", ["--test", "listen", "--test", "listen_auth", "--test", "listen_tls"]),
    ("src/config/server_url.rs", ["--test", "handshake", "--test", "listen", "--test", "routes"]),
    ("src/config/recording.rs", ["--test", "record_replay"]),
    ("src/config/headers.rs", ["--test", "handshake", "--test", "pipe"]),
    ("src/config/reading.rs", ["--test", "json", "--test", "repl_json"]),
    ("src/config/units.rs", ["--test", "limits", "--test", "diagnosis"]),
    ("src/reconnect.rs", ["--test", "reconnect"]),
    ("src/record.rs", ["--test", "record_replay"]),
    ("src/input/replay.rs", ["--test", "record_replay"]),
    ("src/input/repl.rs", ["--test", "repl"]),
    ("src/input/reflow.rs", ["--test", "repl"]),
    ("src/input/slash.rs", ["--test", "repl", "--test", "repl_json", "--test", "record_replay"]),
    ("src/input/looking.rs", ["--test", "repl_json"]),
    ("src/input/jsonl.rs", ["--test", "json", "--test", "pipe"]),
    ("src/output/human.rs", ["--test", "repl", "--test", "pipe", "--test", "diagnosis",
                             "--test", "json", "--test", "repl_json", "--test", "reconnect",
                             "--test", "repl_listen", "--test", "jsonrpc",
                             "--test", "listen_clients"]),
    ("src/output/jsonl.rs", ["--test", "json", "--test", "pipe", "--test", "diagnosis"]),
    ("src/output/mod.rs", ["--test", "pipe", "--test", "json", "--test", "repl",
                           "--test", "diagnosis", "--test", "repl_listen"]),
    ("src/generate.rs", ["--test", "generated"]),
    ("src/fuzz", ["--test", "fuzz_corpus"]),
    # -v's lines for TLS, proxies and routes are checked in their own suites.
    ("src/verbose.rs", ["--test", "diagnosis", "--test", "handshake", "--test", "tls",
                        "--test", "proxy", "--test", "routes"]),
    # The REPL's ending (status, the close said once, the terminal restored).
    ("src/main.rs", [*PIPE_SIDE, "--test", "repl"]),
    ("src/terminal.rs", [*PIPE_SIDE, "--test", "repl"]),
    # Which proxy the environment names is read here, and only the real binary reads it.
    ("src/config/mod.rs", [*PIPE_SIDE, "--test", "proxy"]),
    ("src/output/raw.rs", ["--test", "pipe", "--test", "json"]),
    ("src/session/limits.rs", ["--test", "limits", "--test", "diagnosis"]),
    ("src/error.rs", ["--test", "endings", "--test", "handshake", "--test", "limits"]),
    # How a session ends decides whether --reconnect tries again.
    ("src/session/ending.rs", [*PIPE_SIDE, "--test", "reconnect"]),
    ("src/session/mod.rs", [*PIPE_SIDE, "--test", "reconnect", "--test", "heartbeat",
                            "--test", "record_replay"]),
    ("src/", PIPE_SIDE),
]

OUTCOMES = ["caught", "missed", "timeout", "unviable"]


def tests_for(path: str) -> list[str]:
    for prefix, tests in PLAN:
        if path.startswith(prefix):
            return ["--lib", *tests]
    return ["--lib"]


def source_files(targets: list[str]) -> list[str]:
    files = []
    for target in targets or ["src"]:
        path = ROOT / target
        found = sorted(path.rglob("*.rs")) if path.is_dir() else [path]
        files += [str(f.relative_to(ROOT)) for f in found if f.is_file()]
    # In the order given, so that the files that matter most can go first.
    return list(dict.fromkeys(files))


def slug(path: str) -> str:
    return path.replace("/", "_")


def without_position(name: str) -> str:
    """`src/x.rs:12:5: replace a with b in f` -> `src/x.rs: replace a with b in f`."""
    return re.sub(r"^([^:]+):\d+:\d+:", r"\1:", name.strip())


def equivalents() -> dict[str, str]:
    listed = {}
    if EQUIVALENT.exists():
        for line in EQUIVALENT.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                name, _, why = line.partition(" # ")
                listed[name.strip()] = why.strip()
    return listed


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def tree(job: int) -> Path:
    """Where job `job` makes its mutants: a worktree with a build of its own."""
    return OUT / ("tree" if job == 0 else f"tree-{job}")


def prepare_tree(job: int) -> None:
    """The worktree the mutants are made in, at the state of the working tree."""
    # A commit of the working tree as it is, uncommitted changes included (HEAD when clean).
    state = git("stash", "create") or git("rev-parse", "HEAD")
    where = tree(job)
    if not (where / ".git").exists():
        where.parent.mkdir(parents=True, exist_ok=True)
        git("worktree", "add", "--detach", str(where), state)
    else:
        git("checkout", "--force", "--detach", state, cwd=where)


def run_file(path: str, timeout: int, job: int, recheck: bool = False) -> bool:
    """Runs cargo-mutants on one file; false if it could not run at all. With `recheck`, only
    the file's survivors are run again, and those now caught are marked so in its results."""
    survivors = []
    if recheck:
        listed = equivalents()
        found = results(path, partial=True)
        survivors = [m for m in found["missed"] if without_position(m) not in listed]
        survivors = drop_gone(path, survivors, job)
        # Code added since the file's run has mutants no run has made: they are made too.
        survivors += new_mutants(path, found, job)
        if not survivors:
            return True
    out = OUT / (slug(path) + ("-recheck" if recheck else ""))
    out.mkdir(parents=True, exist_ok=True)
    # A run of this file cut short (stopped, or the machine restarted): its outcomes so far are
    # kept beside, and its mutants not made again.
    done = [] if recheck else keep_partial(path)
    # In place, one mutant at a time (--in-place allows no more).
    # The test targets go to every cargo command (--cargo-arg), the build included: given after
    # `--` they would reach only the test run, and each mutant would build all the test crates.
    command = ["cargo", "mutants", "--in-place", "--no-shuffle", "--timeout", str(timeout),
               "--baseline", "skip", "--file", path, "--output", str(out),
               *(f"--cargo-arg={arg}" for arg in tests_for(path))]
    # By position too: two mutants can share a name (the same operator twice in a function).
    command += [f"--exclude-re=^{literal(name)}$" for name in done]
    for name in survivors:
        # Any line and column: the tests added since may have moved the code.
        file, _, mutant = without_position(name).partition(": ")
        command.append(f"--re=^{literal(file)}:\\d+:\\d+: {literal(mutant)}$")
    # No debug info: the links that every mutant costs are much faster without; mold, where
    # installed (apt-get install mold), links faster still, and nextest runs the test binaries
    # side by side rather than one after another.
    env = dict(os.environ, CARGO_PROFILE_DEV_DEBUG="0", CARGO_PROFILE_TEST_DEBUG="0")
    if shutil.which("mold"):
        env["RUSTFLAGS"] = (env.get("RUSTFLAGS", "") + " -C link-arg=-fuse-ld=mold").strip()
    if shutil.which("cargo-nextest"):
        command[2:2] = ["--test-tool", "nextest"]
        # The tests mostly wait on a child wsc and a socket: twice as many at once as cores
        # shortens a plan's run (the suite that catches a mutant often comes late in it).
        env.setdefault("NEXTEST_TEST_THREADS", str(2 * (os.cpu_count() or 1)))
    print(f"== {path}: {' '.join(command)}", flush=True)
    done = subprocess.run(command, cwd=tree(job), env=env)
    # 0: all caught; 2: some missed; 3: some timed out; 4: the tree is broken unmutated.
    if done.returncode not in (0, 2, 3):
        return False
    if recheck:
        mark_caught(path, out / "mutants.out")
        shutil.rmtree(out / "mutants.out", ignore_errors=True)
    else:
        keep_results(path)
    return True


def drop_gone(path: str, survivors: list[str], job: int) -> list[str]:
    """The survivors whose code is still there. The outcomes of mutants whose code was removed
    since are dropped from the file's results (no mutant of theirs can be made any more)."""
    listing = subprocess.run(["cargo", "mutants", "--list", "--file", path], cwd=tree(job),
                             check=True, capture_output=True, text=True).stdout
    now = {without_position(name) for name in listing.splitlines()}
    kept = listing_of(path).read_text().splitlines() if listing_of(path).exists() else []
    still = [line for line in kept if without_position(line.partition("\t")[2]) in now]
    if len(still) < len(kept):
        listing_of(path).write_text("".join(f"{line}\n" for line in still))
        print(f"== {path}: {len(kept) - len(still)} mutants gone with their code", flush=True)
    return [m for m in survivors if without_position(m) in now]


def new_mutants(path: str, found: dict[str, list[str]], job: int) -> list[str]:
    """The mutants of `path` that none of its kept outcomes names (code added since its run)."""
    known = {without_position(m) for outcome in OUTCOMES for m in found[outcome]}
    listing = subprocess.run(["cargo", "mutants", "--list", "--file", path], cwd=tree(job),
                             check=True, capture_output=True, text=True).stdout
    new = [m for m in listing.splitlines() if m.strip() and without_position(m) not in known]
    if new:
        print(f"== {path}: {len(new)} mutants of code added since its run", flush=True)
    return new


def mark_caught(path: str, folder: Path) -> None:
    """Marks as caught (or timed out) in the file's results the survivors a recheck caught, and
    adds the outcomes of the mutants made for the first time."""
    listing = listing_of(path)
    kept = listing.read_text().splitlines() if listing.exists() else []
    known = {without_position(line.partition("\t")[2]) for line in kept}
    first_time = [line for line in outcomes_in(folder)
                  if without_position(line.partition("\t")[2]) not in known]
    now = {}
    for outcome in ("caught", "timeout"):
        listing = folder / f"{outcome}.txt"
        if listing.exists():
            now.update((without_position(m), outcome) for m in listing.read_text().splitlines())
    # Mutants can share a name (the same operator twice in a function): while one of that name
    # still survives, none of them is marked caught.
    missed = folder / "missed.txt"
    if missed.exists():
        for name in missed.read_text().splitlines():
            now.pop(without_position(name), None)
    listing = listing_of(path)
    lines = []
    for line in listing.read_text().splitlines():
        outcome, _, name = line.partition("\t")
        if outcome == "missed" and without_position(name) in now:
            outcome = now[without_position(name)]
        lines.append(f"{outcome}\t{name}\n")
    lines += [f"{line}\n" for line in first_time]
    listing.write_text("".join(lines))


def literal(text: str) -> str:
    """`text` as a Rust regex that matches it literally."""
    return "".join(f"\\{c}" if c in "\\.+*?()|[]{}^$" else c for c in text)


def outcomes_in(folder: Path) -> list[str]:
    """`outcome<TAB>mutant` for each mutant a cargo-mutants output folder has an outcome for."""
    lines = []
    for outcome in OUTCOMES:
        listing = folder / f"{outcome}.txt"
        if listing.exists():
            lines += [f"{outcome}\t{m}" for m in listing.read_text().splitlines() if m.strip()]
    return lines


def keep_partial(path: str) -> list[str]:
    """Adds the outcomes of a run of `path` that did not finish to those kept from earlier cut
    runs (mutants/results/<slug>.partial.txt), and returns the mutants they name."""
    partial = RESULTS / f"{slug(path)}.partial.txt"
    lines = partial.read_text().splitlines() if partial.exists() else []
    folder = OUT / slug(path) / "mutants.out"
    lines += outcomes_in(folder)
    shutil.rmtree(folder, ignore_errors=True)
    if lines:
        RESULTS.mkdir(exist_ok=True)
        partial.write_text("".join(f"{line}\n" for line in dict.fromkeys(lines)))
    return [line.partition("\t")[2] for line in lines]


def keep_results(path: str) -> None:
    """Copies one file's outcomes into mutants/results/, so the summary outlives target/."""
    partial = RESULTS / f"{slug(path)}.partial.txt"
    lines = partial.read_text().splitlines() if partial.exists() else []
    lines += outcomes_in(OUT / slug(path) / "mutants.out")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{slug(path)}.txt").write_text("".join(f"{line}\n" for line in lines))
    partial.unlink(missing_ok=True)


def listing_of(path: str) -> Path:
    """Where a file's outcomes are kept: its whole run's, or else a run's cut short."""
    whole = RESULTS / f"{slug(path)}.txt"
    return whole if whole.exists() else RESULTS / f"{slug(path)}.partial.txt"


def results(path: str, partial: bool = False) -> dict[str, list[str]]:
    """A file's outcomes; with `partial`, those of a run cut short when it has no other."""
    listing = RESULTS / f"{slug(path)}.txt"
    found = {outcome: [] for outcome in OUTCOMES}
    found["ran"] = listing.exists()
    found["partial"] = False
    if partial and not listing.exists():
        listing = listing_of(path)
        found["partial"] = listing.exists()
    if listing.exists():
        for line in listing.read_text().splitlines():
            outcome, _, name = line.partition("\t")
            found[outcome].append(name)
    return found


def summarise(files: list[str]) -> tuple[str, list[str]]:
    listed = equivalents()
    rows, unexpected, not_run = [], [], []
    total = {"caught": 0, "missed": 0, "timeout": 0, "unviable": 0, "equivalent": 0}
    for path in files:
        found = results(path, partial=True)
        if not found["ran"] and not found["partial"]:
            not_run.append(path)
            continue
        missed = [m for m in found["missed"] if without_position(m) not in listed]
        equivalent = len(found["missed"]) - len(missed)
        unexpected += missed
        counts = {"caught": len(found["caught"]), "missed": len(missed),
                  "timeout": len(found["timeout"]), "unviable": len(found["unviable"]),
                  "equivalent": equivalent}
        for key in total:
            total[key] += counts[key]
        rows.append((f"{path} (part)" if found["partial"] else path, counts))

    def score(c):
        viable = c["caught"] + c["timeout"] + c["missed"]
        return f"{100 * (c['caught'] + c['timeout']) / viable:.1f} %" if viable else "-"

    lines = ["# Mutation testing", "",
             "Written by `python3 mutants/run.py` (see its top for how). Score: mutants caught "
             "(a test failed, or it timed out) over viable mutants, the equivalent ones "
             "(mutants/equivalent.txt) left out. A file marked (part) was stopped part way: "
             "its mutants run so far are counted, and `--resume` goes on with the rest.", "",
             "| file | caught | missed | timeout | unviable | equivalent | score |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for path, c in rows:
        lines.append(f"| {path} | {c['caught']} | {c['missed']} | {c['timeout']} | "
                     f"{c['unviable']} | {c['equivalent']} | {score(c)} |")
    lines.append(f"| **all {len(rows)} files** | {total['caught']} | {total['missed']} | "
                 f"{total['timeout']} | {total['unviable']} | {total['equivalent']} | "
                 f"**{score(total)}** |")
    lines += ["", f"## Not run yet ({len(not_run)} of {len(files)} files)", ""]
    lines += [", ".join(f"`{path}`" for path in not_run) or "(none)"]
    lines += ["", "## Equivalent mutants", ""]
    lines += [f"- `{name}`: {why}" for name, why in sorted(listed.items())] or ["(none)"]
    lines += ["", "## Survivors", ""]
    lines += [f"- `{m}`" for m in unexpected] or ["(none)"]
    return "\n".join(lines) + "\n", unexpected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help="files or folders under src/ (default: src)")
    parser.add_argument("--timeout", type=int, default=90,
                        help="seconds one mutant's tests may take (default 90: the slowest "
                             "plan, the pipe-side suites, takes about 30 s unmutated)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="files mutated side by side, each in a worktree of its own "
                             "(default 1; 2 nearly halves the time on 2 cores, as a "
                             "build mostly keeps one core busy)")
    parser.add_argument("--resume", action="store_true",
                        help="skip the files that have results in mutants/results already")
    parser.add_argument("--recheck", action="store_true",
                        help="run again only the survivors of the files given (after adding "
                             "tests for them), marking those now caught")
    parser.add_argument("--summary-only", action="store_true",
                        help="write the summary from the runs kept, running nothing")
    args = parser.parse_args()
    files = source_files(args.targets)
    if args.resume:
        files = [path for path in files if not results(path)["ran"]]
    if not args.summary_only:
        waiting = queue.SimpleQueue()
        for path in files:
            waiting.put(path)
        failed = []

        def work(job: int) -> None:
            while not failed:
                try:
                    path = waiting.get_nowait()
                except queue.Empty:
                    return
                if not run_file(path, args.timeout, job, args.recheck):
                    failed.append(path)

        for job in range(args.jobs):
            prepare_tree(job)
        workers = [threading.Thread(target=work, args=(job,)) for job in range(args.jobs)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        if failed:
            print(f"cargo-mutants could not run on {failed[0]}", file=sys.stderr)
            return 2
    summary, unexpected = summarise(source_files([]))
    SUMMARY.write_text(summary)
    print(summary)
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
