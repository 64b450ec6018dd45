// SPDX-License-Identifier: GPL-2.0
/*
 * slsctl dump: an epoch's record stream, readably or as JSON.
 *
 * The stream is the file STORE/NAME/EPOCH of a mounted store: records,
 * each a struct slsfs_record (fs/slsfs/slsfs_fs.h) and its payload, padded
 * to 8 bytes, up to the end of the file or to a header of magic 0.  Every
 * record is checked as slsfs_record_check() in fs/slsfs/format.c checks it,
 * and its payload against the size include/uapi/linux/sls_image.h gives
 * it; the first record that fails ends the dump.
 *
 * Payloads are read in the host's byte order: they are images of x86_64
 * processes, little-endian, and slsctl is an x86_64 tool.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <linux/sls_image.h>

#include "slsctl_dump.h"
#include "slsfs_crc.h"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define TEXT_WIDTH		78	/* where a list of items wraps */
#define PIPE_SHOW_MAX		64	/* bytes of a pipe's data shown */

#define VM_READ			0x1ULL
#define VM_WRITE		0x2ULL
#define VM_EXEC			0x4ULL
#define VM_SHARED		0x8ULL

/* The order of struct user_regs_struct, and thus of sls_img_thread.regs. */
static const char *const reg_names[SLS_IMG_NREGS] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
	"rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags",
	"rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs",
};

#define REG_IP			16
#define REG_SP			19

/* RLIMIT_* in their order. */
static const char *const rlimit_names[SLS_IMG_NRLIMIT] = {
	"cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile",
	"memlock", "as", "locks", "sigpending", "msgqueue", "nice", "rtprio",
	"rttime",
};

#define RLIM_INF		(~0ULL)

static const char *const at_names[] = {
	[0] = "AT_NULL", [1] = "AT_IGNORE", [2] = "AT_EXECFD",
	[3] = "AT_PHDR", [4] = "AT_PHENT", [5] = "AT_PHNUM",
	[6] = "AT_PAGESZ", [7] = "AT_BASE", [8] = "AT_FLAGS",
	[9] = "AT_ENTRY", [10] = "AT_NOTELF", [11] = "AT_UID",
	[12] = "AT_EUID", [13] = "AT_GID", [14] = "AT_EGID",
	[15] = "AT_PLATFORM", [16] = "AT_HWCAP", [17] = "AT_CLKTCK",
	[23] = "AT_SECURE", [24] = "AT_BASE_PLATFORM", [25] = "AT_RANDOM",
	[26] = "AT_HWCAP2", [27] = "AT_RSEQ_FEATURE_SIZE",
	[28] = "AT_RSEQ_ALIGN", [29] = "AT_HWCAP3", [30] = "AT_HWCAP4",
	[31] = "AT_EXECFN", [32] = "AT_SYSINFO", [33] = "AT_SYSINFO_EHDR",
	[51] = "AT_MINSIGSTKSZ",
};

static const char *const path_kinds[] = {
	[SLS_IMG_PATH_CWD] = "cwd",
	[SLS_IMG_PATH_ROOT] = "root",
	[SLS_IMG_PATH_EXE] = "exe",
};

static const char *const vma_kinds[] = {
	[SLS_VMA_ANON] = "anon",
	[SLS_VMA_ANON_SHARED] = "anon_shared",
	[SLS_VMA_FILE] = "file",
	[SLS_VMA_FILE_SHARED] = "file_shared",
	[SLS_VMA_STACK] = "stack",
	[SLS_VMA_HEAP] = "heap",
	[SLS_VMA_VDSO] = "vdso",
	[SLS_VMA_VVAR] = "vvar",
};

static const char *const file_kinds[] = {
	[SLS_FILE_REG] = "reg",
	[SLS_FILE_DIR] = "dir",
	[SLS_FILE_CHR] = "chr",
	[SLS_FILE_PIPE] = "pipe",
	[SLS_FILE_FIFO] = "fifo",
	[SLS_FILE_PARTITION] = "partition",
	[SLS_FILE_UNIX] = "unix",
	[SLS_FILE_EVENTFD] = "eventfd",
	[SLS_FILE_EPOLL] = "epoll",
	[SLS_FILE_TCP] = "tcp",
	[SLS_FILE_TMPFILE] = "deleted",
};

static const char *const tcp_families[] = {
	[AF_INET] = "inet",
	[AF_INET6] = "inet6",
};

static const char *const tcp_states[] = {
	[SLS_TCP_CLOSED] = "closed",
	[SLS_TCP_LISTENING] = "listening",
	[SLS_TCP_RESET] = "reset",
};

/* The kernel's TCP_* states (include/net/tcp_states.h). */
static const char *const tcp_kernel_states[] = {
	[1] = "established", [2] = "syn_sent", [3] = "syn_recv",
	[4] = "fin_wait1", [5] = "fin_wait2", [6] = "time_wait",
	[7] = "close", [8] = "close_wait", [9] = "last_ack",
	[10] = "listen", [11] = "closing", [12] = "new_syn_recv",
};

/* SLS_TCP_* options, bit by bit */
static const char *const tcp_opts[] = {
	"reuseaddr", "reuseport", "v6only", "nodelay", "keepalive",
};

