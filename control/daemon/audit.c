/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * audit.c - the audit log: one JSON object per line per commit attempt
 * (time, who, SHA-256, generation, result, error, diff, timings).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctld.h"
#include "ixg_json.h"

static const char *const results[] = {
	[CTL_RES_OK] = "ok",
	[CTL_RES_REFUSED] = "refused",
	[CTL_RES_FAILED] = "failed",
	[CTL_RES_ADOPTED] = "adopted",
};

/* Format one audit line (see ctld.h). Any thread. */
void
ctl_audit_format(const struct ctl_audit_rec *r, FILE *out)
{
	char ts[32], hex[65];
	time_t t = (time_t)r->time;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(out, "{\"time\": \"%s\", \"uid\": ", ts);
	if (r->who >= 0)
		fprintf(out, "%" PRId64, r->who);
	else
		fprintf(out, "\"%s\"",
			r->who == CTL_WHO_SIGNAL    ? "signal"
			: r->who == CTL_WHO_STARTUP ? "startup"
						    : "daemon");
	fputs(", \"action\": ", out);
	ixg_json_quote(out, r->action != NULL ? r->action : "");
	if (r->sha256 != NULL) {
		ctl_hex(r->sha256, hex);
		fprintf(out, ", \"sha256\": \"%s\"", hex);
	} else {
		fputs(", \"sha256\": null", out);
	}
	fprintf(out, ", \"generation\": %" PRIu64 ", \"result\": \"%s\"",
		r->generation, results[r->result]);
	if (r->error != NULL) {
		fputs(", \"error\": ", out);
		ixg_json_quote(out, r->error);
	}
	if (r->diff != NULL) {
		fputs(", \"diff\": ", out);
		ctl_diff_json(r->diff, out);
	}
	fprintf(out, ", \"build_ms\": %.3f, \"publish_ms\": %.3f}\n",
		r->build_ms, r->publish_ms);
}

/* Append one audit line (see ctld.h). Loop thread. */
int
ctl_audit_write(int fd, const struct ctl_audit_rec *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ssize_t n;

	if (f == NULL)
		return -ENOMEM;
	ctl_audit_format(r, f);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	n = write(fd, buf, len);
	free(buf);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}
