// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for builder/lib/region_param.c: the input, made a
 * NUL-terminated string in a buffer of its exact size (so AddressSanitizer
 * sees any read past the NUL), is the module parameter region=. A region
 * accepted is made of non-zero multiples of 4 KiB that do not wrap past
 * 2^64, and reads back the same when written as SIZE@START in hex, in
 * decimal and with a K suffix; a refusal comes with a sentence.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifeboat/region_param.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

static void same_again(const char *text, lb_u64 start, lb_u64 size)
{
	lb_u64 s2, z2;

	check(lb_region_param_parse(text, &s2, &z2, NULL) == 0);
	check(s2 == start && z2 == size);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *param, text[64];
	const char *end;
	struct lb_err err;
	lb_u64 start, len;
	int ret;

	if (size > 4096)
		return 0;
	param = malloc(size + 1);
	if (!param)
		return 0;
	memcpy(param, data, size);
	param[size] = '\0';

	(void)lb_memparse(param, &end);
	check(end >= param && end <= param + strlen(param));

	err.msg[0] = '\0';
	ret = lb_region_param_parse(param, &start, &len, &err);
	if (ret) {
		check(ret == -EINVAL && err.msg[0]);
	} else {
		check(len && !(len % 4096) && !(start % 4096));
		check(start + len > start);
		snprintf(text, sizeof(text), "0x%" PRIx64 "@0x%" PRIx64, len, start);
		same_again(text, start, len);
		snprintf(text, sizeof(text), "%" PRIu64 "@%" PRIu64 "\n", len, start);
		same_again(text, start, len);
		snprintf(text, sizeof(text), "%" PRIu64 "K@%" PRIu64 "k", len >> 10,
			 start >> 10);
		same_again(text, start, len);
	}
	free(param);
	return 0;
}
