# SPDX-License-Identifier: GPL-2.0
"""
VM test bed: build initramfs images, boot the stock kernel under QEMU (TCG),
stamp every serial line with host time, enforce a time limit, and hand back
the serial log, the times of named markers and the files the guest wrote to
its dump disk.

The guest prints "LBMARK <name>" lines; the harness records the host time of
the first occurrence of each. Some kernel lines are markers too (see
KERNEL_MARKERS). QEMU is ended by the pid it wrote to its -pidfile, never by
name, and never outlives run().
"""
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.environ.get("LIFEBOAT_CACHE", "/var/cache/lifeboat")
BUILD = os.path.join(ROOT, "build")
MKINITRAMFS = os.path.join(ROOT, "initramfs", "lb-initramfs")

# Kernel lines that mark a moment of interest, by the name they are stored under.
KERNEL_MARKERS = [
    ("panic", re.compile(r"Kernel panic - not syncing")),
    ("oops", re.compile(r"(BUG: |Oops: |general protection fault|kernel BUG at )")),
    ("capture-kernel", re.compile(r"Linux version .*elfcorehdr|Command line: .*elfcorehdr")),
    ("panic-end", re.compile(r"---\[ end Kernel panic")),
]
MARK_RE = re.compile(r"LBMARK (\S+)(?: (.*))?")

# Modules needed for a virtio disk with ext4 on it, loaded in this order.
DISK_MODULES = ["virtio_pci", "virtio_blk", "ext4"]


class HarnessError(Exception):
    """The test bed itself could not do what was asked (missing tool, bad setup)."""


# The guest every VM of a test boots: a kernel of tests/kernels.txt by name
# and a firmware. Tests choose it with `with lbvm.guest("6.12", "uefi"):`;
# the default is the first kernel of the list under SeaBIOS.
FIRMWARES = ("bios", "uefi", "secureboot")
# The capture kernel Lifeboat's chains load: "stock" (the guest's own
# kernel) or "lifeboat" (Lifeboat's own, `make capture-kernel`).
# LIFEBOAT_CAPTURE_KERNEL sets it for a whole run (make test-capture-kernel).
CAPTURE_KERNELS = ("stock", "lifeboat")
_guest = {"kernel": None, "firmware": "bios",
          "capture": os.environ.get("LIFEBOAT_CAPTURE_KERNEL") or "stock"}
OWN_KERNEL = os.path.join(BUILD, "capture-kernel")
OVMF = "/usr/share/ovmf/OVMF.fd"
OVMF_SB_CODE = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
OVMF_SB_VARS = "/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd"


class guest:
    """Context manager: the kernel (a name of tests/kernels.txt) and the
    firmware ("bios", "uefi" or "secureboot") of the VMs built inside it,
    and the capture kernel ("stock" or "lifeboat"; None: the run's)."""

    def __init__(self, kernel=None, firmware="bios", capture=None):
        if firmware not in FIRMWARES:
            raise HarnessError(f"unknown firmware '{firmware}': choose one of {', '.join(FIRMWARES)}")
        self.want = {"kernel": kernel, "firmware": firmware}
        if capture is not None:
            self.want["capture"] = capture

    def __enter__(self):
        self.saved = dict(_guest)
        _guest.update(self.want)
        env()   # fail now, with a sentence, if the kernel is not there
        return self

    def __exit__(self, *exc):
        _guest.update(self.saved)
        return False


def kernels(which="test"):
    """(name, release) of the kernels of tests/kernels.txt in a set ("test",
    "matrix" or "all")."""
    out = []
    with open(os.path.join(ROOT, "tests", "kernels.txt")) as f:
        for line in f:
            w = line.split()
            if len(w) >= 4 and not w[0].startswith("#") and which in ("all", w[2]):
                out.append((w[0], w[1]))
    return out


def _read_env(path):
    if not os.path.exists(path):
        raise HarnessError(f"'{path}' is missing: run 'make deps' first")
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"^(\w+)\s*:=\s*(.*)$", line.strip())
            if m:
                out[m.group(1)] = m.group(2)
    return out