static const char *const unix_states[] = {
	[SLS_UNIX_UNCONNECTED] = "unconnected",
	[SLS_UNIX_LISTENING] = "listening",
	[SLS_UNIX_CONNECTED] = "connected",
};

#define EFD_SEMAPHORE		1

/*
 * The output: text, one line per record and indented lines under it, or
 * a JSON array of one object per record.  The helpers below write only in
 * the form they are for, or take a name for each form, NULL leaving the
 * field out of that form.
 */
struct out {
	FILE *f;
	bool json;
	unsigned int col;	/* text: of the next character on the line */
	int depth;		/* JSON: of the object or array open */
	bool first[8];		/* JSON: nothing in it yet */
};

/* Text only: printf, on the line so far. */
static void t(struct out *o, const char *fmt, ...)
{
	char s[256];
	const char *nl;
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	fputs(s, o->f);
	nl = strrchr(s, '\n');
	o->col = nl ? strlen(nl + 1) : o->col + strlen(s);
}

/* Text only: an item of a list, on a new line if it would pass the width. */
static void t_item(struct out *o, const char *fmt, ...)
{
	char s[256];
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	if (o->col + strlen(s) > TEXT_WIDTH)
		t(o, "\n   ");
	t(o, "%s", s);
}

/* Text only: a new line under the record's first one. */
static void t_line(struct out *o)
{
	t(o, "\n  ");
}

/* JSON only: the separator, and the key inside an object. */
static void j_key(struct out *o, const char *key)
{
	if (!o->first[o->depth])
		fputs(", ", o->f);
	o->first[o->depth] = false;
	if (key)
		fprintf(o->f, "\"%s\": ", key);
}

/* JSON only: open an object ('{') or an array ('['), keyed or not. */
static void j_open(struct out *o, const char *key, char c)
{
	if (!o->json)
		return;
	j_key(o, key);
	fputc(c, o->f);
	o->first[++o->depth] = true;
}

static void j_close(struct out *o, char c)
{
	if (!o->json)
		return;
	o->depth--;
	fputc(c, o->f);
}

static void j_bool(struct out *o, const char *key, bool v)
{
	if (!o->json)
		return;
	j_key(o, key);
	fputs(v ? "true" : "false", o->f);
}

/* JSON only: a number, keyed or an array's element. */
static void j_num(struct out *o, const char *key, unsigned long long v)
{
	if (!o->json)
		return;
	j_key(o, key);
	fprintf(o->f, "%llu", v);
}

/* A decimal number: " LABEL V" (" V" for "") in text, "KEY": V in JSON. */
static void dec(struct out *o, const char *label, const char *key,
		unsigned long long v)
{
	if (o->json && key)
		j_num(o, key, v);
	else if (!o->json && label)
		t(o, " %s%s%llu", label, *label ? " " : "", v);
}

/* The same in hexadecimal in text; JSON has numbers only. */
static void hex(struct out *o, const char *label, const char *key,
		unsigned long long v)
{
	if (o->json && key)
		j_num(o, key, v);
	else if (!o->json && label)
		t(o, " %s%s0x%llx", label, *label ? " " : "", v);
}

/* A UTF-8 sequence starting at @s, of at most @len bytes: its length or 0. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, surrogates and what lies past U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/*
 * @s as a JSON string.  Valid UTF-8 passes; any other byte is escaped as
 * the code point of its value, so that the output stays valid JSON.
 */
void json_string(FILE *f, const void *s, size_t len)
{
	const unsigned char *p = s, *end = p + len;
	size_t n;

	fputc('"', f);
	while (p < end) {
		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
		} else if (*p == '\n') {
			fputs("\\n", f);
			p++;
		} else if (*p == '\t') {
			fputs("\\t", f);
			p++;
		} else if (*p >= 0x20 && *p < 0x7f) {
			fputc(*p++, f);
		} else {
			n = *p >= 0x80 ? utf8_len(p, end - p) : 0;
			if (n)
				fwrite(p, 1, n, f);
			else
				fprintf(f, "\\u%04x", *p);
			p += n ?: 1;
		}
	}
	fputc('"', f);
}

/* @s in double quotes, C escapes for what is not printable ASCII. */
static unsigned int text_string(FILE *f, const void *s, size_t len)
{
	const unsigned char *p = s, *end = p + len;
	unsigned int col = 2;
	char esc;

	fputc('"', f);
	for (; p < end; p++) {
		switch (*p) {
		case '"':
		case '\\':
			esc = *p;
			break;
		case '\n':
			esc = 'n';
			break;
		case '\t':
			esc = 't';
			break;
		case '\r':
			esc = 'r';
			break;
		default:
			esc = 0;
		}
		if (esc) {
			fprintf(f, "\\%c", esc);
			col += 2;
		} else if (*p >= 0x20 && *p < 0x7f) {
			fputc(*p, f);
			col++;
		} else {
			fprintf(f, "\\x%02x", *p);
			col += 4;
		}
	}
	fputc('"', f);
	return col;
}

/*
 * A string of @len bytes, of which at most @max are shown: ' LABEL "S"'
 * in text (' "S"' for an empty label, and "..." after it if cut), "KEY":
 * "S" in JSON.
 */
