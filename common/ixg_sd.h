/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_sd.h - tell systemd how a daemon is doing (sd_notify(3)), for the
 * units' Type=notify: `systemctl start` returns when the daemon is ready
 * (ixgate-dataplane: ports up, workers running, API socket listening;
 * ixgate-control: config loaded, CLI socket listening, privileges
 * dropped), and a daemon that dies while starting is a failed start,
 * not a crash seconds later.
 *
 * Outside systemd (no $NOTIFY_SOCKET) every call does nothing.
 * One-line hooks, each where the daemon starts serving:
 *   ixgate-control   main.c, before loop_run():   ixg_sd_ready("serving");
 *   ixgate-dataplane main.c, after workers_launch() succeeded:
 *                                                 ixg_sd_ready("forwarding");
 */
#ifndef IXG_SD_H
#define IXG_SD_H

/*
 * Send READY=1 and STATUS=status (may be NULL) to the service manager.
 * Returns 1 if sent, 0 if not run by systemd (nothing to do), or a
 * negative errno. The main thread, once.
 */
int ixg_sd_ready(const char *status);

/* Send STATUS=status: the line `systemctl status` shows. Same returns. */
int ixg_sd_status(const char *status);

/* Send STOPPING=1 (the daemon is shutting down). Same returns. */
int ixg_sd_stopping(void);

#endif /* IXG_SD_H */
