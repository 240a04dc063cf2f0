// SPDX-License-Identifier: GPL-2.0
/*
 * ELF notes: the VMCOREINFO note of the running kernel, checked and copied
 * at load time, and the two helpers the panic path calls to fill the notes
 * the dump tools read: a CPU's NT_PRSTATUS and the CRASHTIME line of
 * VMCOREINFO. The panic-time helpers run in NMI context on a dead kernel:
 * they take no lock, allocate nothing and call nothing but memcpy, memset
 * and snprintf.
 *
 * A note is a 12-byte header {namesz, descsz, type}, the name padded to 4
 * bytes, the descriptor padded to 4 bytes; a note list ends with an all-zero
 * header.
 */
#include "internal.h"

enum {
	VMCOREINFO_NAMESZ = 11,			/* "VMCOREINFO" and its NUL */
	VMCOREINFO_DESC_OFF = 24,		/* 12 + the name padded to 12 */
	PRSTATUS_NAMESZ = 5,			/* "CORE" and its NUL */
	PRSTATUS_DESC_OFF = 20,			/* 12 + the name padded to 8 */
	PRSTATUS_PID_OFF = 32,			/* pr_pid in elf_prstatus */
	PRSTATUS_REG_OFF = 112,			/* pr_reg in elf_prstatus */
	CRASHTIME_MAX = 40,			/* "CRASHTIME=" + 20 digits + "\n" */
};

static lb_u64 align4(lb_u64 x)
{
	return LB_ALIGN_UP(x, 4);
}

/*
 * Checks a VMCOREINFO note header without reporting anything: the panic
 * path uses it too. Sets *need to the bytes of header, name and padded text.
 */
static bool vmcoreinfo_header_ok(const lb_u8 *p, lb_u64 len, lb_u64 *need)
{
	static const char name[VMCOREINFO_NAMESZ] = "VMCOREINFO";
	unsigned int i;

	if (!p || len < VMCOREINFO_DESC_OFF)
		return false;
	if (lb_get32(p) != VMCOREINFO_NAMESZ || lb_get32(p + 8) != 0)
		return false;
	for (i = 0; i < VMCOREINFO_NAMESZ; i++)
		if (p[LB_NHDR_SIZE + i] != (lb_u8)name[i])
			return false;
	*need = VMCOREINFO_DESC_OFF + align4(lb_get32(p + 4));
	return true;
}

/**
 * lb_vmcoreinfo_check() - Check the running kernel's VMCOREINFO note.
 * @note: the note, header first
 * @len: bytes readable at @note
 * @err: error context, may be NULL
 *
 * The note must be named "VMCOREINFO", of type 0, fit in @len, and leave
 * room in our LB_VMCOREINFO_BUF_SIZE copy for a terminator.
 *
 * Context: any; no allocation.
 * Return: 0, or -EINVAL with @err filled.
 */
int lb_vmcoreinfo_check(const void *note, lb_u64 len, struct lb_err *err)
{
	const lb_u8 *p = note;
	lb_u64 need;

	if (!p || len < VMCOREINFO_DESC_OFF)
		return lb_err_set(err, EINVAL,
				  "VMCOREINFO: note of %llu bytes is shorter than its header",
				  (unsigned long long)len);
	if (!vmcoreinfo_header_ok(p, len, &need))
		return lb_err_set(err, EINVAL,
				  "VMCOREINFO: not a VMCOREINFO note (namesz %u, type %u)",
				  lb_get32(p), lb_get32(p + 8));
	if (need > len)
		return lb_err_set(err, EINVAL,
				  "VMCOREINFO: text of %u bytes runs past the %llu bytes given",
				  lb_get32(p + 4), (unsigned long long)len);
	if (need + LB_NHDR_SIZE > LB_VMCOREINFO_BUF_SIZE)
		return lb_err_set(err, EINVAL,
				  "VMCOREINFO: text of %u bytes does not fit in the %d-byte copy",
				  lb_get32(p + 4), LB_VMCOREINFO_BUF_SIZE);
	return 0;
}

