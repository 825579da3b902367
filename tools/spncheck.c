/* spncheck - find the SPN problems that make Kerberos fail in an AD domain
 * or forest: duplicate SPNs and more; also list and query SPNs as setspn
 * -L and -Q do. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <spn/spn.h>

#include "baseline.h"
#include "check_output.h"
#include "check_runner.h"
#include "common.h"
#include "listfile.h"
#include "lookup_output.h"

#define PROG "spncheck"

struct options {
	const char *command;
	const char *argument;     /* ACCOUNT for list, PATTERN for query */
	const char *domain;
	const char *uri;
	const char *keytab;
	const char *principal;
	const char *ldif;
	const char *baseline;
	const char *targets;
	spn_severity fail_on;
	int resolve;
	int page_size;
	int forest;
	int json;
	int fix;
	int verbose;
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
"Usage: spncheck [OPTION]... CHECK|all\n"
"       spncheck [OPTION]... list ACCOUNT\n"
"       spncheck [OPTION]... query PATTERN\n"
"Find the SPN problems that make Kerberos fail, so that clients fall back to\n"
"NTLM, in an Active Directory domain (or forest).\n"
"\n"
"Checks:\n");
	for (i = 0; i < spn_check_count(); i++)
		fprintf(f, "  %-10s %s\n", spn_check_name(i), spn_check_summary(i));
	fprintf(f,
"  all        every check above, from one scan of the directory\n"
"Commands:\n"
"  list ACCOUNT   the SPNs of one account (sAMAccountName, DN or host name),\n"
"                 as setspn -L does\n"
"  query PATTERN  the accounts holding SPNs that match PATTERN ('*' allowed\n"
"                 after a literal prefix, e.g. 'http/web*'), as setspn -Q does\n"
"\n"
"Options:\n"
"  -d, --domain DOMAIN   the AD domain (default: the krb5 default realm)\n"
"  -H, --uri URI         this LDAP server instead of DNS SRV discovery\n"
"      --forest          the whole forest, through a global catalog (3268)\n"
"  -k, --keytab FILE     get credentials from FILE into a private memory\n"
"                        ccache (default: the default ccache, as after kinit)\n"
"  -p, --principal NAME  the keytab principal (default: its first entry)\n"
"      --ldif FILE       read an LDIF export instead of a live directory\n"
"      --targets FILE    missing: also report the targets in FILE (host\n"
"                        names, UNC paths, URLs, SPNs; one a line) whose SPN\n"
"                        no account holds, HOST/ standing in per sPNMappings\n"
"      --resolve         orphan: also ask the resolver; names it knows are\n"
"                        not reported\n"
"      --page-size N     LDAP page size (default 1000)\n"
"      --json            one JSON object on standard output\n"
"      --fix             print one remediation script (setspn commands and\n"
"                        LDIF, to review) instead of the report\n"
"      --baseline FILE   compare with an earlier --json report: mark new\n"
"                        findings, list fixed ones; only new ones count\n"
"                        for the exit status\n"
"      --fail-on LEVEL   error, warning or info (default): the least\n"
"                        severity that makes the exit status 1\n"
"  -v, --verbose         say what is being done (-vv: every request and the\n"
"                        libkrb5 trace)\n"
"  -h, --help            this text\n"
"      --version         the version\n"
"\n"
"Exit status: 0 no findings at or above --fail-on (or, for list/query,\n"
"something matched), 1 such findings (or nothing matched), 2 usage or bad\n"
"input, 3 directory, DNS or Kerberos failure.\n");
}

static int parse_int(const char *s, int *out)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1 || v > 100000)
		return -1;
	*out = (int)v;
	return 0;
}

