/* publish.c: sends messages for the UI and reports what the broker made of them; one-key toggles.
 */
#include "mqscope/publish.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/publish_form.h"
#include "mqscope/sparkplug.h"
#include "mqscope/toggle.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define ACK_TIMEOUT_MS 10000
#define ACK_POLL_MS    50

/* Follows the acknowledgements of messages handed to the session. */
struct pub_job {
	struct job j;
	unsigned broker; /* the app's broker the messages went to */
	int *mids;
	size_t n, pending, refused;
	int first_rc;
	bool report_ok;
	bool no_subscribers;
	char done[600];
	int64_t deadline;
	char label[512];
	bool has_draft;
	struct pub_draft draft;
};

static void report(struct pub_job *p, struct ui *u, bool timed_out)
{
	char why[160], na[32], nb[32];

	if (p->refused) {
		session_reason_text(REASON_V5, p->first_rc, why, sizeof(why));
		if (p->has_draft) {
			char status[400];

			snprintf(status, sizeof(status),
			         "The broker refused it: %s (reason code %d). Nothing was lost: "
			         "edit and press C-s to try again.",
			         why, p->first_rc);
			publish_form_open_draft(u, &p->draft, status);
		}
		if (p->n == 1)
			ui_notice(u, HINT_ERROR, "Broker refused %s: %s (reason code %d)", p->label,
			          why, p->first_rc);
		else
			ui_notice(u, HINT_ERROR,
			          "%s of %s messages of %s refused by the broker: %s (reason code "
			          "%d)",
			          fmt_count(na, sizeof(na), p->refused),
			          fmt_count(nb, sizeof(nb), p->n), p->label, why, p->first_rc);
	} else if (timed_out) {
		if (p->n == 1)
			ui_notice(
			    u, HINT_ERROR,
			    "No acknowledgement for %s from the broker within %ds (it may still "
			    "come after a reconnect)",
			    p->label, ACK_TIMEOUT_MS / 1000);
		else
			ui_notice(u, HINT_ERROR,
			          "No acknowledgement for %s of %s messages of %s within %ds",
			          fmt_count(na, sizeof(na), p->pending),
			          fmt_count(nb, sizeof(nb), p->n), p->label, ACK_TIMEOUT_MS / 1000);
	} else if (p->report_ok) {
		ui_notice(u, HINT_NOTICE, "%s, acknowledged by the broker%s", p->done,
		          p->no_subscribers ? " (no one is subscribed)" : "");
	}
}

static int64_t pub_job_step(struct job *j, struct ui *u, int64_t now)
{
	struct pub_job *p = (struct pub_job *)j;

	if (p->pending == 0) {
		report(p, u, false);
		return JOB_DONE;
	}
	if (now >= p->deadline) {
		report(p, u, true);
		return JOB_DONE;
	}
	return now + ACK_POLL_MS < p->deadline ? now + ACK_POLL_MS : p->deadline;
}

static void pub_job_event(struct job *j, struct ui *u, const struct session_event *ev)
{
	struct pub_job *p = (struct pub_job *)j;

	(void)u;
	if (ev->kind != SESSION_EV_PUBLISHED || ev->broker != p->broker)
		return;
	for (size_t i = 0; i < p->n; i++) {
		if (p->mids[i] != ev->mid)
			continue;
		p->mids[i] = -1;
		p->pending--;
		if (ev->rc >= 128 && p->refused++ == 0)
			p->first_rc = ev->rc;
		if (ev->rc == 16) /* MQTT 5: no matching subscribers */
			p->no_subscribers = true;
		return;
	}
}

static void pub_job_free(struct job *j)
{
	struct pub_job *p = (struct pub_job *)j;

	if (p->has_draft)
		pub_draft_free(&p->draft);
	free(p->mids);
	free(p);
}

static const struct job_ops pub_job_ops = {
    .name = "publish",
    .step = pub_job_step,
    .event = pub_job_event,
    .free = pub_job_free,
};

size_t publish_send(struct ui *u, const struct pub_req *reqs, size_t n, const char *label,
                    const char *done, const struct pub_draft *draft, char *err, size_t cap)
{
	return publish_send_on(u, ui_link(u), reqs, n, label, done, draft, err, cap);
}

