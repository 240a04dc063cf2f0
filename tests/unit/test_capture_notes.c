// SPDX-License-Identifier: GPL-2.0
/*
 * The notes: NT_PRSTATUS byte offsets (checked against glibc's struct
 * elf_prstatus), the VMCOREINFO copy and its checks, CRASHTIME, and a whole
 * simulated panic read back the way /proc/vmcore does: the ELF header at
 * offset 0 of a file whose other offsets are physical addresses, notes
 * walked with libelf's gelf_getnote() at each PT_NOTE's p_offset.
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/user.h>
#include <unistd.h>

#include "data/capture_fixture.h"
#include "unit.h"

static void regs_for(uint64_t regs[LB_NR_REGS], unsigned int cpu)
{
	unsigned int i;

	for (i = 0; i < LB_NR_REGS; i++)
		regs[i] = 0x1111111111111111ULL * (i % 15 + 1) + cpu;
	regs[LB_RIP] = 0xffffffff81234567ULL + cpu;
	regs[LB_RSP] = 0xffffc90000abcde8ULL + cpu;
}

START_TEST(notes_prstatus_layout)
{
	uint8_t buf[368 + 16];
	uint64_t regs[LB_NR_REGS];
	struct elf_prstatus pr;
	struct user_regs_struct ur;

	/* glibc's layout is the kernel's: an independent check of the numbers. */
	ck_assert_uint_eq(sizeof(struct elf_prstatus), 336);
	ck_assert_uint_eq(offsetof(struct elf_prstatus, pr_pid), 32);
	ck_assert_uint_eq(offsetof(struct elf_prstatus, pr_reg), 112);
	ck_assert_uint_eq(sizeof(ur), LB_NR_REGS * 8);

	memset(buf, 0xee, sizeof(buf));
	regs_for(regs, 3);
	/* An odd address: the buffers are only 4-byte aligned. */
	lb_note_write_prstatus(buf + 4, 4242, regs);
	ck_assert_uint_eq(buf[0], 0xee);
	ck_assert_uint_eq(buf[4 + 368], 0xee);
	ck_assert_uint_eq(cap_get32(buf + 4 + 0), 5);
	ck_assert_uint_eq(cap_get32(buf + 4 + 4), 336);
	ck_assert_uint_eq(cap_get32(buf + 4 + 8), 1);		/* NT_PRSTATUS */
	ck_assert_int_eq(memcmp(buf + 4 + 12, "CORE\0\0\0\0", 8), 0);
	ck_assert_uint_eq(cap_get64(buf + 4 + 260), regs[LB_RIP]);
	ck_assert_uint_eq(cap_get64(buf + 4 + 284), regs[LB_RSP]);
	ck_assert_uint_eq(cap_get32(buf + 4 + 20 + 32), 4242);
	ck_assert_uint_eq(cap_get32(buf + 4 + 20 + 328), 0);	/* pr_fpvalid */
	for (unsigned int i = 356; i < 368; i++)
		ck_assert_uint_eq(buf[4 + i], 0);			/* terminator */

	memcpy(&pr, buf + 4 + 20, sizeof(pr));
	memcpy(&ur, pr.pr_reg, sizeof(ur));
	ck_assert_int_eq(pr.pr_pid, 4242);
	ck_assert_int_eq(pr.pr_fpvalid, 0);
	ck_assert_int_eq(pr.pr_cursig, 0);
	ck_assert_uint_eq(ur.rip, regs[LB_RIP]);
	ck_assert_uint_eq(ur.rsp, regs[LB_RSP]);
	ck_assert_uint_eq(ur.r15, regs[LB_R15]);
	ck_assert_uint_eq(ur.rax, regs[LB_RAX]);
	ck_assert_uint_eq(ur.orig_rax, regs[LB_ORIG_RAX]);
	ck_assert_uint_eq(ur.eflags, regs[LB_EFLAGS]);
	ck_assert_uint_eq(ur.cs, regs[LB_CS]);
	ck_assert_uint_eq(ur.ss, regs[LB_SS]);
	ck_assert_uint_eq(ur.fs_base, regs[LB_FS_BASE]);
	ck_assert_uint_eq(ur.gs_base, regs[LB_GS_BASE]);
	ck_assert_uint_eq(ur.gs, regs[LB_GS]);
	/* crash finds pr_reg at "end of desc - 216 - 8". */
	ck_assert_uint_eq(cap_get64(buf + 4 + 20 + 336 - 216 - 8), regs[LB_R15]);
}
END_TEST

