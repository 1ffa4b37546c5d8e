/*
 * services.h - the services the binary serves, for the router and the
 * health report.  Each service module defines its descriptor.
 */
#ifndef TINYSTACK_SERVICES_H
#define TINYSTACK_SERVICES_H

#include "tinystack/http.h"

extern const ts_service s3_service;
extern const ts_service ddb_service;

/* Lets each service register its bus handlers and periodic jobs. */
void services_init(void);
/* DynamoDB's periodic TTL sweep. */
void ddb_ttl_sweep(void);

#endif