/* 0 ok, else the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_FOREST = 256, OPT_LDIF, OPT_PAGE_SIZE, OPT_JSON, OPT_FIX,
	       OPT_VERSION, OPT_BASELINE, OPT_FAIL_ON, OPT_TARGETS, OPT_RESOLVE };
	static const struct option longopts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "uri", required_argument, NULL, 'H' },
		{ "keytab", required_argument, NULL, 'k' },
		{ "principal", required_argument, NULL, 'p' },
		{ "forest", no_argument, NULL, OPT_FOREST },
		{ "ldif", required_argument, NULL, OPT_LDIF },
		{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "fix", no_argument, NULL, OPT_FIX },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "targets", required_argument, NULL, OPT_TARGETS },
		{ "resolve", no_argument, NULL, OPT_RESOLVE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c, rest;

	memset(o, 0, sizeof(*o));
	o->fail_on = SPN_SEVERITY_INFO;
	while ((c = getopt_long(argc, argv, "d:H:k:p:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->domain = optarg; break;
		case 'H': o->uri = optarg; break;
		case 'k': o->keytab = optarg; break;
		case 'p': o->principal = optarg; break;
		case 'v': o->verbose++; break;
		case OPT_FOREST: o->forest = 1; break;
		case OPT_LDIF: o->ldif = optarg; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_FIX: o->fix = 1; break;
		case OPT_BASELINE: o->baseline = optarg; break;
		case OPT_TARGETS: o->targets = optarg; break;
		case OPT_RESOLVE: o->resolve = 1; break;
		case OPT_FAIL_ON:
			if (strcmp(optarg, "error") == 0)
				o->fail_on = SPN_SEVERITY_ERROR;
			else if (strcmp(optarg, "warning") == 0)
				o->fail_on = SPN_SEVERITY_WARNING;
			else if (strcmp(optarg, "info") == 0)
				o->fail_on = SPN_SEVERITY_INFO;
			else {
				fputs(PROG ": --fail-on '", stderr);
				tool_print_safe(stderr, optarg);
				fputs("' is not error, warning or info\n", stderr);
				return EXIT_USAGE;
			}
			break;
		case OPT_PAGE_SIZE:
			if (parse_int(optarg, &o->page_size) != 0) {
				fprintf(stderr, PROG ": --page-size '%s' is not a number "
					"from 1 to 100000\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_CLEAN);
		case OPT_VERSION:
			printf("spncheck %s\n", SPNKIT_VERSION);
			exit(EXIT_CLEAN);
		default:
			fprintf(stderr, "Try 'spncheck --help'.\n");
			return EXIT_USAGE;
		}
	}
	rest = argc - optind;
	if (rest < 1) {
		fprintf(stderr, PROG ": no check or command given; try "
			"'spncheck --help'\n");
		return EXIT_USAGE;
	}
	o->command = argv[optind];
	if (strcmp(o->command, "list") == 0 || strcmp(o->command, "query") == 0) {
		if (rest != 2) {
			fprintf(stderr, PROG ": '%s' takes exactly one %s\n",
				o->command, o->command[0] == 'l' ? "ACCOUNT" :
				"PATTERN");
			return EXIT_USAGE;
		}
		o->argument = argv[optind + 1];
		if (o->ldif != NULL) {
			fprintf(stderr, PROG ": '%s' needs a live directory, not "
				"--ldif\n", o->command);
			return EXIT_USAGE;
		}
	} else if (strcmp(o->command, "all") != 0 &&
		   spn_check_find(o->command) < 0) {
		fputs(PROG ": unknown check or command '", stderr);
		tool_print_safe(stderr, o->command);
		fputs("'; try 'spncheck --help'\n", stderr);
		return EXIT_USAGE;
	} else if (rest != 1) {
		fputs(PROG ": unexpected argument '", stderr);
		tool_print_safe(stderr, argv[optind + 1]);
		fputs("'\n", stderr);
		return EXIT_USAGE;
	}
	if (o->ldif != NULL && (o->uri != NULL || o->forest || o->keytab)) {
		fprintf(stderr, PROG ": --ldif reads a file; it does not go with "
			"-H, --forest or -k\n");
		return EXIT_USAGE;
	}
	if (o->targets != NULL && strcmp(o->command, "missing") != 0 &&
	    strcmp(o->command, "all") != 0) {
		fprintf(stderr, PROG ": --targets goes with the missing check "
			"(or all)\n");
		return EXIT_USAGE;
	}
	if (o->resolve && strcmp(o->command, "orphan") != 0 &&
	    strcmp(o->command, "all") != 0) {
		fprintf(stderr, PROG ": --resolve goes with the orphan check "
			"(or all)\n");
		return EXIT_USAGE;
	}
	if (o->fix && o->json) {
		fprintf(stderr, PROG ": --fix prints a script; it does not go "
			"with --json (the JSON has each finding's fix)\n");
		return EXIT_USAGE;
	}
	if (o->principal != NULL && o->keytab == NULL) {
		fprintf(stderr, PROG ": -p names a keytab principal; give -k "
			"KEYTAB too\n");
		return EXIT_USAGE;
	}
	return 0;
}

static spn_status configure(spn_ctx *ctx, const struct options *o)
{
	spn_status st = SPN_OK;

	if (o->verbose > 0)
		spn_ctx_set_log(ctx, o->verbose > 1 ? SPN_LOG_DEBUG : SPN_LOG_INFO,
				tool_log, (void *)PROG);
	else
		spn_ctx_set_log(ctx, SPN_LOG_WARNING, tool_log, (void *)PROG);
	if (o->domain != NULL)
		st = spn_ctx_set_domain(ctx, o->domain);
	if (st == SPN_OK && o->uri != NULL)
		st = spn_ctx_set_uri(ctx, o->uri);
	if (st == SPN_OK && o->keytab != NULL)
		st = spn_ctx_set_keytab(ctx, o->keytab, o->principal);
	if (st == SPN_OK && o->page_size > 0)
		st = spn_ctx_set_page_size(ctx, o->page_size);
	return st;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The checks to run: one, or every one for "all". */
