/* krbprobe - predict, target by target, whether a Windows client will use
 * Kerberos or fall back to NTLM: apply the client's rules to name the SPN,
 * ask the KDC for a service ticket (never stored), and ask the directory why
 * when the KDC does not know the SPN. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <spn/spn.h>

#include "common.h"
#include "listfile.h"
#include "compat.h"
#include "probe_output.h"

#define PROG "krbprobe"
#define MAX_JOBS 64

struct options {
	const char *file;
	const char *service;
	const char *realm;
	const char *keytab;
	const char *principal;
	const char *domain;
	const char *uri;
	int try_ip_spn;
	int canonicalize;
	int aes_only;
	int no_ldap;
	int jobs;
	double rate;
	int json;
	int verbose;
};

/* One target and, once done, its result. */
struct item {
	char *text;
	char *where;          /* "FILE:LINE" for targets read from a file */
	spn_target *target;
	spn_probe_result result;
	int done;
};

/* What the workers share. Each lock guards the fields below it. */
struct shared {
	const struct options *o;
	spn_probe_options popts;
	struct item *items;
	size_t n;

	pthread_mutex_t lock;     /* next, items[].done, failed */
	pthread_cond_t cond;
	size_t next;
	int failed;               /* a worker ran out of memory */

	pthread_mutex_t rate_lock;
	double interval;          /* seconds between requests, 0: no cap */
	double next_slot;

	pthread_mutex_t dir_lock; /* ctx and dir: neither is thread-safe */
	spn_ctx *ctx;
	spn_dir *dir;
	int dir_state;            /* 0 not tried, 1 open, -1 cannot be opened */
	char *dir_error;

	const char *ip_spn_note;  /* where TryIPSPN came from (Windows), or NULL */
};

struct worker {
	pthread_t thread;
	int started;
	spn_prober *prober;
	struct shared *s;
};

static void usage(FILE *f)
{
	fputs(
"Usage: krbprobe [OPTION]... TARGET...\n"
"       krbprobe [OPTION]... -f FILE\n"
"Predict, for each TARGET, whether a Windows client will use Kerberos or fall\n"
"back to NTLM: apply the client's rules to name the SPN, ask the KDC for a\n"
"service ticket (kept in memory, never stored) and, when the KDC does not know\n"
"the SPN, ask the directory whether no account or several hold it.\n"
"\n"
"Targets:\n"
"  cifs/fs1.corp.example, MSSQLSvc/sql1:1433   an SPN, requested as typed\n"
"  fs1, fs1.corp.example, 192.0.2.7            a host: CLASS/host (--service)\n"
"  sql1:1433, [2001:db8::7]:1433               a host and port (needs --service)\n"
"  \\\\fs1\\share, //fs1/share, \\\\?\\UNC\\fs1\\share  a UNC path: cifs/fs1\n"
"                                              (WebDAV \\\\fs1@SSL\\dir: HTTP/fs1)\n"
"  https://portal/, ldap://dc1/, smb://fs1/    a URL: HTTP/portal, ldap/dc1,\n"
"                                              cifs/fs1 (the port is left out)\n"
"\n"
"Client rules, applied before asking the KDC:\n"
"  an IP address gets no ticket request: ntlm (ip-target), unless --try-ip-spn\n"
"  a short name is requested as typed; its FQDN from DNS goes in the detail\n"
"  CNAMEs are not followed (as the SMB client), unless --canonicalize\n"
"\n"
"Options:\n"
"  -f, --file FILE       read the targets from FILE, one a line ('-': standard\n"
"                        input); blank lines and lines starting with '#' are\n"
"                        skipped, spaces and tabs around a target removed\n"
"  -s, --service CLASS   service class for host and host:port targets\n"
"                        (default: cifs for a host; host:port needs it)\n"
"      --try-ip-spn      request CLASS/ADDRESS for IP address targets, as a\n"
"                        client with TryIPSPN does\n"
"      --canonicalize    build the SPN from the canonical DNS name (CNAMEs\n"
"                        followed, short names completed), as browsers do\n"
"  -e, --etypes SET      aes: offer only AES enctypes in ticket requests, to\n"
"                        predict life after RC4 is disabled; all: libkrb5's\n"
"                        configured enctypes (default)\n"
"  -r, --realm REALM     realm of the service principals (default: the realm\n"
"                        of the client principal)\n"
"  -k, --keytab FILE     get credentials from FILE into a private memory\n"
"                        ccache (default: the default ccache, as after kinit)\n"
"  -p, --principal NAME  the keytab principal (default: its first entry)\n"
"      --no-ldap         do not ask the directory about SPNs the KDC does not\n"
"                        know (reason spn-unknown-to-kdc)\n"
"  -d, --domain DOMAIN   AD domain of that lookup (default: the krb5 default\n"
"                        realm)\n"
"  -H, --uri URI         LDAP server of that lookup instead of DNS SRV\n"
"                        discovery (a global catalog first, then a DC)\n"
"  -j, --jobs N          probe with N workers in parallel, 1 to 64 (default 1)\n"
"      --rate R          ask the KDC about at most R targets a second, over\n"
"                        all workers (default: no limit)\n"
"      --json            one JSON object on standard output\n"
"  -v, --verbose         add each result's detail and say what is being done\n"
"                        (-vv: also every request and the libkrb5 trace)\n"
"  -h, --help            this text\n"
"      --version         the version\n"
"\n"
"Verdicts (reasons): kerberos (ok); ntlm (ip-target, spn-not-found,\n"
"duplicate-spn, spn-unknown-to-kdc, etype-unsupported, wrong-realm, policy);\n"
"error (kdc-unreachable, clock-skew, no-credentials, ticket-expired, error).\n"
"Results are printed in input order.\n"
"\n"
"Exit status: 0 every target gets Kerberos, 1 at least one does not (a\n"
"fallback to NTLM, or a failed probe among others that ran), 2 usage or bad\n"
"input, 3 no target could be probed (every result is an error).\n",
	      f);
}