static void str(struct out *o, const char *label, const char *key,
		const void *s, size_t len, size_t max)
{
	bool cut = len > max;

	if (cut)
		len = max;
	if (o->json) {
		if (key) {
			j_key(o, key);
			json_string(o->f, s, len);
		}
		return;
	}
	if (!label)
		return;
	t(o, *label ? " %s " : " ", label);
	o->col += text_string(o->f, s, len);
	if (cut)
		t(o, "...");
}

/* The name of @v in @names, or NULL. */
static const char *name_of(const char *const *names, size_t n,
			   unsigned long long v)
{
	return v < n ? names[v] : NULL;
}

#define NAME_OF(names, v)	name_of(names, ARRAY_SIZE(names), v)

/*
 * A value of an enum, @label its field: its name in text, or " LABEL N" if
 * it has none; "LABEL": "NAME" or "LABEL": "N" in JSON.
 */
static void enum_field(struct out *o, const char *label,
		       const char *const *names, size_t n, unsigned int v)
{
	const char *name = name_of(names, n, v);
	char num[16];

	if (!o->json) {
		if (name)
			t(o, " %s", name);
		else
			t(o, " %s %u", label, v);
		return;
	}
	snprintf(num, sizeof(num), "%u", v);
	str(o, NULL, label, name ?: num, strlen(name ?: num), SIZE_MAX);
}

#define ENUM(o, label, names, v) \
	enum_field(o, label, names, ARRAY_SIZE(names), v)
#define KIND(o, names, v)	ENUM(o, "kind", names, v)

