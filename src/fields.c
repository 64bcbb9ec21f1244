/* fields.c: chooses which fields of a line show, and how long, for the width there is. */
#include "mqscope/fields.h"

/* Columns the shown fields and the separators between them take. */
static int fields_width(const struct field *f, size_t n, int sep)
{
	int w = 0, shown = 0;

	for (size_t i = 0; i < n; i++) {
		if (f[i].chosen < 0)
			continue;
		w += f[i].width[f[i].chosen];
		shown++;
	}
	return w + (shown > 1 ? (shown - 1) * sep : 0);
}

/* The field that gives way next: the largest prio, the last of them; -1 when none is left. */
static long next_to_give(const struct field *f, size_t n)
{
	long pick = -1;

	for (size_t i = 0; i < n; i++)
		if (f[i].chosen >= 0 && (pick < 0 || f[i].prio >= f[pick].prio))
			pick = (long)i;
	return pick;
}

int fields_fit(struct field *f, size_t n, int width, int sep)
{
	int w;

	for (size_t i = 0; i < n; i++)
		f[i].chosen = f[i].form[0] ? 0 : -1;
	while ((w = fields_width(f, n, sep)) > width) {
		long i = next_to_give(f, n);

		if (i < 0)
			break;
		if (f[i].chosen + 1 < FIELD_FORMS && f[i].form[f[i].chosen + 1])
			f[i].chosen++;
		else
			f[i].chosen = -1;
	}
	return w;
}