static size_t select_checks(const char *command, const char **checks,
			    unsigned int *needs)
{
	size_t i, n = 0;
	unsigned int shared = SPN_LOAD_SHARED_ONLY;

	*needs = 0;
	for (i = 0; i < spn_check_count(); i++) {
		if (strcmp(command, "all") != 0 &&
		    strcmp(command, spn_check_name(i)) != 0)
			continue;
		checks[n++] = spn_check_name(i);
		*needs |= spn_check_needs(i);
		/* only the accounts with a shared SPN: when every check says
		 * that is all it reads */
		shared &= spn_check_needs(i);
	}
	*needs = (*needs & ~SPN_LOAD_SHARED_ONLY) | shared;
	return n;
}

/* Fill the index from the LDIF file or the live directory. */
static int load(spn_ctx *ctx, const struct options *o, unsigned int needs,
		spn_index *index, spn_dir **dir, struct check_report *report)
{
	spn_status st;

	if (o->ldif != NULL) {
		st = spn_index_load_ldif(index, ctx, o->ldif, needs);
		if (st != SPN_OK) {
			tool_fail(PROG, ctx, st, o->ldif);
			return tool_exit_for(st);
		}
		report->scope = "ldif";
		report->server = o->ldif;
		report->domain = spn_ctx_get_domain(ctx);
		return 0;
	}
	st = spn_dir_open(ctx, o->forest ? SPN_SCOPE_FOREST : SPN_SCOPE_DOMAIN,
			  dir);
	if (st == SPN_OK)
		st = spn_index_load_dir(index, *dir, needs);
	if (st != SPN_OK) {
		/* A scan that did not finish reports nothing. */
		tool_fail(PROG, ctx, st, *dir != NULL ?
			  "the directory scan did not finish" : NULL);
		return tool_exit_for(st) == EXIT_USAGE ? EXIT_USAGE :
		       EXIT_FAILURE_ENV;
	}
	report->scope = o->forest ? "forest" : "domain";
	report->server = spn_dir_server(*dir);
	report->domain = spn_dir_domain(*dir);
	return 0;
}

/* Exit 1 when a finding at or above --fail-on (new ones only, with a
 * baseline) exists. */
static int findings_exit(const struct options *o, const spn_findings *f,
			 const unsigned char *is_new)
{
	size_t i;

	for (i = 0; i < spn_findings_count(f); i++) {
		if (is_new != NULL && !is_new[i])
			continue;
		if (spn_findings_get(f, i)->severity >= o->fail_on)
			return EXIT_FINDINGS;
	}
	return EXIT_CLEAN;
}

/* Run one check; --resolve and --targets change what orphan and missing do. */
static spn_status run_one(spn_ctx *ctx, const struct options *o,
			  const spn_index *index, const char *check,
			  char **targets, size_t n_targets,
			  spn_findings *findings)
{
	spn_status st;

	if (o->resolve && strcmp(check, "orphan") == 0)
		return spn_check_orphan_resolve(ctx, index, findings);
	st = spn_check_run(ctx, index, check, findings);
	if (st == SPN_OK && o->targets != NULL && strcmp(check, "missing") == 0)
		st = spn_check_missing_targets(ctx, index,
					       (const char *const *)targets,
					       n_targets, findings);
	return st;
}

/* What every check of a run shares (check_runner.c). */
struct check_job {
	const struct options *o;
	const spn_index *index;
	char **targets;
	size_t n_targets;
};

/* Whether a check reads DNS data (alias, ip, orphan): these take longest
 * and share the host data the first of them builds. */
