// SPDX-License-Identifier: GPL-2.0
/*
 * Files, processes and the configuration file for the capture-side
 * commands. See sys.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kmod.h"
#include "sys.h"

enum { LB_CONF_MAX = 1 << 20 };

int lb_conf_load(const char *path, int must_exist, struct lb_conf *conf, struct lb_err *err)
{
	struct lb_conf tmp;
	char *buf;
	size_t len;
	int ret;

	lb_conf_defaults(&tmp);
	ret = lb_read_file(path, LB_CONF_MAX, &buf, &len);
	if (ret == -ENOENT && !must_exist) {
		*conf = tmp;
		return 0;
	}
	if (ret)
		return lb_err_set(err, -ret, "cannot read '%s': %s", path, strerror(-ret));
	ret = lb_conf_parse(&tmp, buf, len, path, err);
	free(buf);
	if (!ret)
		*conf = tmp;
	return ret;
}

int lb_fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

static void parent_of(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, len, ".");
	else if (slash == path)
		snprintf(out, len, "/");
	else
		snprintf(out, len, "%.*s", (int)(slash - path), path);
}

int lb_write_file(const char *path, const void *buf, size_t len)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *p = buf;
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return ret;
	}
	parent_of(path, dir, sizeof(dir));
	return lb_fsync_path(dir);
}

int lb_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		buf[i] = path[i];
	}
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) ? -1 : 0;
	return unlink(path) ? -1 : 0;
}

int lb_rm_rf(const char *path)
{
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) ? -errno : 0;
}

unsigned long long lb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

int lb_find_exe(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	const char *p;

	if (strchr(name, '/')) {
		if (access(name, X_OK))
			return -errno;
		return snprintf(buf, len, "%s", name) >= (int)len ? -ENAMETOOLONG : 0;
	}
	if (!path || !*path)
		path = "/usr/sbin:/usr/bin:/sbin:/bin";
	for (p = path; *p;) {
		size_t n = strcspn(p, ":");

		if (n && snprintf(buf, len, "%.*s/%s", (int)n, p, name) < (int)len &&
		    !access(buf, X_OK))
			return 0;
		p += n;
		if (*p == ':')
			p++;
	}
	return -ENOENT;
}

int lb_self_exe(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* Keeps the tail of what a child printed: the end is where the error is. */
static void keep_tail(char *out, size_t outlen, size_t *used, const char *buf, size_t n)
{
	if (n >= outlen - 1) {
		memcpy(out, buf + n - (outlen - 1), outlen - 1);
		*used = outlen - 1;
	} else if (*used + n > outlen - 1) {
		size_t drop = *used + n - (outlen - 1);

		memmove(out, out + drop, *used - drop);
		*used -= drop;
		memcpy(out + *used, buf, n);
		*used += n;
	} else {
		memcpy(out + *used, buf, n);
		*used += n;
	}
	out[*used] = '\0';
}

