/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_version.h - the version every program prints for --version:
 *   NAME VERSION (git DESCRIBE)
 * VERSION is meson's project version; DESCRIBE is `git describe --always
 * --dirty --tags` of the source tree at build time (the .git-describe file
 * of an exported tree, e.g. the .deb build, or "unknown" outside git).
 * Generated into ixg_version_gen.h by meson (vcs_tag); only ixg_version.c
 * includes that, so a new commit relinks the programs and recompiles one
 * file.
 */
#ifndef IXG_VERSION_H
#define IXG_VERSION_H

#include <stdbool.h>
#include <stdio.h>

/* The project version ("0.1.0"). Static string; any thread. */
const char *ixg_version(void);

/* The git description of the source the binary was built from. Static
 * string; any thread. */
const char *ixg_version_git(void);

/*
 * true if argv holds the word "--version" (anywhere: every program's
 * options and commands are words that cannot be "--version" themselves).
 * The one-line hook in each main:
 *   if (ixg_version_requested(argc, argv))
 *           return ixg_version_print("ixgate-conf", stdout);
 */
bool ixg_version_requested(int argc, char *const *argv);

/* Write "PROG VERSION (git DESCRIBE)\n" to out; returns 0 (the exit status
 * of a --version run), or 1 if the write failed. */
int ixg_version_print(const char *prog, FILE *out);

#endif /* IXG_VERSION_H */
