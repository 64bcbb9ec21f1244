/* man_main.c: mqscope-man, run by the build to write mqscope.1 to stdout. */
#include <stdio.h>

#include "mqscope/manpage.h"

int main(void)
{
	manpage_write(stdout);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
