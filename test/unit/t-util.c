// SPDX-License-Identifier: GPL-2.0-or-later
/* t-util.c - unit tests of the util layer: version order, paths, atomic writes, spawn. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "util/fs.h"
#include "util/names.h"
#include "util/outfile.h"
#include "util/private.h"
#include "util/spawn.h"
#include "util/strbuf.h"
#include "util/version.h"

static void t_version_order(void)
{
	CHECK(version_cmp("1.10", "1.9") > 0);
	CHECK(version_cmp("2.6.9-1", "2.6.10") < 0);
	CHECK(version_cmp("1.0", "1.0") == 0);
	CHECK(version_cmp("01.0", "1.0") == 0);
	CHECK(version_cmp("1.0a", "1.0") > 0);
	CHECK(version_cmp("6.1.0-56-amd64", "6.1.0-9-amd64") > 0);
	CHECK(version_cmp("1000", "999") > 0); /* dkms's 3-digit padding gets this one wrong */
	CHECK(version_cmp("20230101", "1.0") > 0);
}

static void t_path_join(void)
{
	char *p = path_join("/a/", "/b");
	CHECK_STR(p, "/a/b");
	free(p);
	p = path_join("/", "x");
	CHECK_STR(p, "/x");
	free(p);
	p = path_dirname("/a/b/c");
	CHECK_STR(p, "/a/b");
	free(p);
	CHECK_STR(path_basename("/a/b/c.ko"), "c.ko");
}

static void t_relative(void)
{
	char *p = path_relative("/lib/modules/6.1/updates/dkms", "/var/lib/dkms/m/1/6.1/x/module/m.ko");
	CHECK_STR(p, "../../../../../var/lib/dkms/m/1/6.1/x/module/m.ko");
	free(p);
	p = path_relative("/r/lib/modules/k/updates", "/r/lib/modules/k/extra/m.ko");
	CHECK_STR(p, "../extra/m.ko");
	free(p);
	p = path_relative("/a/bc", "/a/b/x");
	CHECK_STR(p, "../b/x");
	free(p);
}

static void t_contained(void)
{
	CHECK(path_is_contained("patches/fix.patch"));
	CHECK(path_is_contained("a/..b/c"));
	CHECK(!path_is_contained("../x"));
	CHECK(!path_is_contained("a/../../x"));
	CHECK(!path_is_contained("a/.."));
	CHECK(!path_is_contained("/etc/passwd"));
	CHECK(!path_is_contained(NULL));
}

static char *tmpdir(void)
{
	char *t = strdup("/tmp/ndkms-unit.XXXXXX");
	CHECK(mkdtemp(t) != NULL);
	return t;
}

static void t_atomic_write(void)
{
	char *d = tmpdir();
	char *f = path_join(d, "file");
	char *data = NULL;
	size_t len;

	CHECK_INT(write_file_atomic(f, "one", 3, 0640), 0);
	CHECK_INT(write_file_atomic(f, "second", 6, 0640), 0);
	CHECK_INT(read_file(f, &data, &len, 0), 0);
	CHECK_STR(data, "second");
	CHECK_INT(dir_count(d), 1); /* no temporary file left beside it */
	struct stat st;
	CHECK(stat(f, &st) == 0 && (st.st_mode & 0777) == 0640);
	CHECK_INT(read_file(f, &data, &len, 3), -EFBIG);
	free(data);
	CHECK_INT(rm_rf(d), 0);
	CHECK(!path_exists(d));
	free(f);
	free(d);
}

static void t_copy_tree_and_rm(void)
{
	char *d = tmpdir();
	char *src = path_join(d, "src"), *dst = path_join(d, "dst");
	char *sub = path_join(src, "sub"), *f = path_join(sub, "f");
	char *link = path_join(src, "link"), *dlink = path_join(dst, "link");
	char *df = path_join(dst, "sub/f");

	CHECK_INT(mkdir_p(sub, 0755), 0);
	CHECK_INT(write_file_atomic(f, "x", 1, 0755), 0);
	CHECK(symlink("/etc/passwd", link) == 0);
	CHECK_INT(copy_tree(src, dst), 0);
	CHECK_INT(files_equal(f, df), 1);
	CHECK(is_symlink(dlink));
	CHECK_INT(rm_rf(dst), 0);
	CHECK(access("/etc/passwd", F_OK) == 0); /* rm_rf removes links, never their targets */
	CHECK_INT(rm_rf(d), 0);
	free(src), free(dst), free(sub), free(f), free(link), free(dlink), free(df), free(d);
}