static void dump_epoch(struct out *o, const void *p, size_t len)
{
	const unsigned int known = SLS_IMG_FULL | SLS_IMG_REGION;
	struct sls_img_epoch e;
	char when[32] = "?";
	time_t secs;
	struct tm tm;

	(void)len;
	memcpy(&e, p, sizeof(e));
	secs = e.time_ns / 1000000000;
	if (gmtime_r(&secs, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);

	dec(o, "", "epoch", e.epoch);
	t(o, " %s", e.flags & SLS_IMG_FULL ? "full" : "incremental");
	j_bool(o, "full", e.flags & SLS_IMG_FULL);
	if (e.flags & SLS_IMG_REGION) {
		t(o, " region=0x%llx-0x%llx", e.region_start, e.region_end);
		j_num(o, "region_start", e.region_start);
		j_num(o, "region_end", e.region_end);
	}
	if (e.flags & ~known)
		t(o, " flags 0x%x", e.flags);
	j_num(o, "flags", e.flags);
	dec(o, "procs", "nr_procs", e.nr_procs);
	t(o, " time %s", when);
	j_num(o, "time_ns", e.time_ns);
}

/* The signal actions other than SIG_DFL. */
static void dump_sigactions(struct out *o, const struct sls_img_proc *pr)
{
	unsigned int i;

	j_open(o, "sigactions", '[');
	for (i = 0; i < SLS_IMG_NSIG; i++) {
		const struct sls_img_sigaction *sa = &pr->sigaction[i];

		if (!sa->handler)
			continue;
		j_open(o, NULL, '{');
		t_line(o);
		t(o, "sig %u", i + 1);
		j_num(o, "sig", i + 1);
		if (sa->handler == 1)
			t(o, " handler ign");
		else
			hex(o, "handler", NULL, sa->handler);
		j_num(o, "handler", sa->handler);
		hex(o, "flags", "flags", sa->flags);
		hex(o, "restorer", "restorer", sa->restorer);
		hex(o, "mask", "mask", sa->mask);
		j_close(o, '}');
	}
	j_close(o, ']');
}

static void dump_rlimits(struct out *o, const struct sls_img_proc *pr)
{
	bool any = false;
	unsigned int i;

	j_open(o, "rlimits", '{');
	for (i = 0; i < SLS_IMG_NRLIMIT; i++) {
		unsigned long long soft = pr->rlim[i][0], hard = pr->rlim[i][1];
		char s[24] = "inf", h[24] = "inf";

		j_open(o, rlimit_names[i], '[');
		j_num(o, NULL, soft);
		j_num(o, NULL, hard);
		j_close(o, ']');
		if (soft == RLIM_INF && hard == RLIM_INF)
			continue;
		if (!any)
			t_line(o);
		any = true;
		if (soft != RLIM_INF)
			snprintf(s, sizeof(s), "%llu", soft);
		if (hard != RLIM_INF)
			snprintf(h, sizeof(h), "%llu", hard);
		t_item(o, "%s%s %s/%s", o->col > 2 ? " " : "rlimits ",
		       rlimit_names[i], s, h);
	}
	j_close(o, '}');
}

static void dump_proc(struct out *o, const void *p, size_t len)
{
	struct sls_img_proc pr;

	(void)len;
	memcpy(&pr, p, sizeof(pr));
	dec(o, "pid", "pid", pr.pid);
	dec(o, "ppid", "ppid", pr.ppid);
	dec(o, "pgid", "pgid", pr.pgid);
	dec(o, "sid", "sid", pr.sid);
	dec(o, "threads", "nr_threads", pr.nr_threads);
	str(o, "comm", "comm", pr.comm, strnlen(pr.comm, sizeof(pr.comm)),
	    SIZE_MAX);
	dec(o, "uid", "uid", pr.uid);
	dec(o, "gid", "gid", pr.gid);
	if (pr.flags)
		t(o, " flags 0x%x", pr.flags);
	j_num(o, "flags", pr.flags);

	t_line(o);
	t(o, "euid %u suid %u fsuid %u egid %u sgid %u fsgid %u",
	  pr.euid, pr.suid, pr.fsuid, pr.egid, pr.sgid, pr.fsgid);
	j_num(o, "euid", pr.euid);
	j_num(o, "suid", pr.suid);
	j_num(o, "fsuid", pr.fsuid);
	j_num(o, "egid", pr.egid);
	j_num(o, "sgid", pr.sgid);
	j_num(o, "fsgid", pr.fsgid);
	hex(o, "securebits", "securebits", pr.securebits);
	t_line(o);
	t(o, "cap inheritable 0x%llx permitted 0x%llx effective 0x%llx",
	  pr.cap_inheritable, pr.cap_permitted, pr.cap_effective);
	j_num(o, "cap_inheritable", pr.cap_inheritable);
	j_num(o, "cap_permitted", pr.cap_permitted);
	j_num(o, "cap_effective", pr.cap_effective);
	t_line(o);
	t(o, "cap bset 0x%llx ambient 0x%llx", pr.cap_bset, pr.cap_ambient);
	j_num(o, "cap_bset", pr.cap_bset);
	j_num(o, "cap_ambient", pr.cap_ambient);
	t_line(o);
	t(o, "umask %04o", pr.umask);
	j_num(o, "umask", pr.umask);
	hex(o, "personality", "personality", pr.personality);
	dec(o, "exit_signal", "exit_signal", pr.exit_signal);
	hex(o, "pending", "shared_pending", pr.shared_pending);
	dump_rlimits(o, &pr);
	dump_sigactions(o, &pr);
}

static void dump_thread(struct out *o, const void *p, size_t len)
{
	struct sls_img_thread th;
	unsigned int i;

	(void)len;
	memcpy(&th, p, sizeof(th));
	dec(o, "tid", "tid", th.tid);
	hex(o, "ip", NULL, th.regs[REG_IP]);
	hex(o, "sp", NULL, th.regs[REG_SP]);
	hex(o, "blocked", "blocked", th.blocked);
	str(o, "comm", "comm", th.comm, strnlen(th.comm, sizeof(th.comm)),
	    SIZE_MAX);

	j_open(o, "regs", '{');
	for (i = 0; i < SLS_IMG_NREGS; i++) {
		j_num(o, reg_names[i], th.regs[i]);
		if (i % 3 == 0)
			t_line(o);
		t(o, "%s%8s %016llx", i % 3 ? " " : "", reg_names[i],
		  th.regs[i]);
	}
	j_close(o, '}');

	t_line(o);
	t(o, "pending 0x%llx", th.pending);
	j_num(o, "pending", th.pending);
	hex(o, "altstack", "sas_ss_sp", th.sas_ss_sp);
	dec(o, "size", "sas_ss_size", th.sas_ss_size);
	hex(o, "flags", "sas_ss_flags", th.sas_ss_flags);
	t_line(o);
	t(o, "robust_list 0x%llx len %llu", th.robust_list, th.robust_list_len);
	j_num(o, "robust_list", th.robust_list);
	j_num(o, "robust_list_len", th.robust_list_len);
	hex(o, "rseq", "rseq", th.rseq);
	dec(o, "len", "rseq_len", th.rseq_len);
	hex(o, "sig", "rseq_sig", th.rseq_sig);
	t_line(o);
	t(o, "clear_child_tid 0x%llx", th.clear_child_tid);
	j_num(o, "clear_child_tid", th.clear_child_tid);
	dec(o, "xstate", "xstate_size", th.xstate_size);
	t_line(o);
	t(o, "tls");
	j_open(o, "tls", '[');
	for (i = 0; i < SLS_IMG_NTLS; i++) {
		t(o, " 0x%llx", th.tls[i]);
		j_num(o, NULL, th.tls[i]);
	}
	j_close(o, ']');
}

static void dump_xstate(struct out *o, const void *p, size_t len)
{
	unsigned long long xfeatures;

	t(o, " %zu bytes", len);
	j_num(o, "size", len);
	/* XSTATE_BV: the first field of the XSAVE header, at byte 512 */
	if (len >= 520) {
		memcpy(&xfeatures, (const char *)p + 512, sizeof(xfeatures));
		hex(o, "xfeatures", "xfeatures", xfeatures);
	}
}

static void dump_path(struct out *o, const void *p, size_t len)
{
	struct sls_img_path ip;

	(void)len;
	memcpy(&ip, p, sizeof(ip));
	KIND(o, path_kinds, ip.kind);
	str(o, "", "path", (const char *)p + sizeof(ip), ip.len, SIZE_MAX);
}

static void dump_mm(struct out *o, const void *p, size_t len)
{
	struct sls_img_mm mm;
	unsigned long long i, n;

	(void)len;
	memcpy(&mm, p, sizeof(mm));
	dec(o, "obj", "obj", mm.obj);
	t(o, " brk 0x%llx-0x%llx", mm.start_brk, mm.brk);
	j_num(o, "start_brk", mm.start_brk);
	j_num(o, "brk", mm.brk);
	hex(o, "stack", "start_stack", mm.start_stack);
	dec(o, "vmas", "nr_vmas", mm.nr_vmas);
	t_line(o);
	t(o, "code 0x%llx-0x%llx data 0x%llx-0x%llx", mm.start_code,
	  mm.end_code, mm.start_data, mm.end_data);
	j_num(o, "start_code", mm.start_code);
	j_num(o, "end_code", mm.end_code);
	j_num(o, "start_data", mm.start_data);
	j_num(o, "end_data", mm.end_data);
	t_line(o);
	t(o, "args 0x%llx-0x%llx env 0x%llx-0x%llx", mm.arg_start, mm.arg_end,
	  mm.env_start, mm.env_end);
	j_num(o, "arg_start", mm.arg_start);
	j_num(o, "arg_end", mm.arg_end);
	j_num(o, "env_start", mm.env_start);
	j_num(o, "env_end", mm.env_end);

	n = mm.nr_auxv < SLS_IMG_NAUXV ? mm.nr_auxv : SLS_IMG_NAUXV;
	j_num(o, "nr_auxv", mm.nr_auxv);
	j_open(o, "auxv", '[');
	if (n)
		t_line(o);
	for (i = 0; i + 1 < n; i += 2) {
		const char *name = NAME_OF(at_names, mm.auxv[i]);
		char num[24];

		j_open(o, NULL, '[');
		j_num(o, NULL, mm.auxv[i]);
		j_num(o, NULL, mm.auxv[i + 1]);
		j_close(o, ']');
		if (!name) {
			snprintf(num, sizeof(num), "AT_%llu", mm.auxv[i]);
			name = num;
		}
		t_item(o, "%s%s 0x%llx", i ? " " : "auxv ", name,
		       mm.auxv[i + 1]);
	}
	j_close(o, ']');
}

static void dump_vma(struct out *o, const void *p, size_t len)
{
	struct sls_img_vma v;
	char prot[5];

	(void)len;
	memcpy(&v, p, sizeof(v));
	prot[0] = v.vm_flags & VM_READ ? 'r' : '-';
	prot[1] = v.vm_flags & VM_WRITE ? 'w' : '-';
	prot[2] = v.vm_flags & VM_EXEC ? 'x' : '-';
	prot[3] = v.vm_flags & VM_SHARED ? 's' : 'p';
	prot[4] = '\0';

	t(o, " 0x%llx-0x%llx %s", v.start, v.end, prot);
	j_num(o, "start", v.start);
	j_num(o, "end", v.end);
	str(o, NULL, "prot", prot, 4, SIZE_MAX);
	KIND(o, vma_kinds, v.kind);
	if (v.path_len)
		str(o, "", "path", (const char *)p + sizeof(v), v.path_len,
		    SIZE_MAX);
	dec(o, "pgoff", "pgoff", v.pgoff);
	hex(o, "flags", "vm_flags", v.vm_flags);
}

static void dump_file(struct out *o, const void *p, size_t len)
{
	struct sls_img_file fi;

	(void)len;
	memcpy(&fi, p, sizeof(fi));
	dec(o, "id", "id", fi.id);
	KIND(o, file_kinds, fi.kind);
	hex(o, "flags", "flags", fi.flags);
	dec(o, "pos", "pos", fi.pos);
	/* a pipe's or socket's inode number */
	if (fi.kind == SLS_FILE_PIPE || fi.kind == SLS_FILE_FIFO)
		dec(o, "pipe", NULL, fi.obj_id);
	else if (fi.kind == SLS_FILE_UNIX || fi.kind == SLS_FILE_TCP)
		dec(o, "ino", NULL, fi.obj_id);
	else if (fi.obj_id)
		dec(o, "obj", NULL, fi.obj_id);
	j_num(o, "obj_id", fi.obj_id);
	/* new_encode_dev() */
	if (fi.kind == SLS_FILE_CHR)
		t(o, " rdev %u:%u", (fi.rdev & 0xfff00) >> 8,
		  (fi.rdev & 0xff) | ((fi.rdev >> 12) & 0xfff00));
	j_num(o, "rdev", fi.rdev);
	t(o, " mode %#o", fi.mode);
	j_num(o, "mode", fi.mode);
	if (fi.path_len)
		str(o, "", "path", (const char *)p + sizeof(fi), fi.path_len,
		    SIZE_MAX);
}

static void dump_fd(struct out *o, const void *p, size_t len)
{
	struct sls_img_fd fd;

	(void)len;
	memcpy(&fd, p, sizeof(fd));
	dec(o, "", "fd", fd.fd);
	dec(o, "-> file", "file_id", fd.file_id);
	if (fd.flags & SLS_IMG_FD_CLOEXEC)
		t(o, " cloexec");
	j_bool(o, "cloexec", fd.flags & SLS_IMG_FD_CLOEXEC);
	if (fd.flags & ~SLS_IMG_FD_CLOEXEC)
		t(o, " flags 0x%x", fd.flags);
	j_num(o, "flags", fd.flags);
}

static void dump_pipe(struct out *o, const void *p, size_t len)
{
	struct sls_img_pipe pi;

	(void)len;
	memcpy(&pi, p, sizeof(pi));
	dec(o, "id", "id", pi.id);
	dec(o, "size", "size", pi.size);
	dec(o, "len", "len", pi.len);
	str(o, "", "data", (const char *)p + sizeof(pi), pi.len,
	    PIPE_SHOW_MAX);
}

static void dump_file_data(struct out *o, const void *p, size_t len)
{
	struct sls_img_file_data fd;

	(void)len;
	memcpy(&fd, p, sizeof(fd));
	dec(o, "len", "len", fd.len);
	str(o, "", "data", (const char *)p + sizeof(fd), fd.len, PIPE_SHOW_MAX);
}

static void dump_unix(struct out *o, const void *p, size_t len)
{
	struct sls_img_unix un;
	const char *tail = (const char *)p + sizeof(un);

	(void)len;
	memcpy(&un, p, sizeof(un));
	dec(o, "ino", "ino", un.ino);
	ENUM(o, "state", unix_states, un.state);
	dec(o, "peer", "peer_ino", un.peer_ino);
	dec(o, "shutdown", "shutdown", un.shutdown);
	dec(o, "backlog", "backlog", un.backlog);
	/* an abstract address starts with a NUL, shown as \x00 */
	if (un.addr_len)
		str(o, "addr", "addr", tail, un.addr_len, SIZE_MAX);
	dec(o, "data", "data_len", un.data_len);
	str(o, "", "data", tail + un.addr_len, un.data_len, PIPE_SHOW_MAX);
}

static void dump_eventfd(struct out *o, const void *p, size_t len)
{
	struct sls_img_eventfd efd;

	(void)len;
	memcpy(&efd, p, sizeof(efd));
	dec(o, "count", "count", efd.count);
	hex(o, "flags", "flags", efd.flags);
	if (efd.flags & EFD_SEMAPHORE)
		t(o, " semaphore");
	j_bool(o, "semaphore", efd.flags & EFD_SEMAPHORE);
}

static void dump_clocks(struct out *o, const void *p, size_t len)
{
	struct sls_img_clocks c;

	(void)len;
	memcpy(&c, p, sizeof(c));
	dec(o, "monotonic_ns", "monotonic_ns", c.monotonic_ns);
	dec(o, "boottime_ns", "boottime_ns", c.boottime_ns);
}

static void dump_epoll(struct out *o, const void *p, size_t len)
{
	const char *items = (const char *)p + sizeof(struct sls_img_epoll);
	struct sls_img_epoll_item it;
	struct sls_img_epoll ep;
	uint32_t i;

	(void)len;
	memcpy(&ep, p, sizeof(ep));
	dec(o, "file", "file_id", ep.file_id);
	dec(o, "epfd", "epfd", ep.epfd);
	dec(o, "items", "nr", ep.nr);
	j_open(o, "items", '[');
	for (i = 0; i < ep.nr; i++) {
		memcpy(&it, items + i * sizeof(it), sizeof(it));
		j_open(o, NULL, '{');
		t_line(o);
		t(o, "tfd %u", it.tfd);
		j_num(o, "tfd", it.tfd);
		hex(o, "events", "events", it.events);
		hex(o, "data", "data", it.data);
		j_close(o, '}');
	}
	j_close(o, ']');
}

/* " LABEL ADDR:PORT" in text, an IPv6 address in brackets; "KEY": "..." */
static void tcp_addr(struct out *o, const char *label, const char *key,
		     uint32_t family, const uint8_t *addr, unsigned int port)
{
	char ip[INET6_ADDRSTRLEN] = "?", buf[INET6_ADDRSTRLEN + 8];
	bool v6 = family == AF_INET6;

	inet_ntop(v6 ? AF_INET6 : AF_INET, addr, ip, sizeof(ip));
	snprintf(buf, sizeof(buf), v6 ? "[%s]:%u" : "%s:%u", ip, port);
	if (label)
		t(o, " %s %s", label, buf);
	str(o, NULL, key, buf, strlen(buf), SIZE_MAX);
}

static void dump_tcp(struct out *o, const void *p, size_t len)
{
	const char *kstate;
	struct sls_img_tcp tc;
	unsigned int i;

	(void)len;
	memcpy(&tc, p, sizeof(tc));
	dec(o, "ino", "ino", tc.ino);
	ENUM(o, "family", tcp_families, tc.family);
	ENUM(o, "state", tcp_states, tc.state);
	kstate = NAME_OF(tcp_kernel_states, tc.tcp_state);
	if (kstate)
		t(o, " (%s)", kstate);
	else
		t(o, " (tcp_state %u)", tc.tcp_state);
	j_num(o, "tcp_state", tc.tcp_state);
	tcp_addr(o, "local", "local", tc.family, tc.local_addr, tc.local_port);
	tcp_addr(o, tc.state == SLS_TCP_RESET ? "peer" : NULL, "peer",
		 tc.family, tc.peer_addr, tc.peer_port);
	dec(o, tc.state == SLS_TCP_LISTENING ? "backlog" : NULL, "backlog",
	    tc.backlog);
	for (i = 0; i < ARRAY_SIZE(tcp_opts); i++) {
		if (tc.opts & (1U << i))
			t(o, " %s", tcp_opts[i]);
		j_bool(o, tcp_opts[i], tc.opts & (1U << i));
	}
	if (tc.opts >> ARRAY_SIZE(tcp_opts))
		t(o, " opts 0x%x", tc.opts);
	j_num(o, "opts", tc.opts);
	dec(o, tc.rcvbuf ? "rcvbuf" : NULL, "rcvbuf", tc.rcvbuf);
	dec(o, tc.sndbuf ? "sndbuf" : NULL, "sndbuf", tc.sndbuf);
}

static void dump_zombie(struct out *o, const void *p, size_t len)
{
	struct sls_img_zombie z;

	(void)len;
	memcpy(&z, p, sizeof(z));
	dec(o, "pid", "pid", z.pid);
	dec(o, "pgid", "pgid", z.pgid);
	dec(o, "sid", "sid", z.sid);
	hex(o, "exit_code", "exit_code", z.exit_code);
	dec(o, "exit_signal", "exit_signal", z.exit_signal);
}

static void dump_groups(struct out *o, const void *p, size_t len)
{
	struct sls_img_groups g;
	uint32_t gid;
	size_t i;

	(void)len;
	memcpy(&g, p, sizeof(g));
	t(o, " groups");
	j_open(o, "gids", '[');
	for (i = 0; i < g.len / sizeof(gid); i++) {
		memcpy(&gid, (const char *)p + sizeof(g) + i * sizeof(gid), sizeof(gid));
		dec(o, "", NULL, gid);
		j_num(o, NULL, gid);
	}
	j_close(o, ']');
}

/*
 * A record type: its name, the fixed part of its payload and, for a
 * payload that goes on with strings or data, where the u32s that give
 * their lengths lie in the fixed part; for one that goes on with items,
 * where their count lies and the size of one.
 */
struct rec_type {
	const char *name;
	size_t size;
	int tail_at[2];		/* -1: none */
	size_t unit;		/* bytes a tail length counts; 0 for 1 */
	void (*dump)(struct out *o, const void *p, size_t len);
};

#define REC(type, n, s, at1, at2, fn) \
	[type] = { .name = n, .size = s, .tail_at = { at1, at2 }, .dump = fn }
#define REC_ITEMS(type, n, s, at, item, fn) \
	[type] = { .name = n, .size = s, .tail_at = { at, -1 }, \
		   .unit = sizeof(item), .dump = fn }
#define AT(type, field)		offsetof(struct type, field)

static const struct rec_type rec_types[] = {
	REC(SLS_REC_EPOCH, "epoch", sizeof(struct sls_img_epoch), -1, -1,
	    dump_epoch),
	REC(SLS_REC_PROC, "proc", sizeof(struct sls_img_proc), -1, -1,
	    dump_proc),
	REC(SLS_REC_THREAD, "thread", sizeof(struct sls_img_thread), -1, -1,
	    dump_thread),
	REC(SLS_REC_XSTATE, "xstate", 0, -1, -1, dump_xstate),
	REC(SLS_REC_PATH, "path", sizeof(struct sls_img_path),
	    AT(sls_img_path, len), -1, dump_path),
	REC(SLS_REC_MM, "mm", sizeof(struct sls_img_mm), -1, -1, dump_mm),
	REC(SLS_REC_VMA, "vma", sizeof(struct sls_img_vma),
	    AT(sls_img_vma, path_len), -1, dump_vma),
	REC(SLS_REC_FILE, "file", sizeof(struct sls_img_file),
	    AT(sls_img_file, path_len), -1, dump_file),
	REC(SLS_REC_FD, "fd", sizeof(struct sls_img_fd), -1, -1, dump_fd),
	REC(SLS_REC_PIPE, "pipe", sizeof(struct sls_img_pipe),
	    AT(sls_img_pipe, len), -1, dump_pipe),
	REC(SLS_REC_UNIX, "unix", sizeof(struct sls_img_unix),
	    AT(sls_img_unix, addr_len), AT(sls_img_unix, data_len),
	    dump_unix),
	REC(SLS_REC_EVENTFD, "eventfd", sizeof(struct sls_img_eventfd), -1, -1,
	    dump_eventfd),
	REC(SLS_REC_ZOMBIE, "zombie", sizeof(struct sls_img_zombie), -1, -1,
	    dump_zombie),
	REC(SLS_REC_GROUPS, "groups", sizeof(struct sls_img_groups),
	    AT(sls_img_groups, len), -1, dump_groups),
	REC_ITEMS(SLS_REC_EPOLL, "epoll", sizeof(struct sls_img_epoll),
		  AT(sls_img_epoll, nr), struct sls_img_epoll_item, dump_epoll),
	REC(SLS_REC_TCP, "tcp", sizeof(struct sls_img_tcp), -1, -1, dump_tcp),
	REC(SLS_REC_CLOCKS, "clocks", sizeof(struct sls_img_clocks), -1, -1,
	    dump_clocks),
	REC(SLS_REC_FILE_DATA, "file-data", sizeof(struct sls_img_file_data),
	    AT(sls_img_file_data, len), -1, dump_file_data),
};

static int bad(struct dump_error *err, size_t offset, const char *fmt, ...)
{
	va_list ap;

	err->offset = offset;
	va_start(ap, fmt);
	vsnprintf(err->why, sizeof(err->why), fmt, ap);
	va_end(ap);
	return -1;
}

static bool all_zero(const unsigned char *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

/*
 * Check the record at @off of the stream, of which @avail bytes are left:
 * 0 with *@size the bytes it takes, 1 at the end of the stream, or -1 with
 * @err set.
 */
static int check_record(unsigned char *buf, size_t off, size_t avail,
			unsigned long long *epoch, size_t *size,
			struct dump_error *err)
{
	struct slsfs_record rec;
	const struct rec_type *rt;
	unsigned long long rec_epoch;
	uint32_t len, crc, tail;
	unsigned long long tails = 0;
	unsigned int type, i;

	if (avail < sizeof(rec)) {
		if (all_zero(buf + off, avail))
			return 1;
		return bad(err, off, "record header cut short: %zu bytes left",
			   avail);
	}
	memcpy(&rec, buf + off, sizeof(rec));
	if (!rec.magic)
		return 1;
	if (le32toh(rec.magic) != SLSFS_RECORD_MAGIC)
		return bad(err, off, "bad record magic 0x%08x",
			   le32toh(rec.magic));
	if (rec.flags)
		return bad(err, off, "unknown record flags 0x%x",
			   le16toh(rec.flags));
	len = le32toh(rec.len);
	if (len > avail - sizeof(rec))
		return bad(err, off, "payload of %u bytes cut short at %zu",
			   len, avail - sizeof(rec));

	/* The checksum is of the record with its crc field taken as zero. */
	memset(buf + off + offsetof(struct slsfs_record, crc), 0,
	       sizeof(rec.crc));
	crc = slsfs_crc32c(buf + off, sizeof(rec) + len);
	memcpy(buf + off + offsetof(struct slsfs_record, crc), &rec.crc,
	       sizeof(rec.crc));
	if (crc != le32toh(rec.crc))
		return bad(err, off, "record checksum 0x%08x, computed 0x%08x",
			   le32toh(rec.crc), crc);

	rec_epoch = le64toh(rec.epoch);
	if (*epoch == DUMP_ANY_EPOCH)
		*epoch = rec_epoch;
	else if (rec_epoch != *epoch)
		return bad(err, off, "record of epoch %llu in epoch %llu",
			   rec_epoch, *epoch);

	/* slsfs_record_size(); the last record's padding may be missing */
	*size = (sizeof(rec) + len + 7) & ~(size_t)7;
	if (*size > avail)
		*size = avail;
	type = le16toh(rec.type);
	if (type >= ARRAY_SIZE(rec_types) || !rec_types[type].name)
		return 0;
	rt = &rec_types[type];
	if (len < rt->size)
		return bad(err, off, "%s record of %u bytes, short of its %zu",
			   rt->name, len, rt->size);
	for (i = 0; i < ARRAY_SIZE(rt->tail_at) && rt->tail_at[i] >= 0; i++) {
		memcpy(&tail, buf + off + sizeof(rec) + rt->tail_at[i],
		       sizeof(tail));
		tails += tail;
	}
	if (rt->unit)
		tails *= rt->unit;
	if (tails > len - rt->size)
		return bad(err, off,
			   "%s record of %u bytes, short of its %zu + %llu",
			   rt->name, len, rt->size, tails);
	return 0;
}

/* Print one checked record. */
static void dump_record(struct out *o, const unsigned char *rec, size_t off)
{
	struct slsfs_record hdr;
	const struct rec_type *rt = NULL;
	unsigned int type;
	char num[16];

	memcpy(&hdr, rec, sizeof(hdr));
	type = le16toh(hdr.type);
	if (type < ARRAY_SIZE(rec_types) && rec_types[type].name)
		rt = &rec_types[type];
	snprintf(num, sizeof(num), "%u", type);

	if (o->json) {
		fputs(o->first[0] ? "\n  " : ",\n  ", o->f);
		o->first[0] = false;
		o->depth = 1;
		o->first[1] = true;
		fputc('{', o->f);
		j_num(o, "offset", off);
		str(o, NULL, "type", rt ? rt->name : num,
		    strlen(rt ? rt->name : num), SIZE_MAX);
		j_num(o, "len", le32toh(hdr.len));
	} else {
		o->col = 0;
		if (rt)
			t(o, "%s", rt->name);
		else
			t(o, "type %u len %u", type, le32toh(hdr.len));
	}
	if (rt)
		rt->dump(o, rec + sizeof(hdr), le32toh(hdr.len));
	if (o->json)
		j_close(o, '}');
	else
		fputc('\n', o->f);
}

/**
 * dump_stream - print the records of an epoch's record stream
 * @f:		where to
 * @buf:	the stream; its checksums are checked in place, so it is
 *		written to, and restored
 * @len:	its length
 * @epoch:	the epoch it is of, or DUMP_ANY_EPOCH for the first record's
 * @json:	a JSON array of one object per record, not text
 * @err:	set where the stream stops being one
 *
 * Return: 0, or -1 with @err set at the first record that is not one; the
 * records before it are printed, and the JSON array is closed.
 */
int dump_stream(FILE *f, unsigned char *buf, size_t len,
		unsigned long long epoch, bool json, struct dump_error *err)
{
	struct out o = { .f = f, .json = json, .first = { true } };
	size_t off = 0, size = 0;
	int ret = 0;

	if (json)
		fputc('[', f);
	while (off < len) {
		ret = check_record(buf, off, len - off, &epoch, &size, err);
		if (ret)
			break;
		dump_record(&o, buf + off, off);
		off += size;
	}
	if (json)
		fputs(o.first[0] ? "]\n" : "\n]\n", f);
	return ret < 0 ? -1 : 0;
}
