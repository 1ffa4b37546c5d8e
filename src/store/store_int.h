/*
 * store_int.h - what the files of src/store/ share.
 */
#ifndef TINYSTACK_STORE_INT_H
#define TINYSTACK_STORE_INT_H

#include "tinystack/store.h"

extern const char *const store_migrations[];
extern const int store_nmigrations;

#endif