size_t publish_send_on(struct ui *u, struct app_link *l, const struct pub_req *reqs, size_t n,
                       const char *label, const char *done, const struct pub_draft *draft,
                       char *err, size_t cap)
{
	struct app *a = ui_app(u);
	struct session *ss = l->session;
	struct pub_job *p;
	size_t sent = 0;

	if (ss == NULL) {
		snprintf(err, cap, "not connected (no broker session)");
		return 0;
	}
	p = xcalloc(1, sizeof(*p));
	p->j.ops = &pub_job_ops;
	p->broker = (unsigned)app_link_index(a, l);
	p->mids = xcalloc(n ? n : 1, sizeof(*p->mids));
	snprintf(p->label, sizeof(p->label), "%s", label);
	for (; sent < n; sent++) {
		if (session_publish(ss, &reqs[sent], &p->mids[sent], err, cap) != 0)
			break;
		if (reqs[sent].qos > 0)
			p->report_ok = true;
	}
	if (sent < n && strcmp(err, "not connected") == 0) {
		struct session_status st;
		char desc[200];

		session_status(ss, &st);
		session_describe(&st, clock_mono_ms(), desc, sizeof(desc));
		snprintf(err, cap, "not connected (%s)", desc);
	}
	if (sent == 0) {
		pub_job_free(&p->j);
		return 0;
	}
	p->n = p->pending = sent;
	if (sent == n) {
		/* with several brokers, which one took it */
		size_t k = strnlen(done, sizeof(p->done) - 1);

		memcpy(p->done, done, k);
		p->done[k] = '\0';
		if (a->several)
			snprintf(p->done + k, sizeof(p->done) - k, " on %s", l->label);
		done = p->done;
		ui_notice(u, HINT_NOTICE, "%s", done);
	} else {
		p->report_ok = false; /* the caller reports the part that was not sent */
	}
	p->deadline = clock_mono_ms() + ACK_TIMEOUT_MS;
	if (draft != NULL && sent == 1) {
		pub_draft_copy(&p->draft, draft);
		p->has_draft = true;
	}
	ui_start_job(u, &p->j);
	return sent;
}

#define SPB_DATA_BACK 16 /* DATA values looked back through for a metric's newest state */

/*
 * The BIRTH and the recent DATA of the Sparkplug node or device that topic (one of its BIRTH
 * or DATA topics) belongs to, decoded into more[] and docs[] (up to max): a DATA carries only
 * the metrics that changed, and a toggle writes from the newest state of a metric. Returns how
 * many; l is the broker topic is on.
 */
static size_t spb_states(struct app *a, const struct app_link *l, const char *topic,
                         struct decoded *more, struct toggle_doc *docs, size_t max)
{
	static const char *const kinds[2][2] = {{"NBIRTH", "NDATA"}, {"DBIRTH", "DDATA"}};
	struct spb_topic t;
	size_t n = 0;

	if (!spb_topic_parse(topic, strlen(topic), &t) ||
	    (t.type != SPB_NBIRTH && t.type != SPB_NDATA && t.type != SPB_DBIRTH &&
	     t.type != SPB_DDATA))
		return 0;
	for (size_t k = 0; k < 2; k++) {
		char other[1024];
		int len = t.device ? snprintf(other, sizeof(other), "%s%.*s/%s/%.*s/%.*s",
		                              SPB_NAMESPACE, (int)t.group_len, t.group, kinds[1][k],
		                              (int)t.node_len, t.node, (int)t.device_len, t.device)
		                   : snprintf(other, sizeof(other), "%s%.*s/%s/%.*s", SPB_NAMESPACE,
		                              (int)t.group_len, t.group, kinds[0][k],
		                              (int)t.node_len, t.node);
		tree_id id;

		if (len <= 0 || (size_t)len >= sizeof(other))
			continue;
		id = app_find(a, l, other);
		if (id == TREE_NONE)
			continue;
		for (unsigned age = 0; age < (k ? SPB_DATA_BACK : 1) && n < max; age++) {
			const struct tree_value *v = tree_value(a->tree, id, age);

			if (v == NULL)
				break;
			decoded_read(&a->dec, a->tree, id, v, false, &more[n]);
			docs[n] = (struct toggle_doc){more[n].json, more[n].len, v->time_ms};
			n++;
		}
	}
	return n;
}