/* A VMCOREINFO note with the given text, in an exact-size buffer. */
static uint8_t *vmcoreinfo_note(const char *text, size_t cap)
{
	uint8_t *n = calloc(1, cap);
	size_t len = strlen(text);

	ck_assert_ptr_nonnull(n);
	n[0] = 11;
	n[4] = (uint8_t)len;
	n[5] = (uint8_t)(len >> 8);
	memcpy(n + 12, "VMCOREINFO", 11);
	memcpy(n + 24, text, len);
	return n;
}

START_TEST(notes_crashtime)
{
	const char *text = "OSRELEASE=6.1.0\nPAGESIZE=4096\n";	/* 30 bytes */
	size_t need = 24 + 32 + 12;
	uint8_t *n = vmcoreinfo_note(text, 4096), *before = malloc(4096);
	uint32_t descsz;

	ck_assert_int_eq(lb_vmcoreinfo_add_crashtime(n, 4096, 1700000000), 0);
	descsz = cap_get32(n + 4);
	ck_assert_uint_eq(descsz, 30 + 21);
	ck_assert_int_eq(memcmp(n + 24, "OSRELEASE=6.1.0\nPAGESIZE=4096\nCRASHTIME=1700000000\n",
				descsz), 0);
	/* Padding and a zero terminator after the text. */
	for (size_t i = 24 + descsz; i < 24 + ((descsz + 3) & ~3u) + 12; i++)
		ck_assert_uint_eq(n[i], 0);
	free(n);

	/* Exactly enough room for "CRASHTIME=1\n", padding and terminator. */
	n = vmcoreinfo_note(text, need + 12);
	ck_assert_int_eq(lb_vmcoreinfo_add_crashtime(n, need + 12, 1), 0);
	ck_assert_uint_eq(cap_get32(n + 4), 30 + 12);
	free(n);

	/* One byte short for a 21-byte line: -ENOSPC, nothing changed. */
	n = vmcoreinfo_note(text, need + 19);
	memcpy(before, n, need + 19);
	ck_assert_int_eq(lb_vmcoreinfo_add_crashtime(n, need + 19, 1700000000), -ENOSPC);
	ck_assert_int_eq(memcmp(before, n, need + 19), 0);
	free(n);
	n = vmcoreinfo_note(text, need + 20);
	ck_assert_int_eq(lb_vmcoreinfo_add_crashtime(n, need + 20, 1700000000), 0);
	free(n);

	/* Zero seconds would make makedumpfile reject the dump; a bad note too. */
	n = vmcoreinfo_note(text, 4096);
	memcpy(before, n, 4096);
	ck_assert_int_eq(lb_vmcoreinfo_add_crashtime(n, 4096, 0), -EINVAL);
	n[12] = 'v';
	ck_assert_int_eq(lb_vmcoreinfo_add_crashtime(n, 4096, 5), -EINVAL);
	n[12] = 'V';
	ck_assert_int_eq(lb_vmcoreinfo_add_crashtime(n, 20, 5), -EINVAL);
	ck_assert_int_eq(lb_vmcoreinfo_add_crashtime(n, 40, 5), -EINVAL);
	ck_assert_int_eq(memcmp(before, n, 4096), 0);
	/* Appending until full: always bounded, ends with -ENOSPC. */
	while (lb_vmcoreinfo_add_crashtime(n, 4096, 18446744073709551615ULL) == 0)
		ck_assert_uint_le(24 + cap_get32(n + 4) + 12, 4096);
	ck_assert_uint_gt(cap_get32(n + 4), 4000);
	free(n);
	free(before);
}
END_TEST

static void build_with_vmcoreinfo(struct cap_build *b, struct cap_machine *cm)
{
	uint8_t *k = cap_fake_bzimage(0x3000, (uint32_t)MiB(16));

	cap_build(b, &cm->m, k, 0x3000, NULL, 0, "");
	free(k);
}

