/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_version.c - --version for every program (ixg_version.h).
 */
#include <string.h>

#include "ixg_version.h"
#include "ixg_version_gen.h"

#ifndef IXG_VERSION
#error "IXG_VERSION comes from meson (the project version)"
#endif

const char *
ixg_version(void)
{
	return IXG_VERSION;
}

const char *
ixg_version_git(void)
{
	return IXG_VERSION_GIT[0] != '\0' ? IXG_VERSION_GIT : "unknown";
}

bool
ixg_version_requested(int argc, char *const *argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (argv[i] != NULL && strcmp(argv[i], "--version") == 0)
			return true;
	return false;
}

int
ixg_version_print(const char *prog, FILE *out)
{
	fprintf(out, "%s %s (git %s)\n", prog, ixg_version(),
		ixg_version_git());
	return fflush(out) == 0 && !ferror(out) ? 0 : 1;
}
