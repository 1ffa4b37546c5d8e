/*
 * yaml.h - YAML documents read into cJSON (OpenAPI definitions imported
 * into API Gateway).  libyaml parses; it is loaded with dlopen on first
 * use, so a daemon that never reads YAML never maps it.
 */
#ifndef TINYSTACK_YAML_H
#define TINYSTACK_YAML_H

#include <stddef.h>

struct cJSON;

/* The first document of text[0..len) as JSON values: mappings become
 * objects (keys as written), sequences arrays, plain scalars null, true,
 * false or numbers when they read as such (YAML 1.2's core schema), every
 * other scalar a string; aliases copy their anchor (at most 100,000 nodes
 * in all).  A new object the caller deletes, or NULL with the reason in
 * err (libyaml missing, a syntax error with its line, too deep, too
 * big). */
struct cJSON *ts_yaml_parse(const char *text, size_t len, char *err, size_t errlen);

#endif