static int parse_jobs(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 1 || v > MAX_JOBS)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_rate(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !(v > 0) || v > 1e6)
		return -1;
	*out = v;
	return 0;
}

static void bad_option(const char *option, const char *value,
		       const char *what)
{
	fprintf(stderr, PROG ": %s '", option);
	tool_print_safe(stderr, value);
	fprintf(stderr, "' %s\n", what);
}

/* 0 ok, else the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_TRY_IP_SPN = 256, OPT_CANONICALIZE, OPT_NO_LDAP, OPT_RATE,
	       OPT_JSON, OPT_VERSION };
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "service", required_argument, NULL, 's' },
		{ "try-ip-spn", no_argument, NULL, OPT_TRY_IP_SPN },
		{ "canonicalize", no_argument, NULL, OPT_CANONICALIZE },
		{ "etypes", required_argument, NULL, 'e' },
		{ "realm", required_argument, NULL, 'r' },
		{ "keytab", required_argument, NULL, 'k' },
		{ "principal", required_argument, NULL, 'p' },
		{ "no-ldap", no_argument, NULL, OPT_NO_LDAP },
		{ "domain", required_argument, NULL, 'd' },
		{ "uri", required_argument, NULL, 'H' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->jobs = 1;
	while ((c = getopt_long(argc, argv, "f:s:e:r:k:p:d:H:j:vh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'f': o->file = optarg; break;
		case 's':
			if (!spn_service_class_valid(optarg)) {
				bad_option("--service", optarg,
					   "is not a service class (1 to 64 letters, digits, '-', '_', '.')");
				return EXIT_USAGE;
			}
			o->service = optarg;
			break;
		case 'e':
			if (strcmp(optarg, "aes") == 0) {
				o->aes_only = 1;
			} else if (strcmp(optarg, "all") == 0) {
				o->aes_only = 0;
			} else {
				bad_option("--etypes", optarg, "is not aes or all");
				return EXIT_USAGE;
			}
			break;
		case 'r':
			if (optarg[0] == '\0' || strpbrk(optarg, "/@\\") != NULL ||
			    strcspn(optarg, "\t\n\r ") != strlen(optarg)) {
				bad_option("--realm", optarg, "is not a realm name");
				return EXIT_USAGE;
			}
			o->realm = optarg;
			break;
		case 'k': o->keytab = optarg; break;
		case 'p': o->principal = optarg; break;
		case 'd': o->domain = optarg; break;
		case 'H': o->uri = optarg; break;
		case 'j':
			if (parse_jobs(optarg, &o->jobs) != 0) {
				bad_option("--jobs", optarg, "is not a number from 1 to 64");
				return EXIT_USAGE;
			}
			break;
		case 'v': o->verbose++; break;
		case OPT_TRY_IP_SPN: o->try_ip_spn = 1; break;
		case OPT_CANONICALIZE: o->canonicalize = 1; break;
		case OPT_NO_LDAP: o->no_ldap = 1; break;
		case OPT_RATE:
			if (parse_rate(optarg, &o->rate) != 0) {
				bad_option("--rate", optarg,
					   "is not a number of requests a second above 0");
				return EXIT_USAGE;
			}
			break;
		case OPT_JSON: o->json = 1; break;
		case 'h':
			usage(stdout);
			exit(EXIT_CLEAN);
		case OPT_VERSION:
			printf("krbprobe %s\n", SPNKIT_VERSION);
			exit(EXIT_CLEAN);
		default:
			fprintf(stderr, "Try 'krbprobe --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (o->file != NULL && optind < argc) {
		fprintf(stderr, PROG ": give targets as arguments or with -f FILE, not both\n");
		return EXIT_USAGE;
	}
	if (o->file == NULL && optind >= argc) {
		fprintf(stderr, PROG ": no target given; try 'krbprobe --help'\n");
		return EXIT_USAGE;
	}
	if (o->principal != NULL && o->keytab == NULL) {
		fprintf(stderr, PROG ": -p names a keytab principal; give -k KEYTAB too\n");
		return EXIT_USAGE;
	}
	return 0;
}

/* ------------------------------------------------------------ targets */