static void t_outfile_private(void)
{
	char *d = tmpdir();
	char *f = path_join(d, "out"), *target = path_join(d, "target");
	char *fifo = path_join(d, "fifo"), *priv = path_join(d, "priv/locks");
	char *lock = path_join(priv, "x.lock"), *data = NULL;
	struct outfile o = OUTFILE_INIT;
	struct stat st;

	CHECK_INT(copied_mode(04777), 0755);
	CHECK_INT(copied_mode(S_IFDIR | 03777), 0755);
	CHECK_INT(copied_mode(0640), 0640);
	/* a symlink at the final name is replaced, its target never written */
	CHECK_INT(write_file_atomic(target, "keep", 4, 0600), 0);
	CHECK(symlink(target, f) == 0);
	CHECK_INT(outfile_open(&o, f), 0);
	CHECK(write(o.fd, "new", 3) == 3);
	CHECK_INT(outfile_commit(&o, 0644, 0), 0);
	CHECK(lstat(f, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644);
	CHECK_INT(read_file(target, &data, NULL, 0), 0);
	CHECK_STR(data, "keep");
	free(data);
	/* a failed writer leaves nothing behind */
	CHECK_INT(outfile_open(&o, f), 0);
	CHECK_INT(outfile_commit(&o, 0644, -EIO), -EIO);
	CHECK_INT(dir_count(d), 2);
	/* a FIFO is refused without blocking */
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK_INT(read_file(fifo, &data, NULL, 0), -EINVAL);
	/* private folders and lock files */
	CHECK_INT(mkdir_private(priv), 0);
	CHECK(stat(priv, &st) == 0 && (st.st_mode & 07777) == 0700);
	CHECK(chmod(priv, 0777) == 0);
	CHECK_INT(mkdir_private(priv), 0);
	CHECK(stat(priv, &st) == 0 && (st.st_mode & 07777) == 0700);
	int fd = lockfile_open(lock);
	CHECK(fd >= 0);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0600);
	if (fd >= 0)
		close(fd);
	CHECK(unlink(lock) == 0 && symlink(target, lock) == 0);
	CHECK_INT(lockfile_open(lock), -EPERM);
	CHECK_INT(rm_rf(d), 0);
	free(f), free(target), free(fifo), free(priv), free(lock), free(d);
}

static void t_spawn(void)
{
	char *out = NULL;
	int status = -1;
	struct spawn_opts o = {.capture = &out, .capture_max = 1 << 16};

	CHECK_INT(spawn_shell("echo hi; exit 3", &o, &status), 0);
	CHECK_INT(status, 3);
	CHECK_STR(out, "hi\n");
	free(out);
	/* the environment is a whitelist */
	setenv("NDKMS_SECRET", "leak", 1);
	CHECK_INT(spawn_shell("echo \"[$NDKMS_SECRET]\"", &o, &status), 0);
	CHECK_STR(out, "[]\n");
	free(out);
	/* a command that never ends is stopped */
	struct spawn_opts t = {.timeout_ms = 200, .quiet = true};
	CHECK_INT(spawn_shell("while :; do :; done", &t, &status), -ETIMEDOUT);
	/* too much output is refused */
	struct spawn_opts big = {.capture = &out, .capture_max = 10};
	CHECK_INT(spawn_shell("yes | head -c 100000", &big, &status), -EFBIG);
	free(out);
}

static void t_shell_quote(void)
{
	struct strbuf sb = STRBUF_INIT;

	sb_add_shell_quoted(&sb, "it's $x");
	CHECK_STR(sb_str(&sb), "'it'\\''s $x'");
	sb_release(&sb);
	/* a plain word stays bare; anything a shell would read specially is quoted */
	static const char *const words[][2] = {
		{"6.1.0-13-amd64", "6.1.0-13-amd64"}, {"/usr/src/a b", "'/usr/src/a b'"},
		{"6.1;echo x", "'6.1;echo x'"}, {"~root", "'~root'"}, {"a=b", "'a=b'"},
		{"", "''"}, {"$(id)", "'$(id)'"}, {"a\nb", "'a\nb'"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		sb_add_shell_word(&sb, words[i][0]);
		CHECK_STR(sb_str(&sb), words[i][1]);
		sb_release(&sb);
	}
}

static void t_names(void)
{
	static const char *const good_k[] = {"6.1.0-13-amd64", "5.14.0-427.el9_4.x86_64+debug",
					     "4.19.0~rc1", "x86_64", "a"};
	static const char *const bad_k[] = {"", ".", "..", "-k", ".hidden", "6.1;echo x", "6.1 x",
					    "6.1/x", "6.1$x", "6.1\x1b[2J", "6.1\nx", "6.1'x"};
	static const char *const good_n[] = {"hello", "1.0", "nvidia-current", "a b", "v1.0~rc1"};
	static const char *const bad_n[] = {"", ".", "..", "a/b", "x\ny", "esc\x1b", "del\x7f"};
	char longk[KVER_MAX_LEN + 2], longn[NAME_MAX_LEN + 2];

	for (size_t i = 0; i < ARRAY_SIZE(good_k); i++)
		CHECK(kver_valid(good_k[i]));
	for (size_t i = 0; i < ARRAY_SIZE(bad_k); i++)
		CHECK(!kver_valid(bad_k[i]));
	for (size_t i = 0; i < ARRAY_SIZE(good_n); i++)
		CHECK(name_valid(good_n[i]));
	for (size_t i = 0; i < ARRAY_SIZE(bad_n); i++)
		CHECK(!name_valid(bad_n[i]));
	CHECK(!kver_valid(NULL));
	CHECK(!name_valid(NULL));
	memset(longk, 'k', sizeof(longk));
	longk[KVER_MAX_LEN] = '\0';
	CHECK(kver_valid(longk));
	longk[KVER_MAX_LEN] = 'k';
	longk[KVER_MAX_LEN + 1] = '\0';
	CHECK(!kver_valid(longk));
	memset(longn, 'n', sizeof(longn));
	longn[NAME_MAX_LEN] = '\0';
	CHECK(name_valid(longn));
	longn[NAME_MAX_LEN] = 'n';
	longn[NAME_MAX_LEN + 1] = '\0';
	CHECK(!name_valid(longn));
}

static const struct test_case tests[] = {
	{"names and kernel versions", t_names},
	{"version order", t_version_order},
	{"path join", t_path_join},
	{"path containment", t_contained},
	{"relative paths", t_relative},
	{"atomic write", t_atomic_write},
	{"copy tree and rm_rf", t_copy_tree_and_rm},
	{"outfile, copied modes, private folders and locks", t_outfile_private},
	{"spawn", t_spawn},
	{"shell quoting", t_shell_quote},
};

HARNESS_MAIN(tests)
