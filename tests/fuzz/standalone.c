/* standalone.c: a main() for the fuzz harnesses in builds without libFuzzer: runs each file named
 * on the command line once through LLVMFuzzerTestOneInput (options starting with '-' are
 * libFuzzer's and ignored), so seeds and past crashes are tests in every build. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	/* An exact-size copy, so reading past the input is caught as it would be under libFuzzer.
	 */
	uint8_t *exact = malloc(len ? len : 1);
	if (exact == NULL)
		abort();
	for (size_t i = 0; i < len; i++)
		exact[i] = buf[i];
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

int main(int argc, char **argv)
{
	int ran = 0;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		if (run_file(argv[i]) != 0)
			return 1;
		ran++;
	}
	fprintf(stderr, "%d inputs ran\n", ran);
	return 0;
}
