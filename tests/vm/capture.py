# SPDX-License-Identifier: GPL-2.0
"""
What the VM tests' capture chains share, in one place: the capture kernel's
command line, the capture initramfs (makedumpfile onto the dump disk), the
shell snippets a first kernel's init arms a capture path with (Linux's
kdump or Lifeboat), the files that go with them, and the readers of a
dump's headers (kdump-compressed and ELF): its notes, VMCOREINFO, kernel
offset and page bitmap.
"""
import fcntl
import os
import re
import struct

import lbvm

# The capture kernel's command line: one CPU, interrupts polled, devices reset.
CAPTURE_APPEND = "console=ttyS0 nr_cpus=1 irqpoll reset_devices"
# The one `lifeboat start` passes (machine/module.c).
START_APPEND = (CAPTURE_APPEND + " panic=10 cgroup_disable=memory"
                " initcall_blacklist=tracer_init_tracefs")

LIFEBOAT_BIN = os.path.join(lbvm.BUILD, "lifeboat")

# The capture side of the test bed's chains: mount the dump disk, run
# makedumpfile, report, power off.
CAPTURE_INIT = lbvm.INIT_PRELUDE + r"""
mark capture-init
load_modules
wait_for /dev/vda 100 || { mark capture-failed no-disk; poweroff -f; }
mount -t ext4 /dev/vda /mnt || { mark capture-failed mount; poweroff -f; }
ls -l /proc/vmcore > /dev/ttyS0 2>&1
mark makedumpfile
if makedumpfile -l -d 31 /proc/vmcore /mnt/vmcore.tmp > /dev/ttyS0 2>&1; then
	mv /mnt/vmcore.tmp /mnt/vmcore
	makedumpfile --dump-dmesg /proc/vmcore /mnt/dmesg.txt > /dev/null 2>&1
	sync
	mark dump-saved
else
	mark capture-failed makedumpfile
fi
umount /mnt
sync
mark done
poweroff -f
"""

_images = {}


