/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_log.h - how the daemons start a log line, in one place.
 *
 * Under systemd, stderr is a stream to journald, which timestamps every
 * line itself and reads a syslog priority from a "<N>" prefix
 * (sd-daemon(3)); systemd says so with JOURNAL_STREAM=DEV:INODE of that
 * stream (systemd.exec(5)). So a line to the journal starts with "<N>"
 * and no time; a line to anything else (a terminal, a file) starts with
 * the time in UTC, ISO 8601 ("2025-01-31T09:15:02Z "), the same zone
 * and form as the audit log and `ixgatectl show` use.
 */
#ifndef IXG_LOG_H
#define IXG_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <syslog.h> /* LOG_ERR, LOG_WARNING, LOG_INFO, ... */
#include <time.h>

/*
 * true if fd is the stream systemd connected to the journal (its device
 * and inode are the ones in $JOURNAL_STREAM). Any thread.
 */
bool ixg_log_fd_is_journal(int fd);

/*
 * Write the start of a log line for priority prio (LOG_EMERG..LOG_DEBUG)
 * to be written on fd at time now: "<prio>" if fd is the journal, else
 * "YYYY-MM-DDTHH:MM:SSZ " (UTC). Always NUL-terminated when len > 0;
 * returns the prefix length (0 if it did not fit). Any thread.
 */
size_t ixg_log_prefix(int fd, int prio, time_t now, char *buf, size_t len);

/*
 * t as "YYYY-MM-DDTHH:MM:SSZ" (UTC, ISO 8601 / RFC 3339): the one form
 * for a time in a log line or a message. Returns the length written (20),
 * or 0 with buf "" if len < 21. Any thread.
 */
size_t ixg_log_time(time_t t, char *buf, size_t len);

/*
 * One whole line on stderr: prefix, message, newline, in one write(2) so
 * that lines of several threads never interleave. Any thread.
 */
void ixg_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * For a library that logs through a FILE * and knows each message's
 * level (DPDK: rte_openlog_stream(), rte_log_cur_msg_loglevel()):
 * if stderr is the journal, a stream that writes every line it is given
 * to stderr as "<level() + offset>line" (clamped to 0..7), one write per
 * line; else NULL (keep the library's own default). DPDK's levels are the
 * syslog ones plus one, so its offset is -1, and in the journal each EAL
 * message appears once, with its priority, instead of once on stderr and
 * once through syslog(3). The one-line hook in ixgate-dataplane's main:
 *   rte_openlog_stream(ixg_log_journal_stream(rte_log_cur_msg_loglevel, -1));
 * The stream lives until exit. Call from the main thread before the
 * library starts logging.
 */
FILE *ixg_log_journal_stream(int (*level)(void), int offset);

#endif /* IXG_LOG_H */