START_TEST(notes_vmcoreinfo_copy_and_checks)
{
	struct cap_machine cm;
	struct cap_build b;
	const uint8_t *v;
	uint32_t descsz;
	uint8_t *big;
	int i;

	cap_machine_crashkernel(&cm, false);
	build_with_vmcoreinfo(&b, &cm);
	ck_assert_msg(b.ret == 0, "%s", b.err.msg);
	v = cap_meta_at(&b, b.img.vmcoreinfo_pa);
	descsz = (uint32_t)strlen(CAP_VMCOREINFO_TEXT);
	ck_assert_int_eq(memcmp(v, cm.vmcoreinfo, 24 + descsz), 0);
	for (i = 24 + (int)descsz; i < 8192; i++)
		ck_assert_uint_eq(v[i], 0);
	/* CRASHTIME on the copy in place, as the panic path does. */
	ck_assert_int_eq(lb_vmcoreinfo_add_crashtime(b.meta + b.img.vmcoreinfo_off, 8192,
						     1700000001), 0);
	ck_assert_uint_eq(cap_get32(v + 4), descsz + 21);
	cap_build_free(&b);

	/* Malformed notes from the machine: -EINVAL with a sentence. */
	for (i = 0; i < 6; i++) {
		cap_machine_crashkernel(&cm, false);
		switch (i) {
		case 0: cm.vmcoreinfo[0] = 10; break;			/* namesz */
		case 1: cm.vmcoreinfo[8] = 1; break;			/* type */
		case 2: cm.vmcoreinfo[14] = 'x'; break;			/* name */
		case 3: cm.vmcoreinfo[5] = 1; break;			/* descsz past len */
		case 4: cm.m.vmcoreinfo_len = 23; break;
		case 5: cm.m.vmcoreinfo = NULL; break;
		}
		ck_assert_uint_eq(lb_image_meta_size(&cm.m), 0);
		build_with_vmcoreinfo(&b, &cm);
		ck_assert_msg(b.ret == -EINVAL, "case %d: %d %s", i, b.ret, b.err.msg);
		ck_assert_msg(strncmp(b.err.msg, "VMCOREINFO: ", 12) == 0, "case %d: %s", i,
			      b.err.msg);
		cap_build_free(&b);
	}

	/* Text that fits the source but not our 8192-byte copy. */
	big = calloc(1, 9000);
	memcpy(big, cm.vmcoreinfo, 24);
	big[0] = 11;
	big[4] = (uint8_t)(8200 & 0xff);
	big[5] = (uint8_t)(8200 >> 8);
	memcpy(big + 12, "VMCOREINFO", 11);
	cap_machine_crashkernel(&cm, false);
	cm.m.vmcoreinfo = big;
	cm.m.vmcoreinfo_len = 9000;
	build_with_vmcoreinfo(&b, &cm);
	ck_assert_int_eq(b.ret, -EINVAL);
	ck_assert_msg(strstr(b.err.msg, "does not fit in the 8192-byte copy"), "%s", b.err.msg);
	cap_build_free(&b);
	/* The largest that fits: 8192 - 24 - 12. */
	big[4] = (uint8_t)(8156 & 0xff);
	big[5] = (uint8_t)(8156 >> 8);
	build_with_vmcoreinfo(&b, &cm);
	ck_assert_msg(b.ret == 0, "%s", b.err.msg);
	ck_assert_int_eq(lb_vmcoreinfo_add_crashtime(b.meta + b.img.vmcoreinfo_off, 8192, 7),
			 -ENOSPC);
	cap_build_free(&b);
	free(big);
}
END_TEST

/*
 * After a simulated panic (each CPU's note written, CRASHTIME appended),
 * read old memory the way vmcore does: the ELF header, then p_offset as a
 * physical address. A sparse file stands in for physical memory.
 */
