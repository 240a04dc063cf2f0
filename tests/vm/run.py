#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Runs the VM tests: every test_* function of the tests/vm/test_*.py modules.

A test passes by returning (optionally a dict of figures to print), fails by
raising AssertionError or HarnessError with a sentence. A missing tool is a
failure, never a skip. A check the dump checker could not run on a test's
dump (checker.skip()) is printed as "skip - TEST: why" and counted as
skipped. Ends with "vm: N passed, N failed, N skipped": tests passed, tests
failed, checks skipped.

Modules run side by side, JOBS at a time (-j, or LIFEBOAT_VM_JOBS; two on a
machine with two cores or more): one test of TCG keeps a host core busy,
seldom both, and much of a test is the host's own work (images, crash).
Each module runs in a process of its own, its tests one after the other in
their order, so that a module's state (the kernel a `with lbvm.guest()`
selects, what a test leaves for the next of its module) is its own. The
lowest ORDER starts first, so the longest modules carry a low one and the
lanes end together. A module with RUNS_LAST = True starts when every other
one has ended (it reads what they left). A module's output is printed when
it ends, whole.

    run.py [-k SUBSTRING]... [-j JOBS] [--list]
    run.py --module NAME [-k SUBSTRING]...    (one module, in this process)
"""
import argparse
import glob
import importlib
import os
import signal
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import checker  # noqa: E402
import lbvm  # noqa: E402

# A module that runs longer than this is ended (SIGTERM, so its VMs end too).
MODULE_LIMIT = 3600


def discover():
    """[(order, module name, runs last, [(test name, fn)])], in start order."""
    mods = []
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        mod = importlib.import_module(os.path.basename(path)[:-3])
        tests = []
        for name in dir(mod):
            fn = getattr(mod, name)
            if name.startswith("test_") and callable(fn):
                # Tests generated from a table carry their row's index.
                tests.append((getattr(fn, "order", fn.__code__.co_firstlineno), name, fn))
        tests.sort(key=lambda t: t[:2])
        mods.append((getattr(mod, "ORDER", 50), mod.__name__, getattr(mod, "RUNS_LAST", False),
                     [(f"{mod.__name__}.{n}", fn) for _, n, fn in tests]))
    mods.sort(key=lambda m: (m[2], m[0], m[1]))
    return mods


def selected(mods, ks):
    out = []
    for order, name, last, tests in mods:
        tests = [(n, fn) for n, fn in tests if not ks or any(k in n for k in ks)]
        if tests:
            out.append((order, name, last, tests))
    return out


def run_tests(tests):
    """Runs tests here, one after the other; returns (passed, failed, skipped)."""
    passed = failed = skipped = 0
    for name, fn in tests:
        t0 = time.monotonic()
        print(f"vm: {name} ...", flush=True)
        checker.clear_skipped()
        try:
            figures = fn() or {}
            dt = time.monotonic() - t0
            extra = " ".join(f"{k}={v}" for k, v in figures.items())
            print(f"ok - {name} ({dt:.0f} s) {extra}".rstrip(), flush=True)
            passed += 1
        except (AssertionError, lbvm.HarnessError) as e:
            dt = time.monotonic() - t0
            print(f"not ok - {name} ({dt:.0f} s): {e}", flush=True)
            failed += 1
        except Exception:
            dt = time.monotonic() - t0
            print(f"not ok - {name} ({dt:.0f} s): the test crashed", flush=True)
            traceback.print_exc(file=sys.stdout)
            sys.stdout.flush()
            failed += 1
        for why in checker.clear_skipped():
            print(f"skip - {name}: {why}", flush=True)
            skipped += 1
    return passed, failed, skipped


def _terminated(signum, frame):
    # The VM under way ends in its `finally`, by the pid QEMU wrote.
    raise KeyboardInterrupt(f"signal {signum}")


class Lane:
    """One module running in a child process, its output gathered."""

    def __init__(self, name, ks):
        self.name = name
        self.t0 = time.monotonic()
        args = [sys.executable, os.path.abspath(__file__), "--module", name]
        for k in ks:
            args += ["-k", k]
        self.out = open(os.path.join(lbvm.BUILD, "vm", f"run-{name}.log"), "w+")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=subprocess.STDOUT)
        self.stopped = False

    def overdue(self):
        if not self.stopped and time.monotonic() - self.t0 > MODULE_LIMIT:
            self.stopped = True
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def finish(self):
        """Prints the module's output; returns (passed, failed, skipped)."""
        self.out.seek(0)
        text = self.out.read()
        self.out.close()
        sys.stdout.write(text)
        passed = failed = skipped = 0
        for line in text.splitlines():
            if line.startswith("ok - "):
                passed += 1
            elif line.startswith("not ok - "):
                failed += 1
            elif line.startswith("skip - "):
                skipped += 1
        rc = self.proc.returncode
        dt = time.monotonic() - self.t0
        if self.stopped:
            print(f"not ok - {self.name} ({dt:.0f} s): ended after {MODULE_LIMIT} s")
            failed += 1
        elif rc != 0 and not failed:
            print(f"not ok - {self.name} ({dt:.0f} s): its process ended with status {rc} "
                  "and no test failed")
            failed += 1
        sys.stdout.flush()
        return passed, failed, skipped


