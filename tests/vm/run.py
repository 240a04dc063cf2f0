#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Runs the VM tests: every test_* function of the tests/vm/test_*.py modules,
one after the other (QEMU's TCG already keeps both host cores busy).

A test passes by returning (optionally a dict of figures to print), fails by
raising AssertionError or HarnessError with a sentence. A missing tool is a
failure, never a skip. A check the dump checker could not run on a test's
dump (checker.skip()) is printed as "skip - TEST: why" and counted as
skipped. Ends with "vm: N passed, N failed, N skipped": tests passed, tests
failed, checks skipped.

    run.py [-k SUBSTRING]... [--list]
"""
import argparse
import glob
import importlib
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checker  # noqa: E402
import lbvm  # noqa: E402


def discover():
    tests = []
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, "test_*.py"))):
        mod = importlib.import_module(os.path.basename(path)[:-3])
        order = getattr(mod, "ORDER", 50)
        for name in dir(mod):
            fn = getattr(mod, name)
            if name.startswith("test_") and callable(fn):
                # Tests generated from a table carry their row's index.
                line = getattr(fn, "order", fn.__code__.co_firstlineno)
                tests.append((order, mod.__name__, line, name, fn))
    tests.sort()
    return [(f"{m}.{n}", fn) for _, m, _, n, fn in tests]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", action="append", default=[], help="run tests whose name contains this")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    tests = [(n, fn) for n, fn in discover() if not a.k or any(k in n for k in a.k)]
    if a.list:
        for n, _ in tests:
            print(n)
        return 0
    if not tests:
        print("vm: no test matches", file=sys.stderr)
        return 1
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
            traceback.print_exc()
            failed += 1
        for why in checker.clear_skipped():
            print(f"skip - {name}: {why}", flush=True)
            skipped += 1
    print(f"vm: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
