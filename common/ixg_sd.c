/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_sd.c - sd_notify(3) through libsystemd (ixg_sd.h).
 */
#include <stddef.h>

#include <systemd/sd-daemon.h>

#include "ixg_sd.h"

int
ixg_sd_ready(const char *status)
{
	/* unset_environment = 0: a daemon that re-executes itself may
	 * notify again; nothing here forks children that should not. */
	if (status == NULL)
		return sd_notify(0, "READY=1");
	return sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

int
ixg_sd_status(const char *status)
{
	return sd_notifyf(0, "STATUS=%s", status != NULL ? status : "");
}

int
ixg_sd_stopping(void)
{
	return sd_notify(0, "STOPPING=1");
}
