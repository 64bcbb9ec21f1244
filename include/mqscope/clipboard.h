/* clipboard.h: copying to the terminal's clipboard with OSC 52 (works over SSH), and saving a
 * payload to a file. */
#ifndef MQSCOPE_CLIPBOARD_H
#define MQSCOPE_CLIPBOARD_H

#include <stdbool.h>
#include <stddef.h>

struct ui;

/* Bytes copied at most; longer payloads are cut (terminals refuse huge OSC 52 strings). */
#define CLIPBOARD_MAX ((size_t)1 << 20)

/* Between mqscope and the terminal. */
enum clip_mux { CLIP_DIRECT, CLIP_TMUX, CLIP_SCREEN };

/*
 * The OSC 52 sequence that sets the clipboard to data: ESC ] 52 ; c ; base64 BEL.
 * Inside tmux it is followed by the same sequence wrapped for tmux's
 * passthrough (DCS tmux; ... ST), so it reaches the outer terminal whether
 * tmux takes OSC 52 itself (set-clipboard on) or passes it through
 * (allow-passthrough on); inside screen it goes wrapped in a DCS, which screen
 * passes on. Returns the length of the malloc'd *out.
 */
size_t clipboard_osc52(const void *data, size_t len, enum clip_mux mux, char **out);

/* Action handlers. */
void clipboard_copy_topic(struct ui *u);
void clipboard_copy_payload(struct ui *u);
void clipboard_write_payload(struct ui *u);

#endif