int lb_run(const char *const argv[], char *out, size_t outlen, int echo)
{
	char exe[PATH_MAX];
	int pipefd[2] = { -1, -1 }, status, ret;
	size_t used = 0;
	pid_t pid;

	ret = lb_find_exe(argv[0], exe, sizeof(exe));
	if (ret)
		return ret;
	if (out) {
		if (!outlen)
			return -EINVAL;
		out[0] = '\0';
		if (pipe2(pipefd, O_CLOEXEC))
			return -errno;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		if (out) {
			close(pipefd[0]);
			close(pipefd[1]);
		}
		return ret;
	}
	if (!pid) {
		if (out) {
			dup2(pipefd[1], STDOUT_FILENO);
			dup2(pipefd[1], STDERR_FILENO);
		}
		signal(SIGPIPE, SIG_DFL);
		execv(exe, (char *const *)argv);
		fprintf(stderr, "lifeboat: cannot run '%s': %s\n", exe, strerror(errno));
		_exit(127);
	}
	if (out) {
		char buf[4096];

		close(pipefd[1]);
		for (;;) {
			ssize_t n = read(pipefd[0], buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			if (echo) {
				ssize_t w = write(STDERR_FILENO, buf, (size_t)n);

				(void)w;
			}
			keep_tail(out, outlen, &used, buf, (size_t)n);
		}
		close(pipefd[0]);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int lb_list_dumps(const char *dir, char ***namesp, size_t *nrp)
{
	char **names = NULL;
	size_t nr = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	*namesp = NULL;
	*nrp = 0;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char *copy;

		if (lb_dump_kind(de->d_name) == LB_DUMP_NONE)
			continue;
		if (nr == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nn = realloc(names, ncap * sizeof(*names));

			if (!nn)
				goto nomem;
			names = nn;
			cap = ncap;
		}
		copy = strdup(de->d_name);
		if (!copy)
			goto nomem;
		names[nr++] = copy;
	}
	closedir(d);
	if (nr)
		qsort(names, nr, sizeof(*names), lb_dump_name_cmp);
	*namesp = names;
	*nrp = nr;
	return 0;
nomem:
	closedir(d);
	lb_free_names(names, nr);
	return -ENOMEM;
}

void lb_free_names(char **names, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

int lb_prune_dumps(const char *dir, unsigned int keep, const char *spare, struct lb_err *err)
{
	char **names, path[PATH_MAX];
	size_t nr, nv, i, *victims;
	int ret, removed = 0;

	ret = lb_list_dumps(dir, &names, &nr);
	if (ret)
		return lb_err_set(err, -ret, "cannot list '%s': %s", dir, strerror(-ret));
	for (i = 0; spare && i < nr; i++) {
		if (!strcmp(names[i], spare)) {
			free(names[i]);
			memmove(names + i, names + i + 1, (nr - i - 1) * sizeof(*names));
			nr--;
			break;
		}
	}
	victims = calloc(nr ? nr : 1, sizeof(*victims));
	if (!victims) {
		lb_free_names(names, nr);
		return lb_err_set(err, ENOMEM, "out of memory");
	}
	nv = lb_dumps_to_prune((const char *const *)names, nr, keep, victims);
	for (i = 0; i < nv; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[victims[i]]);
		ret = lb_rm_rf(path);
		if (ret) {
			lb_err_set(err, -ret, "cannot remove '%s': %s", path, strerror(-ret));
			break;
		}
		fprintf(stderr, "lifeboat: removed the old %sdump '%s'\n",
			lb_dump_kind(names[victims[i]]) == LB_DUMP_INCOMPLETE ? "incomplete " : "",
			path);
		removed++;
	}
	free(victims);
	lb_free_names(names, nr);
	return ret ? ret : removed;
}

int lb_kmod_find(struct lb_kmod *km, struct lb_err *err)
{
	/* Where DKMS (updates/dkms on Debian), `make install` and hand installs put it. */
	static const char *const spots[] = { "updates/dkms", "updates", "extra" };
	static const char *const exts[] = { "", ".xz", ".zst", ".gz" };
	char dir[sizeof(km->kver) + 16], rel[PATH_MAX];
	struct utsname u;
	size_t len, i, j;
	char *text;
	int ret;

	km->where = LB_KMOD_NONE;
	km->path[0] = '\0';
	snprintf(km->kver, sizeof(km->kver), "%s", uname(&u) ? "(unknown)" : u.release);
	if (!access("/sys/module/lifeboat", F_OK)) {
		km->where = LB_KMOD_LOADED;
		return 0;
	}
	snprintf(dir, sizeof(dir), "/lib/modules/%s", km->kver);
	snprintf(rel, sizeof(rel), "%s/modules.dep", dir);
	if (!lb_read_file(rel, 64 << 20, &text, &len)) {
		ret = lb_modules_dep_find(text, len, "lifeboat", rel, sizeof(rel));
		free(text);
		if (!ret) {
			km->where = LB_KMOD_INSTALLED;
			if (rel[0] == '/')
				snprintf(km->path, sizeof(km->path), "%s", rel);
			else
				snprintf(km->path, sizeof(km->path), "%s/%s", dir, rel);
			return 0;
		}
	}
	for (i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
		for (j = 0; j < sizeof(exts) / sizeof(exts[0]); j++) {
			snprintf(km->path, sizeof(km->path), "%s/%s/lifeboat.ko%s", dir, spots[i],
				 exts[j]);
			if (!access(km->path, F_OK)) {
				km->where = LB_KMOD_UNINDEXED;
				return lb_err_set(err, ENOENT,
						  "'%s' is not in kernel %s's module index: run 'depmod -a %s'",
						  km->path, km->kver, km->kver);
			}
		}
	}
	km->path[0] = '\0';
	return lb_err_set(err, ENOENT,
			  "no lifeboat module for kernel %s: run 'dkms autoinstall' (or 'make install' in Lifeboat's source tree)",
			  km->kver);
}
