/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every keyword of the tables (conf_fields.h, through conf_keywords[]) is
 * documented in doc/config-reference.md and used in config/example.conf
 * outside a comment (issue 9: "checks that every keyword appears in doc/
 * and config/example.conf"). Adding a row to conf_fields.h without its
 * documentation and example fails here, naming the keyword.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf_impl.h"
#include "../test_slurp.h"

#ifndef IXG_SRC_DIR
#define IXG_SRC_DIR "."
#endif

/* The config text with comments blanked out (a '#' outside a string
 * comments to the end of the line, as the lexer says). */
static void
strip_comments(char *s)
{
	int in_str = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			in_str = 0;
		} else if (*s == '"') {
			in_str = !in_str;
		} else if (*s == '#' && !in_str) {
			while (*s != '\0' && *s != '\n')
				*s++ = ' ';
			if (*s == '\0')
				break;
		}
	}
}

static int
word_char(char c)
{
	return c > ' ' && c != '{' && c != '}' && c != ';' && c != '"' &&
	       c != '#';
}

/* kw as a whole word (the lexer's words) in text. */
static int
has_word(const char *text, const char *kw)
{
	size_t n = strlen(kw);
	const char *p;

	for (p = text; (p = strstr(p, kw)) != NULL; p++)
		if ((p == text || !word_char(p[-1])) && !word_char(p[n]))
			return 1;
	return 0;
}

/* kw in backquotes in the reference: `kw` or `kw ...`. */
static int
documented(const char *doc, const char *kw)
{
	char a[96], b[96];

	snprintf(a, sizeof(a), "`%s`", kw);
	snprintf(b, sizeof(b), "`%s ", kw);
	return strstr(doc, a) != NULL || strstr(doc, b) != NULL;
}

static void
test_every_keyword_documented_and_used(void **state)
{
	char *doc = slurp(IXG_SRC_DIR "/doc/config-reference.md");
	char *ex = slurp(IXG_SRC_DIR "/config/example.conf");
	const struct conf_kw *k;
	unsigned n = 0, missing = 0;

	(void)state;
	assert_non_null(doc);
	assert_non_null(ex);
	assert_true(*doc != '\0' && *ex != '\0');
	strip_comments(ex);
	for (k = conf_keywords; k->name != NULL; k++, n++) {
		if (!documented(doc, k->name)) {
			fprintf(stderr,
				"%s keyword '%s' is not in "
				"doc/config-reference.md\n",
				k->section, k->name);
			missing++;
		}
		if (!has_word(ex, k->name)) {
			fprintf(stderr,
				"%s keyword '%s' is not used in "
				"config/example.conf (outside comments)\n",
				k->section, k->name);
			missing++;
		}
	}
	/* The tables are not empty: 8 sections, every block's keywords. */
	assert_true(n >= 45);
	assert_int_equal(missing, 0);
	free(doc);
	free(ex);
}

/* The tables are consistent: rows of a section have distinct keywords,
 * their slots count up from 0 in row order (the slot is the row), and an
 * F row's range is not empty. */
static void
test_tables_consistent(void **state)
{
	const struct conf_kw *k, *j;

	(void)state;
	for (k = conf_keywords; k->name != NULL; k++) {
		if (k == conf_keywords || strcmp(k[-1].section, k->section))
			assert_int_equal(k->slot, 0);
		else
			assert_int_equal(k->slot, k[-1].slot + 1);
		for (j = conf_keywords; j < k; j++)
			if (strcmp(j->section, k->section) == 0)
				assert_string_not_equal(j->name, k->name);
		if (k->val.kind == VK_UINT || k->val.kind == VK_POW2 ||
		    k->val.kind == VK_RATE || k->val.kind == VK_SIZE)
			assert_true(k->val.lo <= k->val.hi);
		if (k->val.kind != VK_NONE)
			assert_true(k->has_slots);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_keyword_documented_and_used),
		cmocka_unit_test(test_tables_consistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