def env(kernel=None):
    """Paths tests/deps.sh wrote for a kernel (the current guest's by
    default): KNAME, KVER, KVMLINUZ, KROOT, KDIR, SYSTEM_MAP, VMLINUX_DBG
    (empty when no debug vmlinux is fetched for it)."""
    name = kernel or _guest["kernel"]
    if name is None:
        path = os.path.join(CACHE, "env.mk")
    else:
        rel = dict(kernels("all")).get(name)
        if rel is None:
            raise HarnessError(f"unknown kernel '{name}': see tests/kernels.txt")
        path = os.path.join(CACHE, "kernels", rel, "env.mk")
        if not os.path.exists(path):
            extra = "" if (name, rel) in kernels("test") else " LIFEBOAT_KERNELS=all"
            raise HarnessError(f"kernel {name} ({rel}) is not unpacked: run 'make deps{extra}'")
    out = _read_env(path)
    for key in ("KVER", "KVMLINUZ", "KROOT", "KDIR", "SYSTEM_MAP", "VMLINUX_DBG"):
        if key not in out:
            raise HarnessError(f"'{path}' has no {key}: run 'make deps' again")
    return out


def firmware():
    return _guest["firmware"]


def own_kernel():
    """Lifeboat's own capture kernel as `make capture-kernel` left it:
    VMLINUZ, KVER, KROOT (holds lib/modules/KVER), DIR."""
    d = os.path.realpath(OWN_KERNEL)
    need(os.path.join(d, "vmlinuz"), "Lifeboat's capture kernel ('make capture-kernel')")
    with open(os.path.join(d, "release")) as f:
        kver = f.read().strip()
    return {"VMLINUZ": os.path.join(d, "vmlinuz"), "KVER": kver,
            "KROOT": os.path.join(d, "root"), "DIR": d}


def capture_kernel():
    """The capture kernel of the current guest: the stock one (the guest's
    own kernel) or Lifeboat's, as VMLINUZ, KVER, KROOT and OWN."""
    which = _guest["capture"]
    if which not in CAPTURE_KERNELS:
        raise HarnessError(f"unknown capture kernel '{which}': choose one of "
                           f"{', '.join(CAPTURE_KERNELS)} (LIFEBOAT_CAPTURE_KERNEL)")
    if which == "lifeboat":
        return dict(own_kernel(), OWN=True)
    e = env()
    return {"VMLINUZ": e["KVMLINUZ"], "KVER": e["KVER"], "KROOT": e["KROOT"], "OWN": False}


def kmod(name):
    """A module built for the current guest's kernel: build/k/<release>/NAME
    (make modules-all)."""
    kver = env()["KVER"]
    return need(os.path.join(BUILD, "k", kver, name), f"{name} for {kver} ('make modules-all')")


def vmlinux_dbg():
    """The current guest kernel's debug vmlinux; a sentence if it has none."""
    e = env()
    if not e["VMLINUX_DBG"]:
        raise HarnessError(f"no debug vmlinux is fetched for {e['KVER']} (tests/kernels.txt)")
    return need(e["VMLINUX_DBG"], "debug vmlinux")


def need(path, what):
    if not os.path.exists(path):
        raise HarnessError(f"{what} not found at '{path}'")
    return path


def build_initramfs(out, init_script, bins=(), files=(), modules=(), compress="gzip",
                    kernel=None):
    """Build an initramfs with busybox, the given binaries (with their
    libraries), files ("src:dest") and modules (with dependencies) of the
    guest kernel, or of kernel (a dict with KVER and KROOT)."""
    e = kernel or env()
    fd, init_path = tempfile.mkstemp(prefix="init.", dir=os.path.dirname(out))
    with os.fdopen(fd, "w") as f:
        f.write(init_script)
    cmd = [MKINITRAMFS, "--out", out, "--init", init_path, "--compress", compress,
           "--kver", e["KVER"], "--modroot", e["KROOT"]]
    for b in bins:
        cmd += ["--bin", b]
    for spec in files:
        cmd += ["--file", spec]
    for m in modules:
        cmd += ["--module", m]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
    finally:
        os.unlink(init_path)
    if r.returncode != 0:
        raise HarnessError(f"initramfs build failed: {r.stderr.strip()}")
    return out


