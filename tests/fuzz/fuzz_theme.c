/* fuzz_theme.c: theme files from arbitrary bytes, with the real slot names: an error that says
 * where and why, or colours and attributes within their ranges; never a crash, leak or hang. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mqscope/theme.h"
#include "mqscope/theme_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ATTRS_ALL 0x7fu

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct theme_style styles[SLOT__COUNT];
	struct theme_spec spec = {.styles = styles};
	char path[64], err[1024];
	int fd;

	if (size > 65536)
		return 0;
	/* @include would read other files (or block on a device): not this parser's input. */
	if (memmem(data, size, "@include", 8) != NULL)
		return 0;
	fd = memfd_create("fuzz-theme", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(styles, 0, sizeof(styles));
	err[0] = '\0';
	if (theme_file_load(path, theme_slot_names(), SLOT__COUNT, &spec, err, sizeof(err)) != 0) {
		if (err[0] == '\0' || strncmp(err, path, strlen(path)) != 0)
			abort(); /* "file:line: what" */
	} else {
		if (memchr(spec.description, '\0', sizeof(spec.description)) == NULL)
			abort();
		for (int i = 0; i < SLOT__COUNT; i++) {
			const struct theme_style *s = &styles[i];

			if ((s->has_fg && (s->fg < -1 || s->fg > 255)) ||
			    (s->has_bg && (s->bg < -1 || s->bg > 255)) || (s->attrs & ~ATTRS_ALL) ||
			    (s->mono & ~ATTRS_ALL))
				abort();
		}
	}
	close(fd);
	return 0;
}