void publish_toggle(struct ui *u)
{
	struct app *a = ui_app(u);
	const struct app_link *l = ui_link(u); /* the selection's broker: its toggle rules */
	tree_id sel = ui_selected(u);
	const struct tree_value *v;
	struct toggle_out o;
	struct pub_req req;
	struct decoded d;
	char err[600], label[400], done[600], ctype[128], *topic, na[32], nb[32];
	const char *ct;
	size_t ctlen;

	if (sel == TREE_NONE || sel == TREE_ROOT) {
		ui_notice(u, HINT_ERROR, "Select a topic to toggle first");
		return;
	}
	topic = app_topic_dup(a, sel);
	v = (tree_node(a->tree, sel)->flags & TREE_F_VALUE) ? tree_value(a->tree, sel, 0) : NULL;
	if (v == NULL) {
		ui_notice(u, HINT_ERROR, "Not toggled: %s has no value", topic);
		goto out;
	}
	if (v->orig_len > v->len) {
		ui_notice(u, HINT_ERROR,
		          "Not toggled: only %s of the %s bytes of %s were kept (payload_cap)",
		          fmt_count(na, sizeof(na), v->len), fmt_count(nb, sizeof(nb), v->orig_len),
		          topic);
		goto out;
	}
	/* A binary format is written back in its own terms, never as its decoded JSON. */
	decoded_read(&a->dec, a->tree, sel, v, false, &d);
	if (d.choice.format != DECODE_NONE) {
		struct decoded more[TOGGLE_DOCS_MAX - 1];
		struct toggle_doc docs[TOGGLE_DOCS_MAX] = {{d.json, d.len, v->time_ms}};
		size_t ndocs = 1 + spb_states(a, l, topic, more, docs + 1, TOGGLE_DOCS_MAX - 1);
		int rc = toggle_decoded(d.choice.format, l->cfg->toggles, l->cfg->ntoggles, topic,
		                        v->data, v->len, docs, ndocs, v->qos, v->retained, &o, err,
		                        sizeof(err));

		for (size_t i = 1; i < ndocs; i++)
			decoded_free(&more[i - 1]);
		if (rc != 0) {
			decoded_free(&d);
			ui_notice(u, HINT_ERROR, "%s", err);
			goto out;
		}
	} else if (toggle_compute(l->cfg->toggles, l->cfg->ntoggles, topic, v->data, v->len, v->qos,
	                          v->retained, &o, err, sizeof(err)) != 0) {
		decoded_free(&d);
		ui_notice(u, HINT_ERROR, "%s", err);
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.topic = o.topic;
	req.payload = o.payload;
	req.len = o.len;
	req.qos = o.qos;
	req.retain = o.retain;
	/* The same content type, so that the new value reads as the old one did. */
	if ((d.choice.format == DECODE_CBOR || d.choice.format == DECODE_MSGPACK) &&
	    decode_content_type(v->data + v->len, v->props_len, &ct, &ctlen) &&
	    ctlen < sizeof(ctype)) {
		memcpy(ctype, ct, ctlen);
		ctype[ctlen] = '\0';
		req.content_type = ctype;
	}
	decoded_free(&d);
	snprintf(label, sizeof(label), "%s to %s", o.to, o.topic);
	if (strcmp(o.topic, topic) == 0)
		snprintf(done, sizeof(done), "Toggled %s: %s -> %s (QoS %d%s)", topic, o.from, o.to,
		         o.qos, o.retain ? ", retained" : "");
	else
		snprintf(done, sizeof(done), "Toggled %s: %s -> %s, sent to %s (QoS %d%s)", topic,
		         o.from, o.to, o.topic, o.qos, o.retain ? ", retained" : "");
	if (publish_send(u, &req, 1, label, done, NULL, err, sizeof(err)) == 0)
		ui_notice(u, HINT_ERROR, "Not toggled: %s", err);
	toggle_out_free(&o);
out:
	free(topic);
}
