/* SPDX-License-Identifier: GPL-2.0 */
/* The saver of the capture kernel: see saver.c. */
#ifndef LIFEBOAT_SAVER_H
#define LIFEBOAT_SAVER_H

#include "sys.h"

#define LB_PROC_VMCORE "/proc/vmcore"

/* Says one line on the console ("lifeboat: " + it); returns 1, as lb_error(). */
typedef int (*lb_say_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Saves the dump of vmcore (LB_PROC_VMCORE in the capture kernel) to the
 * target the configuration at conf_path names, telling the console through
 * say, then takes the configured action unless no_action or vmcore is
 * another file. Does not return when it reboots or powers off.
 * Return: the exit status, 0 when the dump is complete, else 1.
 */
int lb_saver_run(const char *conf_path, const char *vmcore, int no_action, lb_say_fn say);

#endif