START_TEST(notes_vmcore_walk)
{
	struct cap_machine cm;
	struct cap_build b;
	uint64_t regs[LB_NR_REGS];
	char path[] = "/tmp/lifeboat-capture-XXXXXX";
	unsigned int cpu, nr_notes = 0, nr_prstatus = 0, nr_vmcoreinfo = 0;
	size_t phnum, i, off, name_off, desc_off;
	GElf_Phdr ph;
	GElf_Nhdr nh;
	Elf_Data *d;
	Elf *elf;
	int fd;

	cap_machine_memmap(&cm, false);
	cm.m.nr_cpus = 6;
	build_with_vmcoreinfo(&b, &cm);
	ck_assert_msg(b.ret == 0, "%s", b.err.msg);
	/* CPU 4 never answered the NMI: its buffer stays empty. */
	for (cpu = 0; cpu < 6; cpu++) {
		if (cpu == 4)
			continue;
		regs_for(regs, cpu);
		lb_note_write_prstatus(b.meta + b.img.notes_off + cpu * 368, 100 + cpu, regs);
	}
	ck_assert_int_eq(lb_vmcoreinfo_add_crashtime(b.meta + b.img.vmcoreinfo_off, 8192,
						     1712345678), 0);

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(ftruncate(fd, (off_t)(b.img.meta_pa + b.img.meta_len)), 0);
	/* The ELF header, after the jump stamp's page, at the file's start. */
	ck_assert_int_eq(pwrite(fd, b.meta + (b.img.elfcorehdr_pa - b.img.meta_pa),
				b.img.elfcorehdr_len, 0),
			 (ssize_t)b.img.elfcorehdr_len);
	ck_assert_int_eq(pwrite(fd, b.meta, b.img.meta_len, (off_t)b.img.meta_pa),
			 (ssize_t)b.img.meta_len);

	ck_assert_uint_ne(elf_version(EV_CURRENT), EV_NONE);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	ck_assert_msg(elf, "elf_begin: %s", elf_errmsg(-1));
	ck_assert_int_eq(elf_getphdrnum(elf, &phnum), 0);
	for (i = 0; i < phnum; i++) {
		ck_assert_ptr_nonnull(gelf_getphdr(elf, (int)i, &ph));
		if (ph.p_type != PT_NOTE)
			continue;
		d = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_NHDR);
		ck_assert_msg(d, "PT_NOTE %zu: %s", i, elf_errmsg(-1));
		/* Like vmcore: walk until a note with n_namesz 0. */
		for (off = 0; (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0;) {
			const char *name = (const char *)d->d_buf + name_off;
			const uint8_t *desc = (const uint8_t *)d->d_buf + desc_off;

			if (!nh.n_namesz)
				break;
			nr_notes++;
			if (nh.n_type == NT_PRSTATUS && nh.n_namesz == 5 &&
			    !strcmp(name, "CORE")) {
				struct elf_prstatus pr;
				struct user_regs_struct ur;

				ck_assert_uint_eq(nh.n_descsz, sizeof(pr));
				memcpy(&pr, desc, sizeof(pr));
				memcpy(&ur, pr.pr_reg, sizeof(ur));
				cpu = (unsigned int)i;		/* notes follow CPU order */
				ck_assert_int_eq(pr.pr_pid, 100 + (int)cpu);
				regs_for(regs, cpu);
				ck_assert_uint_eq(ur.rip, regs[LB_RIP]);
				ck_assert_uint_eq(ur.rsp, regs[LB_RSP]);
				nr_prstatus++;
			} else if (nh.n_type == 0 && nh.n_namesz == 11 &&
				   !strcmp(name, "VMCOREINFO")) {
				const char *t = (const char *)desc;

				ck_assert_uint_eq(i, cm.m.nr_cpus);
				ck_assert_int_eq(strncmp(t, CAP_VMCOREINFO_TEXT,
							 strlen(CAP_VMCOREINFO_TEXT)), 0);
				ck_assert_uint_eq(nh.n_descsz, strlen(CAP_VMCOREINFO_TEXT) +
						  strlen("CRASHTIME=1712345678\n"));
				ck_assert_int_eq(memcmp(t + nh.n_descsz - 21,
							"CRASHTIME=1712345678\n", 21), 0);
				nr_vmcoreinfo++;
			} else {
				ck_abort_msg("unexpected note %u in PT_NOTE %zu", nh.n_type, i);
			}
		}
	}
	ck_assert_uint_eq(nr_prstatus, 5);
	ck_assert_uint_eq(nr_vmcoreinfo, 1);
	ck_assert_uint_eq(nr_notes, 6);
	elf_end(elf);
	close(fd);
	cap_build_free(&b);
}
END_TEST

/* The jump stamp the panic path writes at the region's start (lifeboat/stamp.h). */
START_TEST(notes_jump_stamp)
{
	struct lb_jump_stamp s, zero;
	unsigned char raw[sizeof(s)];
	size_t i;

	memset(&zero, 0, sizeof(zero));
	ck_assert(!lb_jump_stamp_valid(&zero));
	lb_jump_stamp_fill(&s, 1764547200ULL, 3, 0x0123456789abcdefULL);
	ck_assert(lb_jump_stamp_valid(&s));
	memcpy(raw, &s, sizeof(s));
	/* Little-endian "LBJS" first, then the version. */
	ck_assert_mem_eq(raw, "LBJS\x01\0\0\0", 8);
	ck_assert_uint_eq(s.time, 1764547200ULL);
	ck_assert_uint_eq(s.cpu, 3);
	/* Any bit flipped anywhere spoils it. */
	for (i = 0; i < sizeof(raw) * 8; i++) {
		struct lb_jump_stamp t;

		memcpy(&t, raw, sizeof(t));
		((unsigned char *)&t)[i / 8] ^= (unsigned char)(1 << (i % 8));
		ck_assert_msg(!lb_jump_stamp_valid(&t), "bit %zu flipped still valid", i);
	}
	/* Another cookie, another sum. */
	lb_jump_stamp_fill(&zero, 1764547200ULL, 3, 0x0123456789abcdeeULL);
	ck_assert_uint_ne(zero.sum, s.sum);
}
END_TEST

static Suite *capture_notes_suite(void)
{
	Suite *s = suite_create("capture_notes");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, notes_prstatus_layout);
	tcase_add_test(tc, notes_crashtime);
	tcase_add_test(tc, notes_vmcoreinfo_copy_and_checks);
	tcase_add_test(tc, notes_vmcore_walk);
	tcase_add_test(tc, notes_jump_stamp);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(capture_notes_suite)