static int add_item(struct item **items, size_t *n, size_t *cap,
		    const char *text, size_t len, const char *where)
{
	struct item *it;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct item *grown = realloc(*items, ncap * sizeof(**items));

		if (grown == NULL)
			return -1;
		*items = grown;
		*cap = ncap;
	}
	it = &(*items)[*n];
	memset(it, 0, sizeof(*it));
	spn_probe_result_init(&it->result);
	it->text = tool_strndup(text, len);
	it->where = where != NULL ? strdup(where) : NULL;
	(*n)++;
	if (it->text == NULL || (where != NULL && it->where == NULL))
		return -1;
	return 0;
}

static void free_items(struct item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(items[i].text);
		free(items[i].where);
		spn_target_free(items[i].target);
		spn_probe_result_clear(&items[i].result);
	}
	free(items);
}

/* Targets from FILE, one a line: blank lines and '#' comments skipped,
 * blanks around a target trimmed. 0, or the exit code. */
static int read_file(const char *path, struct item **items, size_t *n,
		     size_t *cap)
{
	char **lines = NULL, where[64];
	size_t n_lines = 0, i, start, end;
	const char *line;
	int rc;

	rc = listfile_read(PROG, path, &lines, &n_lines);
	if (rc != 0)
		return rc;
	for (i = 0; i < n_lines; i++) {
		line = lines[i];
		start = 0;
		end = strlen(line);
		while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
			end--;
		while (start < end && (line[start] == ' ' || line[start] == '\t'))
			start++;
		if (start == end || line[start] == '#')
			continue;
		snprintf(where, sizeof(where), "line %zu", i + 1);
		if (add_item(items, n, cap, line + start, end - start,
			     where) != 0) {
			fprintf(stderr, PROG ": out of memory\n");
			rc = EXIT_FAILURE_ENV;
			break;
		}
	}
	listfile_free(lines, n_lines);
	if (rc == 0 && *n == 0) {
		fputs(PROG ": ", stderr);
		tool_print_safe(stderr, path);
		fputs(": no targets\n", stderr);
		rc = EXIT_USAGE;
	}
	return rc;
}

/* Parse every target; report every bad one. 0, or the exit code. */
static int parse_targets(spn_ctx *ctx, const struct options *o,
			 struct item *items, size_t n)
{
	spn_status st;
	size_t i;
	int rc = 0;
	char what[512];

