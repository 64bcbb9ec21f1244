/* manpage.c: writes mqscope(1) from the same tables as --help and the help overlay, so the three
 * cannot disagree; the prose around them lives here. */
#include "mqscope/manpage.h"

#include <string.h>

#include "mqscope/actions.h"
#include "mqscope/options.h"

#ifndef MQSCOPE_VERSION
#define MQSCOPE_VERSION "0.0.0"
#endif

/* Writes text with roff's special characters escaped: '\', '-', and a leading '.' or '\''. */
static void roff(FILE *out, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", out);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

static void options_section(FILE *out)
{
	const char *names[32], *titles[32];
	size_t ng = options_groups(names, titles, 32);

	fputs(".SH OPTIONS\n"
	      "The broker and TLS options are those of\n"
	      ".BR mosquitto_sub (1),\n"
	      "with the same meaning, so that a\n"
	      ".B mosquitto_sub\n"
	      "command line works with only the program name changed.\n"
	      "Options given on the command line override the config file.\n",
	      out);
	for (size_t g = 0; g < ng; g++) {
		bool any = false;

		for (int i = 0; i < OPT__COUNT; i++) {
			enum option_id id = (enum option_id)i;

			if (strcmp(options_group(id), names[g]) != 0)
				continue;
			if (!any) {
				fputs(".SS ", out);
				roff(out, titles[g]);
				fputc('\n', out);
			}
			any = true;
			fputs(".TP\n", out);
			if (options_short(id))
				fprintf(out, "\\fB\\-%c\\fR, ", options_short(id));
			fputs("\\fB\\-\\-", out);
			roff(out, options_long_name(id));
			fputs("\\fR", out);
			if (options_arg_name(id)) {
				fputs(" \\fI", out);
				roff(out, options_arg_name(id));
				fputs("\\fR", out);
			}
			fputc('\n', out);
			roff(out, options_help(id));
			fputs(".\n", out);
		}
	}
}

static void keys_section(FILE *out)
{
	fputs(".SH KEYS\n"
	      "The default keys, by mode: each mode has its own key table, and a key not\n"
	      "bound in a mode is looked up in the mode named after it (a window with a list\n"
	      "takes the list keys).\n"
	      "The\n"
	      ".B keys\n"
	      "section of the config file binds other keys to the action names in\n"
	      "parentheses; binding an action replaces its default keys.\n"
	      "The actions of the first two modes are set at the top level of the section,\n"
	      "those of the others in a group named for the mode:\n"
	      ".PP\n.nf\n.RS\n"
	      "keys = { quit = \"q\"; help = \"F1\"; form = { send = [\"C\\-s\", \"F2\"]; }; };\n"
	      ".RE\n.fi\n.PP\n"
	      "Press\n"
	      ".B ?\n"
	      "inside mqscope for the keys in effect.\n",
	      out);
	for (int m = 0; m < MODE__COUNT; m++) {
		enum key_mode mode = (enum key_mode)m;

		fputs(".SS ", out);
		roff(out, mode_title(mode));
		fputc('\n', out);
		if (mode_group(mode)) {
			fputs("In the group\n.BR ", out);
			roff(out, mode_group(mode));
			fputs(" .\n", out);
		}
		if (mode_fallback(mode) != MODE_NONE) {
			fputs("Other keys: as in \\(lq", out);
			roff(out, mode_title(mode_fallback(mode)));
			fputs("\\(rq.\n", out);
		}
		for (int a = 1; a < ACT__COUNT; a++) {
			if (action_mode((enum action)a) != mode)
				continue;
			fputs(".TP\n.B ", out);
			roff(out, action_default_keys((enum action)a));
			fputs("\n", out);
			roff(out, action_help((enum action)a));
			fputs(" (\\fI", out);
			roff(out, action_name((enum action)a));
			fputs("\\fR).\n", out);
		}
	}
}

static void headless_section(FILE *out)
{
	fputs(".SH LOG AND DUMP\n"
	      ".B mqscope log\n"
	      "prints each message as it arrives, with the connection options, config file,\n"
	      "profiles, transports and protocol negotiation of the viewer.\n"
	      "By default a line is the topic, a space and the payload, as\n"
	      ".B mosquitto_sub \\-v\n"
	      "prints it ((null) for an empty payload), with control characters, escape\n"
	      "sequences, invalid UTF\\-8, bidi and invisible characters written as visible\n"
	      "escapes (\\en, \\ee, \\exff, \\eu202e), so that a line is one line and the\n"
	      "terminal is safe;\n"
	      ".B \\-\\-raw\n"
	      "writes the bytes as received.\n"
	      ".B \\-\\-json\n"
	      "writes JSON Lines in the format of\n"
	      ".B \\-\\-record\n"
	      "(time in milliseconds since the epoch, topic, qos, retain, the MQTT 5\n"
	      "properties under props, the payload as text or, when it is not UTF\\-8 text,\n"
	      "as payload_base64), which\n"
	      ".B \\-\\-replay\n"
	      "reads; characters a terminal could act on are written as \\eu escapes.\n"
	      ".B \\-\\-csv\n"
	      "writes the time (ISO 8601, UTC), the topic and the\n"
	      ".B \\-\\-fields\n"
	      "(JSON field paths such as value or a.b[0], and payload for the whole\n"
	      "payload), empty where a message lacks the field.\n"
	      "It subscribes to\n"
	      ".B #\n"
	      "unless\n"
	      ".B \\-t\n"
	      "says otherwise.\n"
	      ".PP\n"
	      ".B mqscope dump\n"
	      "writes the retained messages at and below its filters once, in topic order,\n"
	      "and exits: as one JSON document with a key per topic level (JSON payloads\n"
	      "as documents, other text as strings, other bytes as {\"base64\": ...}; a\n"
	      "topic with subtopics keeps its own value under the key #), or as JSON Lines\n"
	      "or CSV.\n"
	      "A broker sends the retained messages of a subscription right after the\n"
	      "acknowledgement of it, ahead of what is published later; so once every\n"
	      "subscription is acknowledged the dump is complete at the first message\n"
	      "without the retain flag, or after 1 s without any message, whichever comes\n"
	      "first.\n"
	      ".B \\-W\n"
	      "bounds the wait: then what came is written and the status is 27.\n"
	      ".PP\n"
	      "Exit status of log and dump, as mosquitto_sub's: 0 when done (\\-C reached,\n"
	      "\\-E, \\-\\-retained\\-only at the first live message, a signal); the reason code\n"
	      "of a broker that refuses the connection (5 or 135 for a refused login); 1 when\n"
	      "the broker cannot be reached, every subscription is refused or the output\n"
	      "cannot be written; 2 for bad options; 27 when \\-W ends it.\n"
	      "A connection lost after the first is made again, as mosquitto_sub does.\n",
	      out);
}

void manpage_write(FILE *out)
{
	fprintf(out, ".TH MQSCOPE 1 \"\" \"mqscope %s\" \"User Commands\"\n", MQSCOPE_VERSION);
	fputs(".\\\" Generated by mqscope-man from the option table and the action list: do not "
	      "edit.\n",
	      out);
	fputs(".SH NAME\n"
	      "mqscope \\- watch and drive an MQTT broker in the terminal\n"
	      ".SH SYNOPSIS\n"
	      ".B mqscope\n"
	      "[\\fIOPTIONS\\fR]\n"
	      ".br\n"
	      ".B mqscope sim\n"
	      "[\\fIOPTIONS\\fR]\n"
	      ".br\n"
	      ".B mqscope pub\n"
	      "\\-t \\fITOPIC\\fR (\\-m \\fIPAYLOAD\\fR | \\-f \\fIFILE\\fR | \\-s | \\-n) "
	      "[\\fIOPTIONS\\fR]\n"
	      ".br\n"
	      ".B mqscope log\n"
	      "[\\-t \\fIFILTER\\fR]... [\\-\\-json | \\-\\-csv [\\-\\-fields \\fILIST\\fR]] "
	      "[\\-C \\fICOUNT\\fR] [\\-W \\fISECONDS\\fR] [\\fIOPTIONS\\fR]\n"
	      ".br\n"
	      ".B mqscope dump\n"
	      "[\\-t \\fIFILTER\\fR]... [\\-\\-json | \\-\\-csv [\\-\\-fields \\fILIST\\fR]] "
	      "[\\-W \\fISECONDS\\fR] [\\fIOPTIONS\\fR]\n"
	      ".SH DESCRIPTION\n"
	      ".B mqscope\n"
	      "shows every topic an MQTT broker carries as a live tree, with each topic's\n"
	      "last value, counts and rates, and the payload of the selected topic.\n"
	      "It connects with MQTT 5 (or 3.1.1, 3.1) over TCP, TLS or a unix socket,\n"
	      "reconnects by itself with a growing wait, and subscribes to\n"
	      ".B #\n"
	      "and\n"
	      ".B $SYS/#\n"
	      "unless told otherwise.\n"
	      "Subscriptions can be added and removed while it runs, without reconnecting.\n"
	      ".PP\n"
	      "With no broker named on the command line or in the config file, it starts a\n"
	      "private demo broker with simulated devices: it listens only on a unix socket\n"
	      "in a directory only its user can enter, and lets in only a password made for\n"
	      "the run.\n"
	      ".B mqscope sim\n"
	      "runs those devices against any broker, with the connection options, config\n"
	      "file and profiles of the viewer.\n"
	      ".PP\n"
	      "Everything that arrives from the network is shown safely: control characters,\n"
	      "escape sequences and invalid UTF\\-8 appear as visible escapes.\n",
	      out);
	headless_section(out);
	options_section(out);
	keys_section(out);
	fputs(
	    ".SH TLS\n"
	    "TLS is used with\n"
	    ".BR mqtts:// ,\n"
	    "with any TLS option, or on port 8883 (unless\n"
	    ".BR \\-\\-no\\-tls ).\n"
	    "The broker's certificate is checked against\n"
	    ".B \\-\\-cafile\n"
	    "or\n"
	    ".BR \\-\\-capath ,\n"
	    "or against the system's CAs when neither is given, and its name against the\n"
	    "host name.\n"
	    ".B \\-\\-insecure\n"
	    "skips the host name check (with a CA given, as in mosquitto_sub) or every check\n"
	    "(without one); the status bar then says INSECURE for as long as mqscope runs.\n"
	    "TLS 1.2 is the least version offered, unless\n"
	    ".B \\-\\-tls\\-version\n"
	    "asks for another.\n"
	    ".B \\-\\-unix\n"
	    "with a TLS option is refused: a unix socket has no TLS.\n"
	    "A failed handshake is named: an unknown CA, a host name that does not match,\n"
	    "an expired certificate, a broker that wants a client certificate or rejects\n"
	    "the one given, a client key that cannot be used, a port that does not speak TLS.\n"
	    ".SH PASSWORDS\n"
	    "The password comes from\n"
	    ".B \\-P\n"
	    "(or the user information of\n"
	    ".BR \\-L ),\n"
	    "else from\n"
	    ".B MQSCOPE_PASSWORD\n"
	    "when a username is set, else from the profile in the config file.\n"
	    ".B \"\\-P \\-\"\n"
	    "(or\n"
	    ".B password = \"\\-\";\n"
	    "in a profile) asks for it on the terminal without echo before the screen\n"
	    "starts.\n"
	    "When the broker refuses the login, mqscope asks for another password (and\n"
	    "username) without showing it and logs in again.\n"
	    "Passwords are never drawn, logged or written to the stats file, and are\n"
	    "overwritten in the process's argument list so that\n"
	    ".BR ps (1)\n"
	    "does not show them.\n"
	    "Once the connection library has its copy, mqscope wipes its own; the process\n"
	    "makes no core file and cannot be read by other processes of the same user.\n"
	    "A URL in a message shows *** for its password.\n"
	    "A config file that holds a password and is readable by others is reported\n"
	    "on the bottom line.\n"
	    ".PP\n"
	    "Files mqscope writes that may hold payloads (the recording, the stats file,\n"
	    "a payload written with w, the saved messages) are created readable by their\n"
	    "owner only, never through a symbolic link, and never into a FIFO or device.\n"
	    ".SH CONFIGURATION\n"
	    "The config file is read from\n"
	    ".BR \\-\\-config ,\n"
	    "else\n"
	    ".IR $XDG_CONFIG_HOME/mqscope/config ,\n"
	    "else\n"
	    ".IR ~/.config/mqscope/config .\n"
	    "It is a libconfig file with these sections:\n"
	    ".TP\n.B profiles\n"
	    "Named broker profiles; each setting is the long name of a broker, TLS or\n"
	    "will option above (or\n"
	    ".BR user ,\n"
	    ".BR password ,\n"
	    ".BR client_id ,\n"
	    ".BR topics ,\n"
	    ".BR exclude ,\n"
	    ".BR protocol ,\n"
	    ".BR persistent ,\n"
	    ".BR clean_session ).\n"
	    "Select one with\n"
	    ".BR \\-\\-profile ,\n"
	    "or name it in\n"
	    ".BR default_profile .\n"
	    ".TP\n.B ui\n"
	    "fps, history, memory_budget, payload_cap, max_topics, ring_bytes, ascii, theme,\n"
	    "tree_width, tree_height, mouse.\n"
	    ".TP\n.B keys\n"
	    "action = key, or a list of keys (see KEYS).\n"
	    ".TP\n.B toggles\n"
	    "One-key on/off rules for topics.\n"
	    ".TP\n.B messages\n"
	    "Saved messages to publish.\n"
	    ".PP\n"
	    "A mistake is reported as FILE:LINE and what was expected, and mqscope exits\n"
	    "with status 2. The source distribution has a documented example,\n"
	    ".IR mqscope.conf.example .\n"
	    ".SH THEMES\n"
	    ".B \\-\\-theme\n"
	    "NAME loads\n"
	    ".I NAME.theme\n"
	    "from\n"
	    ".IR $XDG_CONFIG_HOME/mqscope/themes ,\n"
	    "then from the installed\n"
	    ".IR share/mqscope/themes .\n"
	    "mqscope comes with default, light, high\\-contrast and mono.\n"
	    "A theme file gives each named slot a foreground, background and attributes;\n"
	    "colours beyond what the terminal has are fitted to the nearest it has.\n"
	    ".B NO_COLOR\n"
	    "turns colour off.\n"
	    ".B \\-\\-ascii\n"
	    "(automatic when the locale is not UTF\\-8) draws without line\\-drawing characters.\n"
	    ".SH ENVIRONMENT\n"
	    ".TP\n.B MQSCOPE_PASSWORD\n"
	    "The password, when none is given with \\-P and a username is set.\n"
	    "It is removed from the environment at start.\n"
	    ".TP\n.B NO_COLOR\n"
	    "When set and not empty, no colour is used.\n"
	    ".TP\n.B XDG_CONFIG_HOME\n"
	    "Where the config file and themes are looked for (default ~/.config).\n"
	    ".TP\n.B SSL_CERT_DIR\n"
	    "The system's CA directory (default /etc/ssl/certs), used when neither\n"
	    "\\-\\-cafile nor \\-\\-capath is given.\n"
	    ".SH EXIT STATUS\n"
	    "0 when quit; 1 when the terminal or the connection set\\-up fails; 2 for a\n"
	    "bad option, config file or theme; 128 plus the signal number when ended by\n"
	    "SIGTERM (143), SIGHUP (129), SIGINT or SIGQUIT, after restoring the terminal.\n"
	    ".SH EXAMPLES\n"
	    "Watch a broker, as with mosquitto_sub:\n"
	    ".PP\n.nf\n.RS\n"
	    "mqscope \\-h broker.lan \\-t \\(aqsensors/#\\(aq \\-t \\(aq$SYS/#\\(aq \\-v\n"
	    ".RE\n.fi\n.PP\n"
	    "A cloud broker over TLS, asking for the password:\n"
	    ".PP\n.nf\n.RS\n"
	    "mqscope \\-L mqtts://alice@mqtt.example.com:8883/devices/# \\-P \\-\n"
	    ".RE\n.fi\n.PP\n"
	    "A client certificate and a private CA:\n"
	    ".PP\n.nf\n.RS\n"
	    "mqscope \\-h mqtt.internal \\-\\-cafile ca.pem \\-\\-cert me.crt \\-\\-key me.key\n"
	    ".RE\n.fi\n"
	    ".SH SEE ALSO\n"
	    ".BR mosquitto_sub (1),\n"
	    ".BR mosquitto_pub (1),\n"
	    ".BR mosquitto (8)\n",
	    out);
}