# Shell fragments for /init scripts.
INIT_PRELUDE = r"""#!/bin/sh
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /sys/kernel/debug && mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mark() { echo "LBMARK $*" > /dev/ttyS0; }
# For the marks just before a death: printk writes to the console at once,
# while a write to /dev/ttyS0 may still sit in the serial driver's buffer when
# the CPUs stop, and be lost.
kmark() { echo "<2>LBMARK $*" > /dev/kmsg; }
load_modules() {
	while read -r m; do
		[ -n "$m" ] && insmod "$m" || true
	done < /etc/lifeboat/modules
}
wait_for() {	# path, tenths of a second
	n=0
	while [ ! -e "$1" ] && [ $n -lt "$2" ]; do sleep 0.1; n=$((n + 1)); done
	[ -e "$1" ]
}
"""

# For an init that compares free memory before and after: `settle_free`
# sets $free (KiB: MemFree and the pages in the per-CPU lists, which MemFree
# does not count) and $pcp, read once a second until free stops growing (10
# s at most, $i readings past the first), since frees that wait for RCU or a
# workqueue land late when the host is busy. `settle_free drop` drops the
# page cache before each reading.
SETTLE_FREE = r"""settle_free() {
	prev=0 i=0
	while :; do
		[ "$1" = drop ] && echo 3 > /proc/sys/vm/drop_caches
		pcp=$(awk '$1 == "count:" { n += $2 } END { print n * 4 }' /proc/zoneinfo)
		free=$(( $(awk '/^MemFree:/ { print $2 }' /proc/meminfo) + pcp ))
		{ [ $i -gt 0 ] && [ $free -le $((prev + 256)) ]; } || [ $i -ge 10 ] && break
		prev=$free i=$((i + 1))
		sleep 1
	done
}
"""


def make_disk(path, size_mb=2048):
    """An empty ext4 image for the dump, sparse."""
    with open(path, "wb") as f:
        f.truncate(size_mb << 20)
    r = subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "lbdump", path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise HarnessError(f"mkfs.ext4 failed: {r.stderr.strip()}")
    return path


def disk_ls(disk, directory="/"):
    """Files and directories in a directory of an ext4 image, read without
    mounting."""
    r = subprocess.run(["debugfs", "-R", f"ls -p {directory}", disk],
                       capture_output=True, text=True)
    names = []
    for line in r.stdout.splitlines():
        # /inode/mode/uid/gid/name/size/ ; size is empty for a directory
        parts = line.strip().split("/")
        if len(parts) >= 7 and parts[5] not in (".", "..", "lost+found"):
            names.append(parts[5])
    return names


def disk_get(disk, path, out):
    """Copy one file out of an ext4 image; None if it is not there."""
    if os.path.exists(out):
        os.unlink(out)
    r = subprocess.run(["debugfs", "-R", f"dump {path} {out}", disk],
                       capture_output=True, text=True)
    if r.returncode != 0 or not os.path.exists(out) or "File not found" in r.stderr:
        if os.path.exists(out):
            os.unlink(out)
        return None
    return out


class Result:
    def __init__(self):
        self.lines = []          # (host seconds since start, text)
        self.markers = {}        # name -> host seconds since start (first time seen)
        self.marker_args = {}    # name -> text after the marker name
        self.timed_out = False
        self.exit_code = None
        self.log_path = None

    def text(self):
        return "\n".join(t for _, t in self.lines)

    def since(self, a, b):
        """Seconds from marker a to marker b, or None if either is missing."""
        if a in self.markers and b in self.markers:
            return self.markers[b] - self.markers[a]
        return None

    def tail(self, n=40):
        return "\n".join(t for _, t in self.lines[-n:])

    def record(self, t, line, markers=()):
        """The markers in one console line: LBMARK NAME [ARGS], then each
        (name, regex) of KERNEL_MARKERS and markers that matches; the first
        sight of each is kept. Returns the names found in this line."""
        names = []
        m = MARK_RE.search(line)
        if m:
            names.append((m.group(1), m.group(2) or ""))
        for name, rx in KERNEL_MARKERS + list(markers):
            if rx.search(line):
                names.append((name, line))
        for name, arg in names:
            if name not in self.markers:
                self.markers[name] = t
                self.marker_args[name] = arg
        return [name for name, _ in names]


