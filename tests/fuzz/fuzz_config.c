/* fuzz_config.c: config files, theme files, -L URLs and colour names from arbitrary bytes are
 * read safely: an error message or settings, never a crash, leak or hang. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mqscope/config.h"
#include "mqscope/options.h"
#include "mqscope/theme_file.h"
#include "mqscope/topic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const slots[] = {"normal", "bar", "bar-ok", "title", "selected"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[1024], *text;
	struct settings s;
	int fd;

	if (size > 65536)
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	/* @include would read other files (or block on a device): not this parser's input. */
	if (memmem(data, size, "@include", 8) != NULL) {
		free(text);
		return 0;
	}

	fd = memfd_create("fuzz-config", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	settings_init(&s);
	settings_set_str(&s.profile, size & 1 ? "p" : NULL);
	if (config_load_file(&s, path, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			abort(); /* a failure always says why */
	} else {
		/* What a file that loads may hold: every value checked on the way in. */
		if (s.fps < 1 || s.fps > 120 || s.history < 1 || s.history > 65535 ||
		    s.payload_cap < 64 || s.ring_bytes < 65536)
			abort();
		for (size_t i = 0; i < s.ntoggles; i++) {
			const struct toggle_rule *r = &s.toggles[i];

			if (r->filter == NULL || !topic_filter_valid(r->filter) || r->qos < -1 ||
			    r->qos > 2 || r->retain < -1 || r->retain > 1 ||
			    (r->on == NULL) != (r->off == NULL))
				abort();
		}
		for (size_t i = 0; i < s.nsaved; i++) {
			const struct saved_msg *m = &s.saved[i];

			if (m->topic == NULL || m->topic[0] == '\0' ||
			    topic_has_wildcard(m->topic) || m->name == NULL || m->payload == NULL ||
			    m->qos < 0 || m->qos > 2)
				abort();
		}
		for (size_t i = 0; i < s.ntopics; i++)
			if (!topic_filter_valid(s.topics[i]))
				abort();
	}
	settings_free(&s);

	{
		struct theme_style styles[sizeof(slots) / sizeof(slots[0])];
		struct theme_spec spec = {.styles = styles};

		memset(styles, 0, sizeof(styles));
		if (theme_file_load(path, slots, sizeof(slots) / sizeof(slots[0]), &spec, err,
		                    sizeof(err)) != 0 &&
		    err[0] == '\0')
			abort();
	}
	close(fd);

	/* The same bytes as a -L URL and as a colour. */
	settings_init(&s);
	options_parse_url(&s, text, err, sizeof(err));
	settings_free(&s);
	{
		int c;
		bool bold;

		if (theme_color_parse(text, &c) && (c < -1 || c > 255))
			abort();
		theme_color_fit(size % 300 - 1, (int)(size % 3) * 8, &bold);
	}
	free(text);
	return 0;
}
