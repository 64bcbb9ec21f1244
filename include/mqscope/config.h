/* config.h: the libconfig file: broker profiles, UI settings, keys, toggle rules, saved messages.
 */
#ifndef MQSCOPE_CONFIG_H
#define MQSCOPE_CONFIG_H

#include <stddef.h>

#include "mqscope/settings.h"

/*
 * Where the config file is: s->config_path if given, else
 * $XDG_CONFIG_HOME/mqscope/config, else ~/.config/mqscope/config.
 */
void config_default_path(char *buf, size_t cap);
/* name in mqscope's config directory: $XDG_CONFIG_HOME/mqscope/name, else
 * ~/.config/mqscope/name (./.config/mqscope/name without HOME). */
void config_dir_file(char *buf, size_t cap, const char *name);

/*
 * Reads the config file into s. Call it before parsing the flags for real,
 * so that flags override the file. A missing default file is not an error;
 * a missing --config file is. Returns 0, or -1 with "file:line: what" in err.
 */
int config_load(struct settings *s, char *err, size_t cap);

/* Reads one named file (for tests and --config). */
int config_load_file(struct settings *s, const char *path, char *err, size_t cap);

/* The most a config or saved-messages file may hold; a theme, THEME_FILE_MAX. */
#define CONFIG_FILE_MAX ((size_t)16 << 20)

struct config_t;

/*
 * Parses the libconfig file path, of at most max bytes, into cf (initialised
 * by the caller). The bound is checked while reading (a device or a growing
 * file cannot make it allocate more); a file with NUL bytes is refused, and so
 * is @include, whose file would escape the bound. The text read is wiped (it
 * may hold passwords). Returns 0, or -1 with "file[:line]: why" in err.
 */
int config_read_bounded(struct config_t *cf, const char *path, size_t max, char *err, size_t cap);

/* Writes " (did you mean 'x'?)" when one of the n candidates is close to name, else "". */
void config_suggest(char *buf, size_t cap, const char *name, const char *const *cands, size_t n);

/*
 * Reads the command line, the config file it names (--config/--profile or
 * the default), then the command line again so flags override the file;
 * checks the result and takes a password from MQSCOPE_PASSWORD. Returns -1
 * to go on, or the exit status (0 after --help/--version, 2 after an error,
 * already printed). The caller frees s in every case.
 */
int config_from_command_line(struct settings *s, int argc, char **argv);

#endif
