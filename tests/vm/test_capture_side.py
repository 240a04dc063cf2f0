# SPDX-License-Identifier: GPL-2.0
"""
The capture side, end to end: the boot-time unit's command builds the
capture initramfs and arms, the kernel panics, the capture kernel's saver
writes /var/crash/<time>/{vmcore,dmesg.txt,metadata.txt} and reboots, the
machine comes back, tells about the crash, re-arms, and `lifeboat report`
shows the panic and the stack. A second run fills the target first: only the
dmesg is saved, and the metadata says why.

The guest enters the capture kernel through Lifeboat's jump, armed by
`lifeboat start` with lifeboat.ko (capture_side.py can use Linux's kdump
instead, to tell the capture side's faults from the jump's).
"""
import os
import re
import shutil
import subprocess
import tempfile

import capture_side as cs
import checker
import lbvm

ORDER = 30
PANIC = "Kernel panic - not syncing: sysrq triggered crash"
LIFEBOAT = os.path.join(lbvm.BUILD, "lifeboat")


def fmt(x):
    return "n/a" if x is None else f"{x:.1f}s"


def need_lifeboat():
    if not os.path.exists(LIFEBOAT):
        raise lbvm.HarnessError(f"'{LIFEBOAT}' is missing: run 'make'")


def dumps_on(disk):
    return sorted(lbvm.disk_ls(disk, "/var/crash"))


def test_capture_side_unit_and_initramfs():
    """Host only: the unit passes systemd-analyze verify; the capture initramfs
    is reproducible and holds what it must; a bad configuration changes nothing."""
    need_lifeboat()
    e = lbvm.env()
    work = lbvm.workdir("capture-side-host")

    # The unit, installed as `make install-dumptools` installs it, beside systemd's own units.
    root = os.path.join(work, "root")
    cs.install_dumptools(root)
    shutil.copytree("/usr/lib/systemd/system", os.path.join(root, "usr", "lib", "systemd", "system"),
                    dirs_exist_ok=True, symlinks=True)
    r = subprocess.run(["systemd-analyze", "verify", f"--root={root}",
                        "/usr/lib/systemd/system/lifeboat.service"], capture_output=True, text=True)
    assert r.returncode == 0 and not r.stderr.strip(), \
        f"systemd-analyze verify: status {r.returncode}: {r.stderr.strip()}"
    assert cs.unit_exec_start() == "/usr/sbin/lifeboat start", cs.unit_exec_start()

    # Built twice from the same inputs: the same bytes.
    conf = os.path.join(work, "lifeboat.conf")
    with open(conf, "w") as f:
        f.write("target = LABEL=lbroot\nfstype = ext4\nextra_modules = virtio_pci virtio_blk\n")
    images = []
    for i in (1, 2):
        out = os.path.join(work, f"capture{i}.img")
        r = subprocess.run([LIFEBOAT, "mkinitramfs", "--config", conf, "--offline",
                            "--kver", e["KVER"], "--modroot", e["KROOT"], "--out", out],
                           capture_output=True, text=True)
        assert r.returncode == 0, f"mkinitramfs: {r.stderr.strip()}"
        images.append(out)
    with open(images[0], "rb") as a, open(images[1], "rb") as b:
        assert a.read() == b.read(), "two builds from the same inputs differ"
    m = re.search(r"size:\s+\S+ MiB, (\d+) bytes \((\S+) MiB unpacked, zstd\)", r.stdout)
    assert m, f"mkinitramfs did not report the size: {r.stdout}"
    size = int(m.group(1))
    assert size == os.path.getsize(images[0])

    listing = subprocess.run(f"zstd -dcq {images[0]} | cpio -t --quiet", shell=True,
                             capture_output=True, text=True).stdout.split()
    for want in ("init", "usr/sbin/lifeboat-save", "usr/bin/makedumpfile", "bin/busybox", "bin/sh",
                 "etc/lifeboat.conf", "etc/lifeboat/modules"):
        assert want in listing, f"the capture initramfs has no {want}"
    mods = [p.rsplit("/", 1)[-1] for p in listing if p.endswith(".ko")]
    for want in ("virtio_pci.ko", "virtio_blk.ko", "ext4.ko", "jbd2.ko"):
        assert want in mods, f"the capture initramfs lacks {want}: {mods}"
    assert not any(m.startswith(("nvme", "xfs", "ahci")) for m in mods), \
        f"modules the target does not need: {mods}"
    inner = subprocess.run(f"zstd -dcq {images[0]} | cpio -i --quiet --to-stdout etc/lifeboat.conf",
                           shell=True, capture_output=True, text=True).stdout
    assert "target = LABEL=lbroot" in inner and "dump_level = 31" in inner, inner

    # A typo in the configuration: a clear error naming the line, and no image.
    with open(conf, "w") as f:
        f.write("target = LABEL=lbroot\ndumplevel = 31\n")
    bad = os.path.join(work, "bad.img")
    r = subprocess.run([LIFEBOAT, "mkinitramfs", "--config", conf, "--offline", "--kver",
                        e["KVER"], "--modroot", e["KROOT"], "--out", bad],
                       capture_output=True, text=True)
    assert r.returncode == 1 and f"{conf}:2: unknown key 'dumplevel'" in r.stderr, \
        f"status {r.returncode}: {r.stderr.strip()}"
    assert not os.path.exists(bad) and not os.path.exists(bad + ".tmp"), "a bad config left an image"
    return {"initramfs_bytes": size, "unpacked_mib": m.group(2)}


