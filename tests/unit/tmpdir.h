/* tmpdir.h: one scratch directory for a unit test program, made in $TMPDIR (or /tmp) by the
 * cmocka group setup and removed, with all in it, by the group teardown. */
#ifndef MQSCOPE_TESTS_TMPDIR_H
#define MQSCOPE_TESTS_TMPDIR_H

/* The directory's path, valid between tmpdir_setup and tmpdir_teardown. */
extern char tmpdir[128];

/* For cmocka_run_group_tests: makes mqscope-<program>-XXXXXX; 0 or -1. */
int tmpdir_setup(void **state);
/* For cmocka_run_group_tests: removes the directory and everything below it; 0 or -1. */
int tmpdir_teardown(void **state);

#endif
