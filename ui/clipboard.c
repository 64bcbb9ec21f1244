/* clipboard.c: OSC 52 copy of the topic or payload, and writing the payload to a file. */
#include "mqscope/clipboard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqscope/app.h"
#include "mqscope/base64.h"
#include "mqscope/payload.h"
#include "mqscope/payload_view.h"
#include "mqscope/prompt.h"
#include "mqscope/safe_file.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

size_t clipboard_osc52(const void *data, size_t len, bool tmux, char **out)
{
	size_t b64 = base64_len(len), cap = 2 * (b64 + 32), o = 0;
	char *s = xmalloc(cap);

	o += (size_t)snprintf(s, cap, "\033]52;c;");
	o += base64_encode(data, len, s + o, cap - o);
	s[o++] = '\a';
	if (tmux) {
		/* The same again for tmux's passthrough: DCS tmux; <ESC doubled> ST. */
		o += (size_t)snprintf(s + o, cap - o, "\033Ptmux;\033\033]52;c;");
		o += base64_encode(data, len, s + o, cap - o);
		s[o++] = '\a';
		s[o++] = '\033';
		s[o++] = '\\';
	}
	*out = s;
	return o;
}

/* Queues the clipboard sequence to go out after the next frame. */
static void copy(struct ui *u, const void *data, size_t len)
{
	char *seq;
	size_t n = clipboard_osc52(data, len, getenv("TMUX") != NULL, &seq);

	ui_emit_after_frame(u, seq, n);
	free(seq);
}

void clipboard_copy_topic(struct ui *u)
{
	tree_id id = ui_selected(u);
	char path[65536];
	size_t n;

	if (id == TREE_NONE) {
		ui_notice(u, HINT_ERROR, "Nothing selected to copy");
		return;
	}
	n = tree_path(ui_app(u)->tree, id, path, sizeof(path));
	if (n >= sizeof(path))
		n = sizeof(path) - 1;
	copy(u, path, n);
	ui_notice(u, HINT_NOTICE, "Copied the topic (%zu bytes) to the clipboard", n);
}

void clipboard_copy_payload(struct ui *u)
{
	tree_id id = ui_selected(u);
	const struct tree_value *v = payload_view_value(ui_payload_view(u), id);
	size_t n;

	if (v == NULL) {
		ui_notice(u, HINT_ERROR, "No payload to copy here");
		return;
	}
	n = v->len < CLIPBOARD_MAX ? v->len : CLIPBOARD_MAX;
	copy(u, v->data, n);
	if (n < v->orig_len)
		ui_notice(u, HINT_NOTICE, "Copied the first %zu of %u bytes to the clipboard", n,
		          v->orig_len);
	else
		ui_notice(u, HINT_NOTICE, "Copied the payload (%zu bytes) to the clipboard", n);
}

/* Writes the payload shown for the node passed in data to the file named by the user. */
static void write_entered(struct ui *u, const char *text, void *data)
{
	tree_id id = (tree_id)(uintptr_t)data;
	const struct tree_value *v = payload_view_value(ui_payload_view(u), id);
	char path[4096];
	const char *home = getenv("HOME");
	size_t off = 0;
	int fd;

	if (text[0] == '\0')
		return;
	if (v == NULL) {
		ui_notice(u, HINT_ERROR, "The topic no longer holds a value");
		return;
	}
	if (text[0] == '~' && text[1] == '/' && home)
		snprintf(path, sizeof(path), "%s%s", home, text + 1);
	else
		snprintf(path, sizeof(path), "%s", text);
	/* Never overwrite: a payload is too easy to write over the wrong file. Private: 0600. */
	fd = safe_file_open(path, O_EXCL);
	if (fd < 0) {
		ui_notice(u, HINT_ERROR, "Cannot write %s: %s%s", path, safe_file_strerror(errno),
		          errno == EEXIST ? " (not overwritten)" : "");
		return;
	}
	while (off < v->len) {
		ssize_t w = write(fd, v->data + off, v->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ui_notice(u, HINT_ERROR, "Writing %s failed: %s", path, strerror(errno));
			close(fd);
			return;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0) {
		ui_notice(u, HINT_ERROR, "Writing %s failed: %s", path, strerror(errno));
		return;
	}
	/* Say where it went in full: a relative name depends on a directory nobody sees. */
	char *abs = realpath(path, NULL);
	char n[32], kept[32];

	fmt_count(n, sizeof(n), v->len);
	fmt_count(kept, sizeof(kept), v->orig_len);
	if (v->len < v->orig_len)
		ui_notice(u, HINT_NOTICE,
		          "Wrote %s bytes to %s (only these were kept of %s received)", n,
		          abs ? abs : path, kept);
	else
		ui_notice(u, HINT_NOTICE, "Wrote %s byte%s to %s", n, v->len == 1 ? "" : "s",
		          abs ? abs : path);
	free(abs);
}

void clipboard_write_payload(struct ui *u)
{
	tree_id id = ui_selected(u);
	const struct tree_value *v = payload_view_value(ui_payload_view(u), id);
	char name[128], def[160];
	size_t nl;
	const char *n;
	enum payload_kind k;

	if (v == NULL) {
		ui_notice(u, HINT_ERROR, "No payload to write here");
		return;
	}
	/* A default name from the last topic level, with an extension for what it holds. */
	n = tree_name(ui_app(u)->tree, id, &nl);
	size_t j = 0;
	for (size_t i = 0; i < nl && j + 1 < sizeof(name); i++) {
		char c = n[i];
		name[j++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		                    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
		                ? c
		                : '_';
	}
	name[j] = '\0';
	k = payload_detect(v->data, v->len, v->len < v->orig_len);
	snprintf(def, sizeof(def), "%s.%s", j && name[0] != '.' ? name : "payload",
	         k == PAYLOAD_JSON     ? "json"
	         : k == PAYLOAD_BINARY ? "bin"
	                               : "txt");
	prompt_suggest(u, "write payload to file: ", def, write_entered, (void *)(uintptr_t)id);
}