/**
 * lb_vmcoreinfo_copy() - Copy a checked VMCOREINFO note.
 * @dst: the zeroed LB_VMCOREINFO_BUF_SIZE-byte copy
 * @note: a note that passed lb_vmcoreinfo_check()
 *
 * Copies header, name and text; the zeroed bytes after them are the padding
 * and the terminator.
 *
 * Context: any; no allocation.
 */
void lb_vmcoreinfo_copy(lb_u8 *dst, const void *note)
{
	const lb_u8 *p = note;

	memcpy(dst, p, VMCOREINFO_DESC_OFF + (lb_u64)lb_get32(p + 4));
}

/**
 * lb_note_write_prstatus() - Write a CPU's NT_PRSTATUS note.
 * @buf: the CPU's LB_NOTE_BUF_SIZE-byte note buffer
 * @pid: the task that ran on the CPU
 * @regs: its registers, in struct user_regs_struct order
 *
 * Writes the header {5, 336, NT_PRSTATUS}, "CORE" padded to 8 bytes, an
 * elf_prstatus with only pr_pid and pr_reg set (pr_fpvalid 0), and the
 * all-zero terminator, so that crash finds the registers at the end of the
 * descriptor.
 *
 * Context: panic or NMI; no allocation, no locks.
 */
void lb_note_write_prstatus(void *buf, lb_u32 pid,
			    const lb_u64 regs[LB_NR_REGS])
{
	lb_u8 *p = buf, *desc = p + PRSTATUS_DESC_OFF;
	unsigned int i;

	memset(p, 0, LB_NOTE_BUF_SIZE);
	lb_put32(p, PRSTATUS_NAMESZ);
	lb_put32(p + 4, LB_PRSTATUS_SIZE);
	lb_put32(p + 8, LB_NT_PRSTATUS);
	memcpy(p + LB_NHDR_SIZE, "CORE", 4);
	lb_put32(desc + PRSTATUS_PID_OFF, pid);
	for (i = 0; i < LB_NR_REGS; i++)
		lb_put64(desc + PRSTATUS_REG_OFF + i * 8, regs[i]);
}

/**
 * lb_vmcoreinfo_add_crashtime() - Append CRASHTIME to the VMCOREINFO copy.
 * @buf: the note, header first
 * @cap: bytes available at @buf
 * @seconds: the time of the crash, seconds since the epoch
 *
 * Appends "CRASHTIME=<seconds>\n" to the text, updates n_descsz and writes
 * a new terminator after it.
 *
 * Context: panic or NMI; no allocation, no locks.
 * Return: 0; -ENOSPC if the line and terminator do not fit in @cap, or
 * -EINVAL if @seconds is 0 or @buf does not hold a VMCOREINFO note that
 * fits in @cap; the note is left untouched on error.
 */
int lb_vmcoreinfo_add_crashtime(void *buf, lb_u64 cap, lb_u64 seconds)
{
	lb_u8 *p = buf, *text;
	char line[CRASHTIME_MAX];
	lb_u64 n, end, need;
	lb_u32 descsz;

	/* makedumpfile rejects a dump whose CRASHTIME is 0. */
	if (!seconds || !vmcoreinfo_header_ok(p, cap, &need) || need > cap)
		return -EINVAL;
	descsz = lb_get32(p + 4);
	n = (lb_u64)snprintf(line, sizeof(line), "CRASHTIME=%llu\n",
			     (unsigned long long)seconds);
	end = VMCOREINFO_DESC_OFF + align4((lb_u64)descsz + n);
	if (n >= sizeof(line) || end + LB_NHDR_SIZE > cap ||
	    (lb_u64)descsz + n > 0xffffffffULL)
		return -ENOSPC;
	text = p + VMCOREINFO_DESC_OFF + descsz;
	memcpy(text, line, n);
	/* Padding up to 4 bytes, then the terminator. */
	memset(text + n, 0, end + LB_NHDR_SIZE - (VMCOREINFO_DESC_OFF + descsz + n));
	lb_put32(p + 4, (lb_u32)(descsz + n));
	return 0;
}