# Older dumps already on the target; their panics must not look like this run's.
OLD_META = "format=1\nstatus=complete\nkernel_release=6.1.0-old\npanic=an older crash\n"


def test_capture_side_full_cycle():
    """Boot, arm as the unit does, panic, save, reboot, report, re-armed."""
    need_lifeboat()
    e = lbvm.env()
    work = lbvm.workdir("capture-side-cycle")
    with open(os.path.join(lbvm.ROOT, "dumptools", "lifeboat.conf")) as f:
        default_conf = f.read()
    old = [("20200101-000000", {"metadata.txt": OLD_META, "vmcore": "x"}),
           ("20200102-000000.incomplete", {"dmesg.txt": "[ 1.0] BUG: an interrupted save\n"}),
           ("20200103-000000", {"metadata.txt": OLD_META})]
    res, disk = cs.run_cycle(work, default_conf, old_dumps=old)
    shutil.copy(res.log_path, os.path.join(lbvm.BUILD, "vm", "capture-side-cycle.serial.log"))
    tail = f"serial log tail ({res.log_path}):\n{res.tail(60)}"
    assert not res.timed_out, f"time limit reached; {tail}"
    assert "boot-failed" not in res.markers, f"the guest could not mount its root; {tail}"

    # First boot: refused beside Linux's kdump, then built and armed.
    assert "refused-beside-kdump" in res.markers, \
        f"the unit's command did not refuse to arm beside kdump; {tail}"
    assert "initramfs-built" in res.markers, f"no capture initramfs was built at boot; {tail}"
    assert res.marker_args.get("armed") == "1", f"not armed on the first boot; {tail}"
    for m in ("panic", "capture-kernel", "capture-init", "dump-saved", "final-action"):
        assert m in res.markers, f"marker '{m}' never seen; {tail}"
    assert "dmesg-only" not in res.markers and "capture-failed" not in res.markers, tail
    assert "rebooting" in res.marker_args["final-action"], res.marker_args["final-action"]

    # Second boot: the same command finds the initramfs current, tells about the crash, re-arms.
    assert res.marker_args.get("boot") == "1" and "done" in res.markers, tail
    boot2 = res.text().split("LBMARK boot 2", 1)
    assert len(boot2) == 2, f"the machine did not come back; {tail}"
    assert "LBMARK armed 2" in boot2[1], f"not armed again after the reboot; {tail}"
    assert "initramfs-current" in res.markers, f"the initramfs was rebuilt needlessly; {tail}"
    announce = re.search(r"lifeboat: the system crashed at (.*)", boot2[1])
    assert announce and PANIC in announce.group(1), f"no word of the crash at boot; {tail}"

    # The report: the panic, the stack from the saved dmesg, the release, the time.
    report = cs.between(res, "report-begin", "report-end")
    assert "LBMARK report-status 0" in res.text(), f"lifeboat report failed:\n{report}"
    for want in (PANIC, "sysrq_handle_crash+", "panic+0x", e["KVER"], "status:  complete",
                 "crashed task's stack", "crashed: 20"):
        assert want in report, f"the report lacks '{want}':\n{report}"

    # On the disk: the new dump complete, the oldest pruned (keep = 3), nothing half-written.
    names = dumps_on(disk)
    new = [n for n in names if not n.startswith("2020")]
    assert len(new) == 1 and re.fullmatch(r"\d{8}-\d{6}", new[0]), f"/var/crash holds {names}"
    assert names == ["20200102-000000.incomplete", "20200103-000000", new[0]], \
        f"pruning to keep = 3 left {names}"
    d = f"/var/crash/{new[0]}"
    files = sorted(lbvm.disk_ls(disk, d))
    assert files == ["dmesg.txt", "metadata.txt", "vmcore"], f"{d} holds {files}"
    md = cs.meta(disk, d)
    assert md and md.get("status") == "complete" and md.get("panic") == PANIC, md
    assert md.get("kernel_release") == e["KVER"] and md.get("dump_level") == "31", md
    assert md.get("compression") == "lzo", md
    vmcore = lbvm.disk_get(disk, f"{d}/vmcore", os.path.join(work, "vmcore"))
    assert vmcore and os.path.getsize(vmcore) == int(md["vmcore_bytes"]), \
        f"vmcore is {vmcore and os.path.getsize(vmcore)} bytes, metadata says {md.get('vmcore_bytes')}"
    problems, _ = checker.check_dump(e["VMLINUX_DBG"], vmcore, "sysrq triggered crash", 2)
    assert not problems, "checker: " + "; ".join(problems)

    # The report with a debug vmlinux adds every CPU's backtrace (crash or drgn).
    local = os.path.join(work, "dumps", new[0])
    os.makedirs(local)
    shutil.copy(vmcore, local)
    for name in ("dmesg.txt", "metadata.txt"):
        lbvm.disk_get(disk, f"{d}/{name}", os.path.join(local, name))
    r = subprocess.run([LIFEBOAT, "report", "--dir", local, "--vmlinux", e["VMLINUX_DBG"]],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"report --vmlinux: {r.stderr.strip()[-600:]}"
    cpus = re.findall(r"^PID: \d+ .*CPU: (\d+)", r.stdout, re.M)
    assert "every CPU's backtrace" in r.stdout and sorted(set(cpus)) == ["0", "1"], \
        f"report --vmlinux shows CPUs {cpus}:\n{r.stdout[-1500:]}"

    img = cs.disk_read(disk, f"/var/lib/lifeboat/initramfs-{e['KVER']}.img.inputs") or ""
    packed = re.search(r"^packed=(\d+)", img, re.M)
    return {
        "initramfs_kib": f"{int(packed.group(1)) / 1024:.0f}" if packed else "n/a",
        "panic_to_capture_init": fmt(res.since("panic", "capture-init")),
        "capture_init_to_saved": fmt(res.since("capture-init", "dump-saved")),
        "saver_s": md.get("save_seconds"),
        "dump_mb": f"{int(md['vmcore_bytes']) / 1e6:.1f}",
    }


def test_capture_side_full_disk():
    """A target too full for the vmcore: the dmesg alone, said so, powered off.
    The target is an NVMe disk found by its label: the capture initramfs gets
    the NVMe driver, not virtio's."""
    need_lifeboat()
    work = lbvm.workdir("capture-side-full")
    conf = ("target = LABEL=lbroot\nmin_free = 8M\nfinal_action = poweroff\n"
            "failure_action = poweroff\n")
    res, disk = cs.run_cycle(work, conf, done_markers=("final-action",), fill_free_kib=16 * 1024,
                             bus="nvme")
    shutil.copy(res.log_path, os.path.join(lbvm.BUILD, "vm", "capture-side-full.serial.log"))
    tail = f"serial log tail ({res.log_path}):\n{res.tail(60)}"
    assert not res.timed_out, f"time limit reached; {tail}"
    for m in ("armed", "filled", "panic", "capture-init", "dmesg-only", "final-action"):
        assert m in res.markers, f"marker '{m}' never seen; {tail}"
    assert "dump-saved" not in res.markers, f"a vmcore was saved on a full disk; {tail}"
    built = res.marker_args.get("initramfs-built", "")
    assert "modules nvme ext4)" in built, f"the capture initramfs's modules: {built}"
    assert "powering off (failure_action" in res.marker_args["final-action"], \
        res.marker_args["final-action"]
    assert "makedumpfile --dry-run" in res.text(), f"no estimate was made; {tail}"

    names = dumps_on(disk)
    assert len(names) == 1 and re.fullmatch(r"\d{8}-\d{6}", names[0]), f"/var/crash holds {names}"
    d = f"/var/crash/{names[0]}"
    files = sorted(lbvm.disk_ls(disk, d))
    assert files == ["dmesg.txt", "metadata.txt"], f"{d} holds {files}: no vmcore, nothing partial"
    md = cs.meta(disk, d)
    assert md and md.get("status") == "dmesg-only", md
    assert md.get("reason", "").startswith("not enough space on the target"), md
    est, ram = int(md["estimate_bytes"]), int(md["ram_bytes"])
    assert 0 < est < ram // 4, f"the estimate ({est}) is not makedumpfile's ({ram} of RAM)"
    assert int(md["free_bytes"]) < est, md

    # What `lifeboat report` says about it, from a copy of the directory.
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        local = os.path.join(tmp, names[0])
        os.makedirs(local)
        for name in files:
            lbvm.disk_get(disk, f"{d}/{name}", os.path.join(local, name))
        r = subprocess.run([LIFEBOAT, "report", "--dir", tmp], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for want in ("dmesg-only", "reason:  not enough space on the target", PANIC,
                 "sysrq_handle_crash+"):
        assert want in r.stdout, f"the report lacks '{want}':\n{r.stdout}"
    return {"estimate_mb": f"{est / 1e6:.1f}", "free_mb": f"{int(md['free_bytes']) / 1e6:.1f}",
            "capture_init_to_saved": fmt(res.since("capture-init", "dmesg-only"))}


def test_capture_side_start_refusals():
    """The unit's command, at boot without a region (and region = boot) and
    with one too small, does not arm and says why, with the crashkernel= to
    boot with."""
    need_lifeboat()
    work = lbvm.workdir("capture-side-refusals")
    with open(os.path.join(lbvm.ROOT, "dumptools", "lifeboat.conf")) as f:
        # Without it, no region at boot means one taken at run time (test_runtime_region).
        conf = f.read() + "region = boot\n"
    base = cs.build_rootfs(work, conf, root_init=cs.START_ONLY_INIT)
    out = {}
    for name, append in (("small", "crashkernel=96M"), ("noregion", "")):
        disk = os.path.join(work, f"root-{name}.ext4")
        shutil.copy(base, disk)
        res = cs.run_start_only(work, disk, append, name)
        tail = f"serial log tail ({res.log_path}):\n{res.tail(40)}"
        assert not res.timed_out and "done" in res.markers, f"the boot did not finish; {tail}"
        said = cs.between(res, "start-begin", "start-end")
        assert res.marker_args.get("start-status") == "1", \
            f"{name}: the unit's command exited {res.marker_args.get('start-status')}:\n{said}"
        assert "LBSTATE armed" not in res.text(), f"{name}: armed anyway; {tail}"
        out[name] = said
    assert re.search(r"cannot arm: region too small \(have 96 MiB, need \d+ MiB\): "
                     r"boot with crashkernel=\d+M", out["small"]), \
        f"crashkernel=96M: no clear refusal:\n{out['small']}"
    assert re.search(r"cannot arm: no reserved region", out["noregion"]), \
        f"no region: no clear refusal:\n{out['noregion']}"
    need = re.search(r"need (\d+) MiB", out["small"]).group(1)
    return {"small_region_need_mib": need}
