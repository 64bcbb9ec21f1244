/* decode.c: how long a large binary payload takes to become what the payload pane draws: a
 * Sparkplug B DataSet of 1 MiB (decode, JSON text, pretty layout with folds). Target: under
 * 100 ms in all. Prints the best of several runs; asserts nothing. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mqscope/decode.h"
#include "mqscope/payload.h"
#include "mqscope/sparkplug.h"
#include "sparkplug_b.pb-c.h"

#define COLS 8

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A DataSet of mixed columns, rows added until the payload is at least min bytes. */
static uint8_t *dataset(size_t min, size_t *len, size_t *nrows)
{
	static char *names[COLS] = {"Step", "Temp", "Flow", "Name", "On", "Count", "Id", "Time"};
	static uint32_t types[COLS] = {3, 10, 9, 12, 11, 4, 7, 13};
	static const char *words[] = {"heat", "hold", "cool", "drain", "rinse"};
	size_t cap = 1 << 16, n = 0;
	Spb__Payload__DataSet__Row *rows = malloc(cap * sizeof(*rows)), **rowp = NULL;
	Spb__Payload__DataSet__DataSetValue *cells = malloc(cap * COLS * sizeof(*cells)), **cellp;
	Spb__Payload__DataSet ds = SPB__PAYLOAD__DATA_SET__INIT;
	Spb__Payload__Metric m = SPB__PAYLOAD__METRIC__INIT, *mp = &m;
	Spb__Payload p = SPB__PAYLOAD__INIT;
	uint8_t *buf;

	cellp = malloc(cap * COLS * sizeof(*cellp));
	ds.has_num_of_columns = 1;
	ds.num_of_columns = COLS;
	ds.n_columns = COLS;
	ds.columns = names;
	ds.n_types = COLS;
	ds.types = types;
	m.name = "Recipe/History";
	m.has_datatype = 1;
	m.datatype = 16;
	m.value_case = SPB__PAYLOAD__METRIC__VALUE_DATASET_VALUE;
	m.dataset_value = &ds;
	p.has_timestamp = p.has_seq = 1;
	p.timestamp = 1700000000000;
	p.n_metrics = 1;
	p.metrics = &mp;
	for (;;) {
		Spb__Payload__DataSet__DataSetValue *c = &cells[n * COLS];

		if (n == cap)
			break;
		for (int k = 0; k < COLS; k++) {
			spb__payload__data_set__data_set_value__init(&c[k]);
			cellp[n * COLS + (size_t)k] = &c[k];
		}
		c[0].value_case = SPB__PAYLOAD__DATA_SET__DATA_SET_VALUE__VALUE_INT_VALUE;
		c[0].int_value = (uint32_t)n;
		c[1].value_case = SPB__PAYLOAD__DATA_SET__DATA_SET_VALUE__VALUE_DOUBLE_VALUE;
		c[1].double_value = 20.0 + (double)(n % 700) / 10.0;
		c[2].value_case = SPB__PAYLOAD__DATA_SET__DATA_SET_VALUE__VALUE_FLOAT_VALUE;
		c[2].float_value = (float)(n % 97) / 4.0f;
		c[3].value_case = SPB__PAYLOAD__DATA_SET__DATA_SET_VALUE__VALUE_STRING_VALUE;
		c[3].string_value = (char *)words[n % 5];
		c[4].value_case = SPB__PAYLOAD__DATA_SET__DATA_SET_VALUE__VALUE_BOOLEAN_VALUE;
		c[4].boolean_value = n % 2;
		c[5].value_case = SPB__PAYLOAD__DATA_SET__DATA_SET_VALUE__VALUE_LONG_VALUE;
		c[5].long_value = (uint64_t)n * 1000003;
		c[6].value_case = SPB__PAYLOAD__DATA_SET__DATA_SET_VALUE__VALUE_LONG_VALUE;
		c[6].long_value = n * 7;
		c[7].value_case = SPB__PAYLOAD__DATA_SET__DATA_SET_VALUE__VALUE_LONG_VALUE;
		c[7].long_value = 1700000000000 + n * 1000;
		spb__payload__data_set__row__init(&rows[n]);
		rows[n].n_elements = COLS;
		rows[n].elements = &cellp[n * COLS];
		n++;
		if (n % 1024 == 0) {
			free(rowp);
			rowp = malloc(n * sizeof(*rowp));
			for (size_t i = 0; i < n; i++)
				rowp[i] = &rows[i];
			ds.n_rows = n;
			ds.rows = rowp;
			if (spb__payload__get_packed_size(&p) >= min)
				break;
		}
	}
	*len = spb__payload__get_packed_size(&p);
	buf = malloc(*len);
	spb__payload__pack(&p, buf);
	*nrows = n;
	free(rowp);
	free(rows);
	free(cells);
	free(cellp);
	return buf;
}

int main(void)
{
	size_t len, nrows;
	uint8_t *buf = dataset(1 << 20, &len, &nrows);
	double best[3] = {1e9, 1e9, 1e9};
	size_t text_len = 0, lines = 0;

	for (int run = 0; run < 7; run++) {
		struct decode_in in = {
		    .data = buf, .len = len, .topic = "spBv1.0/G/DDATA/N/D", .topic_len = 19};
		struct pdoc d;
		char err[256], *text;
		double tu = now_ms(), t0, t1, t2, t3;
		Spb__Payload *up = spb__payload__unpack(NULL, len, buf);
		cJSON *doc;

		spb__payload__free_unpacked(up, NULL);
		t0 = now_ms();
		if (run == 6)
			printf("libprotobuf-c unpack and free alone: %.1f ms\n", t0 - tu);
		doc = decode_sparkplug(&in, err, sizeof(err));

		if (doc == NULL) {
			fprintf(stderr, "decode: %s\n", err);
			return 1;
		}
		t1 = now_ms();
		text = decode_json(doc, &text_len);
		cJSON_Delete(doc);
		t2 = now_ms();
		pdoc_init(&d);
		payload_json_format(text, text_len, &d);
		t3 = now_ms();
		lines = d.nlines;
		pdoc_free(&d);
		free(text);
		best[0] = t1 - t0 < best[0] ? t1 - t0 : best[0];
		best[1] = t2 - t1 < best[1] ? t2 - t1 : best[1];
		best[2] = t3 - t2 < best[2] ? t3 - t2 : best[2];
	}
	printf("sparkplug dataset %.2f MiB, %zu rows x %d columns -> %.1f MiB JSON, %zu lines (CPU "
	       "time, best of 7)\n",
	       (double)len / (1 << 20), nrows, COLS, (double)text_len / (1 << 20), lines);
	printf("decode %.1f ms  json %.1f ms  layout %.1f ms  total %.1f ms  (target < 100 ms)\n",
	       best[0], best[1], best[2], best[0] + best[1] + best[2]);
	free(buf);
	return 0;
}
