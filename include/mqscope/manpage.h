/* manpage.h: mqscope(1), generated from the option table and the action list. */
#ifndef MQSCOPE_MANPAGE_H
#define MQSCOPE_MANPAGE_H

#include <stdio.h>

/* Writes the man page in roff (man macros) to out. */
void manpage_write(FILE *out);

#endif
