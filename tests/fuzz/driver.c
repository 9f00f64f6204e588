/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Plain driver for the libFuzzer targets: runs every file named on the
 * command line through LLVMFuzzerTestOneInput once. `make test` uses it to
 * replay the committed corpus (seeds and past crashes) with the normal
 * compilers, so a regression shows up without clang's fuzzer runtime.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	int i, n = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *buf;
		long len;

		if (f == NULL || fseek(f, 0, SEEK_END) != 0 ||
		    (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
			perror(argv[i]);
			return 1;
		}
		buf = malloc((size_t)len + 1);
		if (buf == NULL ||
		    fread(buf, 1, (size_t)len, f) != (size_t)len) {
			perror(argv[i]);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
		n++;
	}
	printf("%d inputs replayed, 0 failures\n", n);
	return 0;
}
