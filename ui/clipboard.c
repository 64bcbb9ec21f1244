/* clipboard.c: OSC 52 copy of the topic or payload, and writing the payload to a file. */
#include "mqscope/clipboard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mqscope/app.h"
#include "mqscope/base64.h"
#include "mqscope/payload.h"
#include "mqscope/payload_view.h"
#include "mqscope/prompt.h"
#include "mqscope/safe_file.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

extern char **environ;

size_t clipboard_osc52(const void *data, size_t len, enum clip_mux mux, char **out)
{
	size_t b64 = base64_len(len), cap = 2 * (b64 + 32), o = 0;
	char *s = xmalloc(cap);

	if (mux == CLIP_SCREEN)
		o += (size_t)snprintf(s, cap, "\033P"); /* screen passes a DCS's content on */
	o += (size_t)snprintf(s + o, cap - o, "\033]52;c;");
	o += base64_encode(data, len, s + o, cap - o);
	s[o++] = '\a';
	if (mux == CLIP_SCREEN) {
		s[o++] = '\033';
		s[o++] = '\\';
	}
	if (mux == CLIP_TMUX) {
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

/* Runs argv and keeps the first line it prints in out ("" when it fails). */
static void run_line(char *const argv[], char *out, size_t cap)
{
	int fd[2], status;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	size_t n = 0;
	ssize_t r;

	out[0] = '\0';
	if (pipe(fd) != 0)
		return;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	while (pid > 0 && n + 1 < cap && (r = read(fd[0], out + n, cap - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
	}
	close(fd[0]);
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/*
 * Where the sequence goes and whether it can reach a clipboard: inside tmux
 * that depends on its settings, asked of tmux itself. Fills what to say after
 * "Copied ..." or, when it cannot work, why not; returns false then.
 */
static bool copy_route(enum clip_mux *mux, char *say, size_t cap)
{
	const char *pane = getenv("TMUX_PANE");
	char line[128], clip[64] = "", pass[64] = "";

	if (getenv("TMUX")) {
		char *argv[] = {
		    "tmux", "display-message",          "-p",
		    "-t",   (char *)(pane ? pane : ""), "#{set-clipboard}|#{allow-passthrough}",
		    NULL};

		*mux = CLIP_TMUX;
		if (pane == NULL)
			argv[3] = NULL; /* the current pane */
		run_line(argv, line, sizeof(line));
		sscanf(line, "%63[^|]|%63s", clip, pass);
		if (!strcmp(clip, "on")) {
			snprintf(say, cap, "to tmux's clipboard (set-clipboard on)");
			return true;
		}
		if (!strcmp(pass, "1") || !strcmp(pass, "on") || !strcmp(pass, "all")) {
			snprintf(say, cap, "through tmux to the terminal (allow-passthrough)");
			return true;
		}
		if (line[0] == '\0')
			snprintf(
			    say, cap,
			    "tmux did not say whether it takes OSC 52: set -g set-clipboard on in "
			    "tmux.conf makes it");
		else
			snprintf(
			    say, cap,
			    "tmux drops OSC 52 with set-clipboard %s: set -g set-clipboard on in "
			    "tmux.conf makes it copy",
			    clip[0] ? clip : "off");
		return false;
	}
	if (getenv("STY")) {
		*mux = CLIP_SCREEN;
		snprintf(say, cap,
		         "through screen to the terminal (OSC 52, if the terminal allows it)");
		return true;
	}
	*mux = CLIP_DIRECT;
	snprintf(say, cap, "to the clipboard");
	return true;
}

/* Queues the clipboard sequence to go out after the next frame; says what became of it. */
static void copy(struct ui *u, const void *data, size_t len, size_t total, const char *what)
{
	enum clip_mux mux;
	char say[200], n[32], of[48] = "";
	char *seq;
	size_t sn;

	fmt_count(n, sizeof(n), len);
	if (total > len) {
		char t[32];

		fmt_count(t, sizeof(t), total);
		snprintf(of, sizeof(of), " of %s", t);
	}
	if (!copy_route(&mux, say, sizeof(say))) {
		ui_notice(u, HINT_ERROR, "Not copied: %s", say);
		return;
	}
	sn = clipboard_osc52(data, len, mux, &seq);
	ui_emit_after_frame(u, seq, sn);
	free(seq);
	ui_notice(u, HINT_NOTICE, "Copied %s (%s%s byte%s) %s", what, n, of,
	          len == 1 && total <= 1 ? "" : "s", say);
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
	n = app_topic(ui_app(u), id, path, sizeof(path)); /* as the broker names it */
	if (n >= sizeof(path))
		n = sizeof(path) - 1;
	copy(u, path, n, n, "the topic");
}

void clipboard_copy_payload(struct ui *u)
{
	tree_id id = ui_selected(u);
	struct decoded d;
	const struct tree_value *v = payload_view_read(ui_payload_view(u), id, &d);
	char what[96];
	size_t n;

	if (v == NULL) {
		ui_notice(u, HINT_ERROR, "No payload to copy here");
		return;
	}
	n = d.len < CLIPBOARD_MAX ? d.len : CLIPBOARD_MAX;
	if (d.json)
		snprintf(what, sizeof(what), "%sthe decoded %s as JSON",
		         n < d.len ? "the start of " : "", decoded_format_title(d.choice.format));
	else
		snprintf(what, sizeof(what), "%s",
		         n < v->orig_len ? "the start of the payload" : "the payload");
	copy(u, d.data, n, d.json ? d.len : v->orig_len, what);
	decoded_free(&d);
}

/* Writes the payload shown for the node passed in data to the file named by the user. */
static void write_entered(struct ui *u, const char *text, void *data)
{
	tree_id id = (tree_id)(uintptr_t)data;
	const struct tree_value *v = payload_view_value(ui_payload_view(u), id);
	char path[4096];
	const char *home = getenv("HOME");
	size_t off = 0, tlen, len;
	struct decoded d = {0};
	const char *bytes;
	bool as_json;
	int fd;

	if (text[0] == '\0')
		return;
	if (v == NULL) {
		ui_notice(u, HINT_ERROR, "The topic no longer holds a value");
		return;
	}
	bytes = v->data;
	len = v->len;
	/* Asked by the name: a decoded value goes out as its JSON to a .json file, else as bytes.
	 */
	tlen = strlen(text);
	as_json = tlen > 5 && strcmp(text + tlen - 5, ".json") == 0;
	if (as_json)
		payload_view_read(ui_payload_view(u), id, &d);
	if (d.json) {
		bytes = d.data;
		len = d.len;
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
		decoded_free(&d);
		return;
	}
	while (off < len) {
		ssize_t w = write(fd, bytes + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ui_notice(u, HINT_ERROR, "Writing %s failed: %s", path, strerror(errno));
			close(fd);
			decoded_free(&d);
			return;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0) {
		ui_notice(u, HINT_ERROR, "Writing %s failed: %s", path, strerror(errno));
		decoded_free(&d);
		return;
	}
	/* Say where it went in full: a relative name depends on a directory nobody sees. */
	char *abs = realpath(path, NULL);
	char n[32], kept[32];

	fmt_count(n, sizeof(n), len);
	fmt_count(kept, sizeof(kept), v->orig_len);
	if (d.json)
		ui_notice(u, HINT_NOTICE, "Wrote the decoded %s as JSON (%s byte%s) to %s",
		          decoded_format_title(d.choice.format), n, len == 1 ? "" : "s",
		          abs ? abs : path);
	else if (v->len < v->orig_len)
		ui_notice(u, HINT_NOTICE,
		          "Wrote %s bytes to %s (only these were kept of %s received)", n,
		          abs ? abs : path, kept);
	else
		ui_notice(u, HINT_NOTICE, "Wrote %s byte%s to %s", n, v->len == 1 ? "" : "s",
		          abs ? abs : path);
	free(abs);
	decoded_free(&d);
}

void clipboard_write_payload(struct ui *u)
{
	tree_id id = ui_selected(u);
	const struct tree_value *v = payload_view_value(ui_payload_view(u), id);
	char name[128], def[160];
	size_t nl;
	const char *n;
	enum payload_kind k;
	struct decode_choice dc;

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
	decoded_choose(&ui_app(u)->dec, ui_app(u)->tree, id, v, &dc);
	snprintf(def, sizeof(def), "%s.%s", j && name[0] != '.' ? name : "payload",
	         k == PAYLOAD_JSON || dc.format != DECODE_NONE ? "json"
	         : k == PAYLOAD_BINARY                         ? "bin"
	                                                       : "txt");
	/* A decoded value: the name's ending asks for the decoded JSON or the bytes. */
	prompt_suggest(u,
	               dc.format != DECODE_NONE
	                   ? "write payload to file (.json: decoded JSON; other names: raw bytes): "
	                   : "write payload to file: ",
	               def, write_entered, (void *)(uintptr_t)id);
}
