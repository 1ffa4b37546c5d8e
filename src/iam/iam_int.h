/*
 * iam_int.h - what the files of src/iam/ share: reading the form
 * arguments of c->in, the checks on names every operation makes, and the
 * operations the table in iam.c points at.
 */
#ifndef TINYSTACK_IAM_INT_H
#define TINYSTACK_IAM_INT_H

#include "tinystack/service.h"
#include "tinystack/store.h"
#include "tinystack/xml.h"

/* The form argument name of c, or NULL when the request has none.  The
 * string belongs to c->in. */
const char *iam_arg(ts_call *c, const char *name);

/* The argument name as required by the model (member is its camelCase
 * name in AWS's messages): the value, or NULL with ValidationError set
 * when it is missing. */
const char *iam_arg_required(ts_call *c, const char *name, const char *member);

/* The RoleName argument, required and checked against the model's
 * pattern and length; NULL with ValidationError set otherwise. */
const char *iam_role_name(ts_call *c);

/* The MaxItems argument of a listing (1 to 1000, 100 when absent) into
 * *n; 0, or -1 with ValidationError set. */
int iam_max_items(ts_call *c, int *n);

/* Looks the role called name up in the caller's account: its row id
 * (> 0), or 0 with NoSuchEntity set. */
int64_t iam_role_find(ts_call *c, const char *name);

/* iam_role.c */
int iam_create_role(ts_call *c);
int iam_get_role(ts_call *c);
int iam_list_roles(ts_call *c);
int iam_delete_role(ts_call *c);

/* iam_role_policy.c */
int iam_attach_role_policy(ts_call *c);
int iam_detach_role_policy(ts_call *c);
int iam_list_attached_role_policies(ts_call *c);

#endif