def run_lanes(mods, ks, jobs):
    """Runs the modules, jobs at a time; returns (passed, failed, skipped)."""
    waiting = list(mods)
    running = []
    tally = [0, 0, 0]
    os.makedirs(os.path.join(lbvm.BUILD, "vm"), exist_ok=True)
    # One id per run: what a module builds once per run (capture.py's
    # capture image) is shared by the others.
    os.environ.setdefault("LIFEBOAT_VM_RUN", f"{os.getpid()}-{time.time_ns()}")
    try:
        while waiting or running:
            while len(running) < jobs and waiting:
                nxt = next((m for m in waiting if not m[2] or (not running and
                                                                all(w[2] for w in waiting))),
                           None)
                if nxt is None:
                    break
                waiting.remove(nxt)
                print(f"vm: {nxt[1]}: {len(nxt[3])} tests started", flush=True)
                running.append(Lane(nxt[1], ks))
            time.sleep(0.5)
            for lane in list(running):
                lane.overdue()
                if lane.proc.poll() is not None:
                    running.remove(lane)
                    for i, n in enumerate(lane.finish()):
                        tally[i] += n
    finally:
        for lane in running:
            lane.proc.send_signal(signal.SIGTERM)
        for lane in running:
            try:
                lane.proc.wait(60)
            except subprocess.TimeoutExpired:
                lane.proc.kill()
    return tuple(tally)


def default_jobs():
    try:
        return max(1, int(os.environ.get("LIFEBOAT_VM_JOBS", "")))
    except ValueError:
        return min(2, os.cpu_count() or 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", action="append", default=[], help="run tests whose name contains this")
    ap.add_argument("-j", type=int, default=default_jobs(), help="modules run at once")
    ap.add_argument("--module", help="run this module's tests in this process")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    mods = selected(discover(), a.k)
    if a.module:
        signal.signal(signal.SIGTERM, _terminated)
        mods = [m for m in mods if m[1] == a.module]
        if not mods:
            print(f"vm: module {a.module} has no test that matches", file=sys.stderr)
            return 1
        passed, failed, skipped = run_tests(mods[0][3])
        return 1 if failed else 0
    if a.list:
        for m in mods:
            for n, _ in m[3]:
                print(n)
        return 0
    if not mods:
        print("vm: no test matches", file=sys.stderr)
        return 1
    if a.j <= 1:
        passed = failed = skipped = 0
        for m in mods:
            p, f, s = run_tests(m[3])
            passed, failed, skipped = passed + p, failed + f, skipped + s
    else:
        passed, failed, skipped = run_lanes(mods, a.k, a.j)
    print(f"vm: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