class VM:
    """One QEMU guest. Use run() once; it always ends QEMU before returning."""

    def __init__(self, workdir, initrd, append, mem="1G", smp=2, kernel=None,
                 disk=None, timeout=240, done_markers=("done",), fail_markers=(),
                 reboot=False, name="vm", extra_args=(), markers=()):
        self.workdir = workdir
        self.kernel = kernel or env()["KVMLINUZ"]
        self.firmware = firmware()
        self.initrd = initrd
        self.append = append
        self.mem = mem
        self.smp = smp
        self.disk = disk
        self.timeout = timeout
        self.done_markers = set(done_markers)
        self.fail_markers = set(fail_markers)
        self.reboot = reboot
        self.name = name
        self.extra_args = list(extra_args)
        # More (name, regex) pairs, like KERNEL_MARKERS, for this guest's own lines.
        self.markers = list(markers)
        self.pidfile = os.path.join(workdir, f"{name}.pid")
        self.qmp_path = os.path.join(workdir, f"{name}.qmp")
        self.log_path = os.path.join(workdir, f"{name}.serial.log")
        self._proc = None
        self._hooks = []

    def on_marker(self, name, fn):
        """Call fn(vm) from the reader thread when marker `name` first appears."""
        self._hooks.append((name, fn))

    def qemu_cmd(self):
        qemu = shutil.which("qemu-system-x86_64")
        if not qemu:
            raise HarnessError("qemu-system-x86_64 not found: run 'make deps'")
        cmd = [qemu, "-accel", "tcg", "-cpu", "max", "-m", str(self.mem),
               "-smp", str(self.smp), "-kernel", need(self.kernel, "guest kernel"),
               "-initrd", need(self.initrd, "initramfs"), "-append", self.append,
               "-display", "none", "-vga", "none", "-serial", "stdio",
               "-monitor", "none", "-nodefaults", "-no-user-config",
               "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
               "-pidfile", self.pidfile, "-net", "none"]
        if not self.reboot:
            cmd.append("-no-reboot")
        if self.disk:
            cmd += ["-drive", f"file={self.disk},if=virtio,format=raw"]
        return cmd + self.firmware_args() + self.extra_args

    def firmware_args(self):
        """SeaBIOS is QEMU's default; OVMF boots the kernel through its EFI
        stub; the Secure Boot machine is q35 with SMM, the secure flash and
        a copy of the SnakeOil variable store (whose db holds the SnakeOil
        certificate), so only a kernel signed with that key boots."""
        if self.firmware == "uefi":
            return ["-bios", need(OVMF, "OVMF (package ovmf)")]
        if self.firmware == "secureboot":
            vars_copy = os.path.join(self.workdir, f"{self.name}.vars.fd")
            shutil.copyfile(need(OVMF_SB_VARS, "OVMF SnakeOil variables (package ovmf)"), vars_copy)
            return ["-machine", "q35,smm=on",
                    "-global", "driver=cfi.pflash01,property=secure,value=on",
                    "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={need(OVMF_SB_CODE, 'OVMF Secure Boot code')}",
                    "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}"]
        return []

    def qmp(self, command, arguments=None):
        """Send one QMP command and return its answer."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(self.qmp_path)
        f = s.makefile("rw")
        json.loads(f.readline())  # greeting
        f.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
        f.flush()
        json.loads(f.readline())
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        f.write(json.dumps(msg) + "\n")
        f.flush()
        while True:
            ans = json.loads(f.readline())
            if "return" in ans or "error" in ans:
                s.close()
                return ans

    def _qemu_pid(self):
        try:
            with open(self.pidfile) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def _end_qemu(self):
        """End QEMU by the pid from its pidfile and reap it."""
        if self._proc is None:
            return
        pid = self._qemu_pid()
        if self._proc.poll() is None:
            if pid is None:
                # QEMU writes the pidfile right after it starts; give it a moment.
                for _ in range(50):
                    time.sleep(0.1)
                    pid = self._qemu_pid()
                    if pid is not None or self._proc.poll() is not None:
                        break
            if pid is not None and self._proc.poll() is None:
                for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                    try:
                        os.kill(pid, sig)
                    except ProcessLookupError:
                        break
                    try:
                        self._proc.wait(wait)
                        break
                    except subprocess.TimeoutExpired:
                        continue
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            raise HarnessError(f"QEMU (pid {pid}) did not end")
        for p in (self.pidfile, self.qmp_path):
            if os.path.exists(p):
                os.unlink(p)

    def run(self):
        """Boot the guest and read its console until a done or fail marker,
        the end of QEMU or the time limit. A guest kernel that dies in its
        own boot, before it starts init (so before any of the test's code
        ran; TCG has shown an int3 oops from the kernel's own code patching),
        is booted once more, and the harness says so on stderr; its first
        console log is kept beside the second, as NAME.serial.log.1."""
        res = self._run_once()
        why = self._died_in_own_boot(res)
        if why:
            os.replace(self.log_path, self.log_path + ".1")
            print(f"vm: {self.name}: the guest kernel died in its own boot, before init "
                  f"({why}); booting it once more (first log: {self.log_path}.1)",
                  file=sys.stderr, flush=True)
            res = self._run_once()
        return res

    @staticmethod
    def _died_in_own_boot(res):
        """The panic line when the guest panicked before it ran init and before
        any marker of the test: None otherwise."""
        panic = None
        for _, line in res.lines:
            if "Run /init as init process" in line or MARK_RE.search(line):
                return None
            if panic is None and "Kernel panic - not syncing" in line:
                panic = line.strip()
        if panic is None:
            return None
        oops = next((ln.strip() for _, ln in res.lines if "Oops:" in ln or "BUG:" in ln), "")
        return "; ".join(x for x in (oops, panic) if x)

    def _run_once(self):
        res = Result()
        res.log_path = self.log_path
        cmd = self.qemu_cmd()
        done = threading.Event()
        start = time.monotonic()
        with open(self.log_path, "w") as log:
            log.write("# " + " ".join(shlex.quote(c) for c in cmd) + "\n")
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT)
            try:
                reader = threading.Thread(target=self._read, args=(res, log, start, done),
                                          daemon=True)
                reader.start()
                finished = done.wait(self.timeout)
                if not finished and self._proc.poll() is None:
                    res.timed_out = True
            finally:
                self._end_qemu()
            reader.join(10)
        res.exit_code = self._proc.returncode
        return res

    def _read(self, res, log, start, done):
        fired = set()
        # A kernel that dies before its init (and before any mark) hangs
        # there without panic=: the run ends at the end of its panic
        # message rather than at the time limit, and run() boots it again.
        booting = True
        for raw in self._proc.stdout:
            t = time.monotonic() - start
            line = raw.decode("utf-8", "replace").replace("\r", "").rstrip("\n")
            res.lines.append((t, line))
            log.write(f"[{t:9.3f}] {line}\n")
            log.flush()
            if booting:
                if "Run /init as init process" in line or MARK_RE.search(line):
                    booting = False
                elif "---[ end Kernel panic - not syncing" in line:
                    done.set()
            elif (not self.reboot and "capture-kernel" in res.markers
                  and "---[ end Kernel panic - not syncing" in line):
                # The capture kernel died (out of memory, say): nothing
                # comes after it in a VM that does not reboot.
                done.set()
            for name in res.record(t, line, self.markers):
                for hook_name, fn in self._hooks:
                    if hook_name == name and name not in fired:
                        fired.add(name)
                        fn(self)
                if name in self.done_markers or name in self.fail_markers:
                    done.set()
        done.set()


def workdir(name):
    """A fresh directory for one test's files, under build/vm/."""
    d = os.path.join(BUILD, "vm", name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d
