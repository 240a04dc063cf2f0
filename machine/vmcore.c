// SPDX-License-Identifier: GPL-2.0
/*
 * What the saver needs to know about /proc/vmcore before it writes anything:
 * how much RAM the dead kernel had (the PT_LOAD segments) and its VMCOREINFO
 * note (release, crash time, page size). Read with libelf; the headers come
 * from a crashed machine, so every size is checked by libelf's accessors.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include "vmcore.h"

int lb_vmcore_read(const char *path, struct lb_vmcore_facts *ret, struct lb_err *err)
{
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		memset(ret, 0, sizeof(*ret));
		ret->info.crash_time = -1;
		return lb_err_set(err, errno, "cannot open '%s': %s", path, strerror(errno));
	}
	rc = lb_vmcore_read_fd(fd, path, ret, err);
	close(fd);
	return rc;
}

int lb_vmcore_read_fd(int fd, const char *path, struct lb_vmcore_facts *ret, struct lb_err *err)
{
	size_t phnum, i;
	Elf *elf;
	int rc = 0, have_info = 0;

	memset(ret, 0, sizeof(*ret));
	ret->info.crash_time = -1;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return lb_err_set(err, EINVAL, "libelf: %s", elf_errmsg(-1));
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		rc = lb_err_set(err, EINVAL, "'%s' is not an ELF core: %s", path, elf_errmsg(-1));
		goto out_end;
	}
	if (elf_getphdrnum(elf, &phnum)) {
		rc = lb_err_set(err, EINVAL, "'%s': no program headers: %s", path, elf_errmsg(-1));
		goto out_end;
	}
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph)) {
			rc = lb_err_set(err, EINVAL, "'%s': program header %zu: %s", path, i,
					elf_errmsg(-1));
			goto out_end;
		}
		if (ph.p_type == PT_LOAD) {
			ret->ram_bytes += ph.p_memsz;
			ret->nr_loads++;
		} else if (ph.p_type == PT_NOTE && !have_info && ph.p_filesz) {
			Elf_Data *d = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz,
							   ELF_T_NHDR);
			size_t off = 0, name_off, desc_off;
			GElf_Nhdr nh;

			if (!d)
				continue;
			while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
				if (nh.n_namesz == sizeof("VMCOREINFO") &&
				    !memcmp((const char *)d->d_buf + name_off, "VMCOREINFO",
					    sizeof("VMCOREINFO"))) {
					lb_vmcoreinfo_parse((const char *)d->d_buf + desc_off,
							    nh.n_descsz, &ret->info);
					have_info = 1;
					break;
				}
			}
		}
	}
	if (!ret->nr_loads)
		rc = lb_err_set(err, EINVAL, "'%s' has no memory segments (PT_LOAD)", path);
out_end:
	elf_end(elf);
	return rc;
}