def capture_image():
    """The capture initramfs for the current capture kernel (the guest's
    own or Lifeboat's), built once per run and kernel into
    build/vm/capture-image-<release>/capture.img. The
    modules run.py runs side by side share it: the first builds it under a
    lock, the others find it stamped with the run's id (LIFEBOAT_VM_RUN)."""
    k = lbvm.capture_kernel()
    kver = k["KVER"]
    if kver in _images and os.path.exists(_images[kver]):
        return _images[kver]
    d = os.path.join(lbvm.BUILD, "vm", f"capture-image-{kver}")
    os.makedirs(d, exist_ok=True)
    img, stamp = os.path.join(d, "capture.img"), os.path.join(d, "run")
    run_id = os.environ.get("LIFEBOAT_VM_RUN", f"pid {os.getpid()}")
    with open(os.path.join(d, "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(stamp) as f:
                fresh = f.read() == run_id and os.path.exists(img)
        except OSError:
            fresh = False
        if not fresh:
            # A VM of another module may be reading the one it replaces.
            tmp = f"{img}.{os.getpid()}"
            lbvm.build_initramfs(tmp, CAPTURE_INIT, bins=["/usr/bin/makedumpfile"],
                                 modules=lbvm.DISK_MODULES, kernel=k)
            os.replace(tmp, img)
            with open(stamp, "w") as f:
                f.write(run_id)
    _images[kver] = img
    return img


# Arming, in a first kernel's init; each ends with `kmark armed` and marks
# arm-failed with the reason otherwise. The kernel is /boot/vmlinuz, the
# capture initramfs /boot/capture.img.
KEXEC_ARM = r"""
kexec -p /boot/vmlinuz --initrd=/boot/capture.img --append="@APPEND@" > /dev/ttyS0 2>&1 \
	|| { mark arm-failed kexec; poweroff -f; }
[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] || { mark arm-failed not-loaded; poweroff -f; }
kmark armed
"""

LIFEBOAT_ARM = r"""
insmod /lib/lifeboat.ko @MODPARAMS@ > /dev/ttyS0 2>&1 || { mark arm-failed insmod; poweroff -f; }
cat /sys/kernel/lifeboat/region > /dev/ttyS0
lifeboat load --kernel /boot/vmlinuz --initrd /boot/capture.img --append "@APPEND@" @LOADARGS@ \
	> /dev/ttyS0 2>&1 || { mark arm-failed load; poweroff -f; }
lifeboat arm > /dev/ttyS0 2>&1 || { mark arm-failed arm; poweroff -f; }
state=$(cat /sys/kernel/lifeboat/state)
[ "$state" = armed ] || { mark arm-failed "state is '$state'"; poweroff -f; }
[ "$(cat /sys/kernel/kexec_crash_loaded)" = 0 ] || { mark arm-failed kexec-loaded; poweroff -f; }
cat /sys/kernel/lifeboat/image > /dev/ttyS0
kmark armed
"""


# The death the plain chains die of, after arming.
TRIGGER_SYSRQ = "kmark trigger\necho c > /proc/sysrq-trigger\n"


def kexec_arm(append=CAPTURE_APPEND):
    return KEXEC_ARM.replace("@APPEND@", append)


def lifeboat_arm(append=CAPTURE_APPEND, modparams="", load_args=""):
    return (LIFEBOAT_ARM.replace("@APPEND@", append).replace("@MODPARAMS@", modparams)
            .replace("@LOADARGS@", load_args))


def lifeboat_bins():
    """The lifeboat command for a first initramfs ("src:dest")."""
    return [f"{lbvm.need(LIFEBOAT_BIN, 'build/lifeboat (make)')}:/usr/bin/lifeboat"]


def first_files(capture=None, module=True):
    """The capture kernel (the guest's own or Lifeboat's) as /boot/vmlinuz,
    the capture initramfs as /boot/capture.img and (module) lifeboat.ko as
    /lib/lifeboat.ko."""
    k = lbvm.capture_kernel()
    files = [f"{k['VMLINUZ']}:/boot/vmlinuz", f"{capture or capture_image()}:/boot/capture.img"]
    if module:
        files.append(f"{lbvm.kmod('lifeboat.ko')}:/lib/lifeboat.ko")
    return files


# ---- dump readers ----

KDUMP_SIGNATURE = b"KDUMP   "
ELF_MAGIC = b"\x7fELF"
NT_PRSTATUS = 1


def kdump_header(f):
    """The fields of a kdump-compressed dump's header the test bed reads
    (struct disk_dump_header, then struct kdump_sub_header one block
    later), from an open file; None when it is not kdump-compressed.
    Raises ValueError when the header is cut short."""
    f.seek(0)
    head = f.read(4096)
    if head[:8] != KDUMP_SIGNATURE:
        return None
    if len(head) < 448:
        raise ValueError(f"the file ends inside its kdump header ({len(head)} bytes)")
    h = {"version": struct.unpack_from("<i", head, 8)[0]}
    h["block_size"], h["sub_hdr_size"], h["bitmap_blocks"] = struct.unpack_from("<iiI", head, 428)
    bs = h["block_size"]
    if bs > 0 and not bs & (bs - 1):
        f.seek(bs)
        sub = f.read(64)
        if len(sub) == 64:
            # phys_base, dump_level, split, start_pfn, end_pfn,
            # offset_vmcoreinfo, size_vmcoreinfo, offset_note, size_note
            (h["offset_vmcoreinfo"], h["size_vmcoreinfo"], h["offset_note"],
             h["size_note"]) = struct.unpack_from("<QQQQ", sub, 32)
    return h


def parse_notes(buf):
    """[(name, type, desc)] of an ELF note area."""
    notes, off = [], 0
    while off + 12 <= len(buf):
        namesz, descsz, ntype = struct.unpack_from("<III", buf, off)
        if namesz == 0 and descsz == 0 and ntype == 0:
            break
        off += 12
        name = buf[off:off + namesz].rstrip(b"\0").decode("ascii", "replace")
        off += (namesz + 3) & ~3
        if off + descsz > len(buf):
            break
        notes.append((name, ntype, buf[off:off + descsz]))
        off += (descsz + 3) & ~3
    return notes


def elf_segments(f):
    """[(p_type, p_offset, p_filesz)] of an ELF file's program headers."""
    f.seek(0)
    head = f.read(64)
    phoff, = struct.unpack_from("<Q", head, 32)
    phentsize, phnum = struct.unpack_from("<HH", head, 54)
    out = []
    for i in range(phnum):
        f.seek(phoff + i * phentsize)
        ptype, _, poff, _, _, filesz = struct.unpack("<IIQQQQ", f.read(40))
        out.append((ptype, poff, filesz))
    return out


def dump_notes(dump):
    """The ELF notes a dump holds: from the kdump-compressed sub-header
    (offset_note, size_note: header version 4 and later), or from the
    PT_NOTE segments of an ELF dump. Raises ValueError with a sentence."""
    with open(dump, "rb") as f:
        h = kdump_header(f)
        if h is not None:
            if h["version"] < 4:
                raise ValueError(f"the kdump header is version {h['version']}: it holds no notes")
            if not h.get("size_note"):
                raise ValueError("the kdump sub-header lists no notes")
            f.seek(h["offset_note"])
            buf = f.read(h["size_note"])
            if len(buf) != h["size_note"]:
                raise ValueError(f"the notes ({h['size_note']} bytes at {h['offset_note']}) "
                                 "lie past the end of the file")
            return parse_notes(buf)
        f.seek(0)
        if f.read(4) == ELF_MAGIC:
            notes = []
            for ptype, poff, filesz in elf_segments(f):
                if ptype == 4:  # PT_NOTE
                    f.seek(poff)
                    notes += parse_notes(f.read(filesz))
            return notes
    raise ValueError("the dump is neither kdump-compressed nor ELF")


def vmcoreinfo(notes):
    """VMCOREINFO's KEY=value lines of a dump's notes, as a dict."""
    for name, ntype, desc in notes:
        if name == "VMCOREINFO":
            return dict(re.findall(r"^(\w+(?:\([\w.]+\))?)=(.*)$",
                                   desc.decode("ascii", "replace"), re.M))
    return {}


def kernel_offset(dump):
    """KERNELOFFSET from the VMCOREINFO of a kdump-compressed dump, or None."""
    with open(dump, "rb") as f:
        h = kdump_header(f)
        if h is None or "offset_vmcoreinfo" not in h:
            return None
        f.seek(h["offset_vmcoreinfo"])
        text = f.read(h["size_vmcoreinfo"]).decode("ascii", "replace")
    m = re.search(r"^KERNELOFFSET=([0-9a-f]+)$", text, re.M)
    return int(m.group(1), 16) if m else None


def dumped_pages_from(dump, first_pfn):
    """How many pages at or above first_pfn a kdump-compressed dump holds:
    the set bits of its second bitmap (pages dumped), one bit per pfn."""
    with open(dump, "rb") as f:
        h = kdump_header(f)
        half = h["bitmap_blocks"] * h["block_size"] // 2
        f.seek((1 + h["sub_hdr_size"]) * h["block_size"] + half + first_pfn // 8)
        return sum(bin(b).count("1") for b in f.read(max(0, half - first_pfn // 8)))