static int reads_dns(const char *check)
{
	int i = spn_check_find(check);

	return i >= 0 && (spn_check_needs((size_t)i) & SPN_LOAD_DNS) != 0;
}

/* The order the checks start in: the first that reads DNS data (it
 * builds the shared host data), then those that read none, then the
 * other DNS ones, which would only wait for that data if they started
 * earlier. (`all` at 1M: 0.86 s, against 0.92 s in list order.) */
static void run_order(const char *const *checks, size_t n, size_t *order)
{
	size_t i, k = 0, first = n;

	for (i = 0; i < n && first == n; i++)
		if (reads_dns(checks[i]))
			first = i;
	if (first < n)
		order[k++] = first;
	for (i = 0; i < n; i++)
		if (!reads_dns(checks[i]))
			order[k++] = i;
	for (i = first + 1; i < n; i++)
		if (reads_dns(checks[i]))
			order[k++] = i;
}

static spn_status job_ctx(spn_ctx **ctx_out, void *userdata)
{
	const struct check_job *job = userdata;
	spn_ctx *ctx = NULL;
	spn_status st = spn_ctx_new(&ctx);

	if (st == SPN_OK)
		st = configure(ctx, job->o);
	if (st != SPN_OK) {
		spn_ctx_unref(ctx);
		return st;
	}
	*ctx_out = ctx;
	return SPN_OK;
}

static spn_status job_run(spn_ctx *ctx, const char *check,
			  spn_findings *findings, void *userdata)
{
	const struct check_job *job = userdata;

	return run_one(ctx, job->o, job->index, check, job->targets,
		       job->n_targets, findings);
}

static int mark_new(const spn_findings *findings, struct baseline *b,
		    unsigned char **is_new_out)
{
	size_t i, n = spn_findings_count(findings);
	unsigned char *is_new = calloc(n + 1, 1);
	char *id;

	if (is_new == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		id = baseline_finding_id(spn_findings_get(findings, i));
		if (id == NULL) {
			free(is_new);
			return -1;
		}
		is_new[i] = !baseline_contains(b, id);
		free(id);
	}
	*is_new_out = is_new;
	return 0;
}

static int run_check(spn_ctx *ctx, const struct options *o)
{
	spn_dir *dir = NULL;
	spn_index *index = NULL;
	spn_findings *findings = NULL;
	struct check_report report;
	struct baseline base;
	unsigned char *is_new = NULL;
	const char **checks = NULL;
	struct check_job job;
	spn_ctx *failed_ctx = NULL;
	size_t failed = 0, *order = NULL;
	char **targets = NULL;
	size_t n_targets = 0;
	unsigned int needs;
	char err[512];
	spn_status st;
	size_t n_checks;
	double start = now();
	int rc = EXIT_FAILURE_ENV, have_base = 0;

	memset(&report, 0, sizeof(report));
	memset(&base, 0, sizeof(base));
	if (o->baseline != NULL) {
		/* read it first: a bad baseline should not cost a scan */
		if (baseline_load(o->baseline, &base, err, sizeof(err)) != 0) {
			fputs(PROG ": --baseline ", stderr);
			tool_print_safe(stderr, o->baseline);
			fputs(": ", stderr);
			tool_print_safe(stderr, err);
			fputc('\n', stderr);
			return EXIT_USAGE;
		}
		have_base = 1;
	}
	if (o->targets != NULL) {
		rc = listfile_read(PROG, o->targets, &targets, &n_targets);
		if (rc != 0)
			goto cleanup;
		rc = EXIT_FAILURE_ENV;
	}
	checks = calloc(spn_check_count(), sizeof(*checks));
	order = calloc(spn_check_count(), sizeof(*order));
	st = checks != NULL && order != NULL ? spn_index_new(&index) :
					       SPN_E_NOMEM;
	if (st == SPN_OK)
		st = spn_findings_new(&findings);
	if (st != SPN_OK) {
		tool_fail(PROG, ctx, st, NULL);
		goto cleanup;
	}
	n_checks = select_checks(o->command, checks, &needs);
	rc = load(ctx, o, needs, index, &dir, &report);
	if (rc != 0)
		goto cleanup;
	rc = EXIT_FAILURE_ENV;
	job.o = o;
	job.index = index;
	job.targets = targets;
	job.n_targets = n_targets;
	run_order(checks, n_checks, order);
	/* the text report shows no fix: only --fix and --json do */
	st = check_runner_run(checks, n_checks, order, o->fix || o->json,
			      job_ctx, job_run, &job, findings, &failed,
			      &failed_ctx);
	if (st != SPN_OK) {
		tool_fail(PROG, failed_ctx != NULL ? failed_ctx : ctx, st,
			  failed_ctx == NULL ? NULL :
			  st == SPN_E_INPUT && o->targets ? o->targets :
			  checks[failed]);
		spn_ctx_unref(failed_ctx);
		rc = tool_exit_for(st);
		goto cleanup;
	}
	if (have_base && mark_new(findings, &base, &is_new) != 0) {
		fprintf(stderr, PROG ": out of memory comparing with the baseline\n");
		goto cleanup;
	}
	report.checks = checks;
	report.n_checks = n_checks;
	report.accounts = spn_index_account_count(index);
	report.spns = spn_index_spn_count(index);
	report.seconds = now() - start;
	report.findings = findings;
	report.is_new = is_new;
	report.baseline = have_base ? &base : NULL;
	report.baseline_path = o->baseline;
	if (o->json) {
		if (check_output_json(stdout, &report) != 0) {
			fprintf(stderr, PROG ": out of memory writing JSON\n");
			goto cleanup;
		}
	} else if (o->fix) {
		check_output_fix_script(stdout, &report);
	} else {
		check_output_text(stdout, &report);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror(PROG ": writing the report");
		goto cleanup;
	}
	rc = findings_exit(o, findings, is_new);
cleanup:
	listfile_free(targets, n_targets);
	free(is_new);
	free(checks);
	free(order);
	baseline_free(&base);
	spn_findings_free(findings);
	spn_index_free(index);
	spn_dir_close(dir);
	return rc;
}