	for (i = 0; i < n; i++) {
		spn_ctx_clear_error(ctx);
		st = spn_target_parse(ctx, items[i].text, o->service,
				      &items[i].target);
		if (st == SPN_OK)
			continue;
		if (items[i].where != NULL)
			snprintf(what, sizeof(what), "%s: %s", o->file,
				 items[i].where);
		tool_fail(PROG, ctx, st, items[i].where != NULL ? what : NULL);
		if (st == SPN_E_NOMEM)
			return EXIT_FAILURE_ENV;
		rc = EXIT_USAGE;
	}
	return rc;
}

/* ------------------------------------------------------------ workers */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait for this worker's turn under --rate: requests are spaced evenly. */
static void rate_wait(struct shared *s)
{
	struct timespec ts;
	double slot, t;

	if (s->interval <= 0)
		return;
	pthread_mutex_lock(&s->rate_lock);
	t = now();
	slot = s->next_slot > t ? s->next_slot : t;
	s->next_slot = slot + s->interval;
	pthread_mutex_unlock(&s->rate_lock);
	t = slot - now();
	if (t <= 0)
		return;
	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

struct owners {
	char **names;
	size_t n;
	int nomem;
};

static spn_status collect_owner(const spn_account *a, void *userdata)
{
	struct owners *ow = userdata;
	const char *name = a->sam != NULL ? a->sam : a->dn;
	char **grown;

	grown = realloc(ow->names, (ow->n + 1) * sizeof(*ow->names));
	if (grown == NULL) {
		ow->nomem = 1;
		return SPN_E_NOMEM;
	}
	ow->names = grown;
	ow->names[ow->n] = strdup(name != NULL ? name : "(unnamed account)");
	if (ow->names[ow->n] == NULL) {
		ow->nomem = 1;
		return SPN_E_NOMEM;
	}
	ow->n++;
	return SPN_OK;
}

/* Logging from several threads: one whole line at a time. */
static void log_line(spn_log_level level, const char *message, void *userdata)
{
	tool_lock_file(stderr);
	tool_log(level, message, userdata);
	tool_unlock_file(stderr);
}

/* The one directory session, opened the first time it is needed: a global
 * catalog (duplicates across the forest), else a DC. Call with dir_lock. */
static void open_dir(struct shared *s)
{
	spn_status st;

	st = spn_dir_open(s->ctx, SPN_SCOPE_FOREST, &s->dir);
	if (st != SPN_OK && st != SPN_E_NOMEM) {
		if (s->o->verbose > 0) {
			char msg[1200];

			snprintf(msg, sizeof(msg),
				 "no global catalog (%s); asking a domain controller",
				 spn_ctx_error(s->ctx));
			log_line(SPN_LOG_INFO, msg, (void *)PROG);
		}
		st = spn_dir_open(s->ctx, SPN_SCOPE_DOMAIN, &s->dir);
	}
	if (st == SPN_OK) {
		s->dir_state = 1;
		return;
	}
	s->dir_state = -1;
	s->dir_error = strdup(spn_ctx_error(s->ctx));
}

/* The KDC does not know r->spn: ask the directory who holds it. */
static spn_status explain_unknown(struct shared *s, spn_probe_result *r)
{
	struct owners ow;
	spn_status st = SPN_OK, lookup;
	char *why = NULL;
	size_t i;

	memset(&ow, 0, sizeof(ow));
	pthread_mutex_lock(&s->dir_lock);
	if (s->dir_state == 0)
		open_dir(s);
	if (s->dir_state < 0) {
		why = strdup(s->dir_error != NULL ? s->dir_error :
			     "out of memory");
	} else {
		spn_ctx_clear_error(s->ctx);
		lookup = spn_dir_find_spn(s->dir, r->spn, collect_owner, &ow);
		if (lookup != SPN_OK && !ow.nomem)
			why = strdup(spn_ctx_error(s->ctx));
		else if (ow.nomem)
			st = SPN_E_NOMEM;
	}
	pthread_mutex_unlock(&s->dir_lock);
	if (st != SPN_OK)
		goto cleanup;
	if (why != NULL || s->dir_state < 0)
		st = spn_probe_result_note(r,
					   "the directory could not be asked: %s",
					   why != NULL ? why : "out of memory");
	else
		st = spn_probe_result_owners(r, (const char *const *)ow.names,
					     ow.n);
cleanup:
	for (i = 0; i < ow.n; i++)
		free(ow.names[i]);
	free(ow.names);
	free(why);
	return st;
}

static spn_status probe_one(struct worker *w, struct item *it)
{
	struct shared *s = w->s;
	spn_probe_result *r = &it->result;
	spn_status st;
	int ask = 0;

	st = spn_target_plan(it->target, &s->popts, r, &ask);
	if (st == SPN_OK && s->ip_spn_note != NULL &&
	    (r->rule == SPN_RULE_IP_NTLM || r->rule == SPN_RULE_IP_SPN))
		st = spn_probe_result_note(r, "%s", s->ip_spn_note);
	if (st != SPN_OK || !ask)
		return st;
	rate_wait(s);
	st = spn_prober_ask(w->prober, r->spn, r);
	if (st != SPN_OK || r->reason != SPN_REASON_SPN_UNKNOWN_TO_KDC)
		return st;
	if (s->o->no_ldap)
		st = spn_probe_result_note(r,
					   "the directory was not asked (--no-ldap)");
	else
		st = explain_unknown(s, r);
	if (st == SPN_OK)
		st = spn_target_note_alias(it->target, &s->popts, r);
	return st;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *s = w->s;
	size_t i;
	spn_status st;

	for (;;) {
		pthread_mutex_lock(&s->lock);
		i = s->failed ? s->n : s->next++;
		pthread_mutex_unlock(&s->lock);
		if (i >= s->n)
			break;
		st = probe_one(w, &s->items[i]);
		pthread_mutex_lock(&s->lock);
		if (st != SPN_OK)
			s->failed = 1;
		s->items[i].done = 1;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_lock(&s->lock);
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* 0 every target got Kerberos, 3 every one is an error, else 1. */
static int exit_status(const struct probe_output *out)
{
	if (out->count > 0 &&
	    out->by_verdict[SPN_VERDICT_ERROR] == out->count)
		return EXIT_FAILURE_ENV;
	if (out->by_verdict[SPN_VERDICT_KERBEROS] == out->count)
		return EXIT_CLEAN;
	return EXIT_FINDINGS;
}

/* Start the workers, print the results in input order as they finish. */
static int run(struct shared *s, struct worker *workers, size_t n_workers)
{
	struct probe_output out;
	size_t i, w;
	int rc = 0, failed = 0;

	for (w = 0; w < n_workers; w++) {
		workers[w].s = s;
		if (pthread_create(&workers[w].thread, NULL, worker_main,
				   &workers[w]) != 0) {
			if (w == 0) {
				fprintf(stderr, PROG ": cannot start a worker thread\n");
				return EXIT_FAILURE_ENV;
			}
			break;   /* fewer workers do the same work */
		}
		workers[w].started = 1;
	}
	probe_output_begin(&out, stdout, s->o->json, s->o->verbose);
	for (i = 0; i < s->n; i++) {
		pthread_mutex_lock(&s->lock);
		while (!s->items[i].done && !s->failed)
			pthread_cond_wait(&s->cond, &s->lock);
		failed = s->failed;
		pthread_mutex_unlock(&s->lock);
		if (failed)
			break;
		if (probe_output_result(&out, s->items[i].text,
					&s->items[i].result) != 0) {
			failed = 1;
			pthread_mutex_lock(&s->lock);
			s->failed = 1;
			pthread_mutex_unlock(&s->lock);
			break;
		}
		if (!s->o->json)
			fflush(stdout);
	}
	for (w = 0; w < n_workers; w++)
		if (workers[w].started)
			pthread_join(workers[w].thread, NULL);
	if (failed) {
		/* no memory: no summary or closing bracket that would claim
		 * a complete run */
		fflush(stdout);
		fprintf(stderr, PROG ": out of memory; results are incomplete\n");
		return EXIT_FAILURE_ENV;
	}
	probe_output_end(&out);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror(PROG ": writing the results");
		return EXIT_FAILURE_ENV;
	}
	rc = exit_status(&out);
	return rc;
}

static spn_status configure(spn_ctx *ctx, const struct options *o)
{
	spn_status st = SPN_OK;

	spn_ctx_set_log(ctx, o->verbose > 1 ? SPN_LOG_DEBUG :
			o->verbose > 0 ? SPN_LOG_INFO : SPN_LOG_WARNING,
			log_line, (void *)PROG);
	if (o->domain != NULL)
		st = spn_ctx_set_domain(ctx, o->domain);
	if (st == SPN_OK && o->uri != NULL)
		st = spn_ctx_set_uri(ctx, o->uri);
	if (st == SPN_OK && o->keytab != NULL)
		st = spn_ctx_set_keytab(ctx, o->keytab, o->principal);
	return st;
}

int main(int argc, char **argv)
{
	struct options o;
	struct shared s;
	struct worker *workers = NULL;
	struct item *items = NULL;
	size_t n = 0, cap = 0, n_workers = 0, w;
	spn_ctx *ctx = NULL;
	spn_status st;
	int rc, i, locks = 0;

	if (tool_platform_init(&argc, &argv) != 0) {
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_FAILURE_ENV;
	}
	rc = parse_options(argc, argv, &o);
	if (rc != 0)
		return rc;
	memset(&s, 0, sizeof(s));
	st = spn_ctx_new(&ctx);
	if (st != SPN_OK) {
		tool_fail(PROG, NULL, st, NULL);
		return EXIT_FAILURE_ENV;
	}
	st = configure(ctx, &o);
	if (st != SPN_OK) {
		tool_fail(PROG, ctx, st, NULL);
		rc = tool_exit_for(st);
		goto cleanup;
	}
	if (o.file != NULL) {
		rc = read_file(o.file, &items, &n, &cap);
	} else {
		for (i = optind; i < argc && rc == 0; i++)
			if (add_item(&items, &n, &cap, argv[i], strlen(argv[i]),
				     NULL) != 0) {
				fprintf(stderr, PROG ": out of memory\n");
				rc = EXIT_FAILURE_ENV;
			}
	}
	if (rc == 0)
		rc = parse_targets(ctx, &o, items, n);
	if (rc != 0)
		goto cleanup;

	s.o = &o;
	s.popts.realm = o.realm;
	s.popts.try_ip_spn = o.try_ip_spn;
	s.ip_spn_note = tool_client_try_ip_spn(o.try_ip_spn,
					       &s.popts.try_ip_spn);
	s.popts.canonicalize = o.canonicalize;
	s.popts.aes_only = o.aes_only;
	s.items = items;
	s.n = n;
	s.ctx = ctx;
	s.interval = o.rate > 0 ? 1.0 / o.rate : 0;
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	pthread_mutex_init(&s.rate_lock, NULL);
	pthread_mutex_init(&s.dir_lock, NULL);
	locks = 1;

	/* One prober (one krb5 context, one private TGT copy) a worker,
	 * made here because making one reads ctx. */
	n_workers = (size_t)o.jobs < n ? (size_t)o.jobs : n;
	workers = calloc(n_workers, sizeof(*workers));
	if (workers == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		rc = EXIT_FAILURE_ENV;
		goto cleanup;
	}
	for (w = 0; w < n_workers; w++) {
		st = spn_prober_new(ctx, &s.popts, &workers[w].prober);
		if (st != SPN_OK) {
			tool_fail(PROG, ctx, st, "setting up a ticket request");
			rc = tool_exit_for(st);
			goto cleanup;
		}
	}
	spn_ctx_clear_error(ctx);
	rc = run(&s, workers, n_workers);
cleanup:
	for (w = 0; workers != NULL && w < n_workers; w++)
		spn_prober_free(workers[w].prober);
	free(workers);
	if (locks) {
		pthread_mutex_destroy(&s.lock);
		pthread_cond_destroy(&s.cond);
		pthread_mutex_destroy(&s.rate_lock);
		pthread_mutex_destroy(&s.dir_lock);
	}
	spn_dir_close(s.dir);
	free(s.dir_error);
	free_items(items, n);
	spn_ctx_unref(ctx);
	return rc;
}
