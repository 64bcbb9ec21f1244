/* fields.h: a line of fields (a status bar) fitted to a width by priority: each field is
 * shortened before it is dropped, the least important first, and none is ever cut. */
#ifndef MQSCOPE_FIELDS_H
#define MQSCOPE_FIELDS_H

#include <stddef.h>

#define FIELD_FORMS 3

struct field {
	const char *form[FIELD_FORMS]; /* the longest first; NULL: no shorter form */
	int width[FIELD_FORMS];        /* columns each form takes (the caller measures) */
	int prio;                      /* 0 the most important; larger give way first */
	int chosen;                    /* set by fields_fit: the form shown, or -1: dropped */
};

/*
 * Chooses a form for each of n fields, in display order, so that the shown
 * ones with sep columns between them fit width: the fields of the largest
 * prio give way first (later ones before earlier ones of the same prio),
 * each taking its shorter forms in turn and then left out. Returns the
 * columns the shown fields take.
 */
int fields_fit(struct field *f, size_t n, int width, int sep);

#endif