static int run_lookup(spn_ctx *ctx, const struct options *o)
{
	spn_dir *dir = NULL;
	struct lookup_result res;
	spn_status st;
	int rc = EXIT_FAILURE_ENV;
	int is_list = strcmp(o->command, "list") == 0;

	lookup_result_init(&res, is_list ? "list" : "query", o->argument);
	st = spn_dir_open(ctx, o->forest ? SPN_SCOPE_FOREST : SPN_SCOPE_DOMAIN,
			  &dir);
	if (st == SPN_OK) {
		res.domain = spn_dir_domain(dir);
		res.server = spn_dir_server(dir);
		if (is_list)
			st = spn_dir_find_account(dir, o->argument,
						  lookup_result_add, &res);
		else
			st = spn_dir_query(dir, o->argument, lookup_result_add,
					   &res);
	}
	if (st != SPN_OK) {
		tool_fail(PROG, ctx, st, o->argument);
		rc = tool_exit_for(st);
		goto cleanup;
	}
	if (o->json ? lookup_output_json(stdout, &res) :
		      lookup_output_text(stdout, &res)) {
		fprintf(stderr, PROG ": out of memory writing the result\n");
		goto cleanup;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror(PROG ": writing the result");
		goto cleanup;
	}
	rc = res.n_accounts > 0 ? EXIT_CLEAN : EXIT_FINDINGS;
cleanup:
	lookup_result_free(&res);
	spn_dir_close(dir);
	return rc;
}

/* stdout's buffer: it is flushed after main returns, so it lives as long
 * as the program. */
static char out_buf[(size_t)1 << 16];

int main(int argc, char **argv)
{
	struct options o;
	spn_ctx *ctx = NULL;
	spn_status st;
	int rc;

	rc = parse_options(argc, argv, &o);
	if (rc != 0)
		return rc;
	st = spn_ctx_new(&ctx);
	if (st == SPN_OK)
		st = configure(ctx, &o);
	if (st != SPN_OK) {
		tool_fail(PROG, ctx, st, NULL);
		rc = tool_exit_for(st);
		goto cleanup;
	}
	/* a report to a file or a pipe is written in 64 KiB blocks (glibc
	 * takes the size only with a buffer: given NULL, it allocates one of
	 * the file's block size, 4 KiB for a file or pipe here) */
	if (!isatty(STDOUT_FILENO))
		(void)setvbuf(stdout, out_buf, _IOFBF, sizeof(out_buf));
	if (strcmp(o.command, "list") == 0 || strcmp(o.command, "query") == 0)
		rc = run_lookup(ctx, &o);
	else
		rc = run_check(ctx, &o);
cleanup:
	spn_ctx_unref(ctx);
	return rc;
}
