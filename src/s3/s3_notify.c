/*
 * s3_notify.c - bucket notifications to Lambda.  PutBucketNotification-
 * Configuration is checked as S3 checks it (each function must exist and
 * let s3.amazonaws.com invoke it; filter rules are prefix or suffix) and
 * kept twice in the bucket's config document: the XML GET answers, with
 * generated Ids, and the rules as JSON for matching.  A change that
 * matches a rule queues the event, in AWS's JSON, as an asynchronous
 * invoke inside the change's own transaction (lambda_event_enqueue), so
 * an acknowledged write always has its event and a rolled-back one never.
 */
#include "s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "tinystack/lambda.h"
#include "tinystack/log.h"
#include "tinystack/xml.h"

static const char *const event_names[] = {
    "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete", "s3:ReducedRedundancyLostObject", "s3:Replication:*",
    "s3:Replication:OperationFailedReplication", "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated", "s3:LifecycleTransition",
    "s3:IntelligentTiering", "s3:ObjectTagging:*", "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete", "s3:ObjectAcl:Put", NULL,
};

static int event_known(const char *e)
{
    for (int i = 0; event_names[i]; i++)
        if (!strcmp(e, event_names[i]))
            return 1;
    return 0;
}

static int bad_destination(ts_req *req, ts_resp *resp, const char *arn, const char *why)
{
    ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT,
                  "Unable to validate the following destination configurations");
    ts_resp_error_field(req, resp, "ArgumentName", arn);
    ts_resp_error_field(req, resp, "ArgumentValue", why);
    return -1;
}

/* Reads one configuration element (its destination under dest_tag) into
 * a rule, and writes it back into out as S3 answers it.  0 or -1. */
static int read_rule(ts_req *req, ts_resp *resp, const s3_bucket *b, const ts_xml_node *n,
                     cJSON *rules, ts_buf *out)
{
    const char *id = ts_xml_child_text(n, "Id");
    const char *arn = ts_xml_child_text(n, "CloudFunction");
    const ts_xml_node *f, *e;
    cJSON *rule, *events;
    char gen[40], source[300];
    int allowed;

    if (!arn || !*arn)
        return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
    snprintf(source, sizeof source, "arn:aws:s3:::%s", b->name);
    allowed = lambda_allows_service(b->region, req->account, arn, "s3.amazonaws.com", source);
    if (allowed < 0)
        return bad_destination(req, resp, arn, "The destination function does not exist");
    if (allowed == 0)
        return bad_destination(req, resp, arn,
                               ts_arena_printf(req->arena, "Not authorized to invoke function "
                                               "[%s]", arn));
    if (!id || !*id) {
        char *b64;
        ts_uuid_v4(gen);
        b64 = ts_base64_encode((const unsigned char *)gen, strlen(gen));
        id = ts_arena_strdup(req->arena, b64);
        ts_free(b64);
    }
    rule = cJSON_CreateObject();
    cJSON_AddStringToObject(rule, "id", id);
    cJSON_AddStringToObject(rule, "function", arn);
    events = cJSON_AddArrayToObject(rule, "events");
    ts_xml_open(out, "CloudFunctionConfiguration");
    ts_xml_text(out, "Id", id);
    ts_xml_text(out, "CloudFunction", arn);
    for (e = ts_xml_child(n, "Event"); e; e = ts_xml_next(e)) {
        if (!event_known(e->text)) {
            cJSON_Delete(rule);
            ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT, "The event is not supported for "
                                                         "notifications");
            ts_resp_error_field(req, resp, "ArgumentName", "Event");
            ts_resp_error_field(req, resp, "ArgumentValue", e->text);
            return -1;
        }
        cJSON_AddItemToArray(events, cJSON_CreateString(e->text + 3));  /* no "s3:" */
        ts_xml_text(out, "Event", e->text);
    }
    if (cJSON_GetArraySize(events) == 0) {
        cJSON_Delete(rule);
        return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
    }
    f = ts_xml_child(ts_xml_child(n, "Filter"), "S3Key");
    if (f) {
        ts_xml_open(out, "Filter");
        ts_xml_open(out, "S3Key");
        for (const ts_xml_node *r = ts_xml_child(f, "FilterRule"); r; r = ts_xml_next(r)) {
            const char *name = ts_xml_child_text(r, "Name");
            const char *value = ts_xml_child_text(r, "Value");
            int prefix = name && !strcasecmp(name, "prefix");
            if (!name || (!prefix && strcasecmp(name, "suffix"))) {
                cJSON_Delete(rule);
                ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT,
                              "filter rule name must be either prefix or suffix");
                ts_resp_error_field(req, resp, "ArgumentName", "FilterRule.Name");
                ts_resp_error_field(req, resp, "ArgumentValue", name ? name : "");
                return -1;
            }
            if (cJSON_GetObjectItemCaseSensitive(rule, prefix ? "prefix" : "suffix")) {
                cJSON_Delete(rule);
                ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT,
                              "Cannot specify more than one prefix rule in a filter.");
                ts_resp_error_field(req, resp, "ArgumentName", "FilterRule.Name");
                ts_resp_error_field(req, resp, "ArgumentValue", name);
                return -1;
            }
            cJSON_AddStringToObject(rule, prefix ? "prefix" : "suffix", value ? value : "");
            ts_xml_open(out, "FilterRule");
            ts_xml_text(out, "Name", prefix ? "Prefix" : "Suffix");
            ts_xml_text(out, "Value", value ? value : "");
            ts_xml_close(out, "FilterRule");
        }
        ts_xml_close(out, "S3Key");
        ts_xml_close(out, "Filter");
    }
    ts_xml_close(out, "CloudFunctionConfiguration");
    cJSON_AddItemToArray(rules, rule);
    return 0;
}

int s3_notification_read(ts_req *req, ts_resp *resp, const s3_bucket *b, char **xml,
                         char **rules_json)
{
    const ts_xml_node *root = req->body.len
        ? ts_xml_parse(req->arena, req->body.data, req->body.len) : NULL;
    cJSON *rules = cJSON_CreateArray();
    ts_buf out;
    int rc = 0;

    *xml = *rules_json = NULL;
    if (req->body.len && (!root || strcmp(root->name, "NotificationConfiguration"))) {
        cJSON_Delete(rules);
        return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
    }
    ts_buf_init(&out);
    for (const ts_xml_node *n = root ? root->child : NULL; n && rc == 0; n = n->next) {
        if (!strcmp(n->name, "CloudFunctionConfiguration")) {
            rc = read_rule(req, resp, b, n, rules, &out);
        } else if (!strcmp(n->name, "QueueConfiguration") ||
                   !strcmp(n->name, "TopicConfiguration")) {
            const char *arn = ts_xml_child_text(n, n->name[0] == 'Q' ? "Queue" : "Topic");
            rc = bad_destination(req, resp, arn ? arn : "",
                                 "tinystack delivers bucket notifications to Lambda only "
                                 "(SQS and SNS are not emulated yet)");
        } else if (!strcmp(n->name, "EventBridgeConfiguration")) {
            ts_buf_puts(&out, "<EventBridgeConfiguration></EventBridgeConfiguration>");
        }
    }
    if (rc == 0) {
        *xml = ts_buf_detach(&out, NULL);
        if (!*xml)
            *xml = ts_strdup("");
        *rules_json = cJSON_GetArraySize(rules) ? cJSON_PrintUnformatted(rules) : NULL;
    }
    ts_buf_free(&out);
    cJSON_Delete(rules);
    return rc;
}

static int rule_matches(const cJSON *rule, const char *event, const char *key)
{
    const cJSON *e;
    const char *prefix = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rule, "prefix"));
    const char *suffix = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rule, "suffix"));
    int hit = 0;

    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(rule, "events"))
        if (cJSON_IsString(e) && ts_glob_match(e->valuestring, event))
            hit = 1;
    if (!hit)
        return 0;
    if (prefix && !ts_starts_with(key, prefix))
        return 0;
    if (suffix && !ts_ends_with(key, suffix))
        return 0;
    return 1;
}

/* The object key as S3 writes it in events: URL-encoded, space as +. */
static void event_key(ts_buf *b, const char *key)
{
    ts_buf enc;

    ts_buf_init(&enc);
    ts_url_encode(&enc, key, strlen(key), 1);
    for (size_t i = 0; i < enc.len; i++) {
        if (i + 2 < enc.len && !memcmp(enc.data + i, "%20", 3)) {
            ts_buf_putc(b, '+');
            i += 2;
        } else {
            ts_buf_putc(b, enc.data[i]);
        }
    }
    ts_buf_free(&enc);
}

void s3_event_emit(ts_req *req, const s3_bucket *b, const char *event, const char *key,
                   uint64_t size, const char *etag, const char *version)
{
    static _Atomic unsigned long long seq;
    cJSON *cfg, *rules, *rule;
    int depth;

    if (!b->config || !strstr(b->config, "\"notification_rules\""))
        return;
    cfg = cJSON_Parse(b->config);
    rules = cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cfg, "notification_rules")));
    cJSON_Delete(cfg);
    depth = lambda_depth_of_trace(ts_req_header(req, "X-Amzn-Trace-Id")) + 1;
    cJSON_ArrayForEach(rule, rules) {
        cJSON *root, *rec, *s3, *o;
        char time[32], sq[24], *text;
        ts_buf k;
        const char *fn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rule, "function"));

        if (!fn || !rule_matches(rule, event, key))
            continue;
        if (depth > LAMBDA_MAX_DEPTH) {
            ts_log(TS_LOG_WARN, "s3: %s on %s/%s not sent to %s: %d triggered invokes in a row "
                   "(a handler writing into its own trigger bucket?)", event, b->name, key, fn,
                   depth - 1);
            continue;
        }
        root = cJSON_CreateObject();
        rec = cJSON_CreateObject();
        cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "Records"), rec);
        cJSON_AddStringToObject(rec, "eventVersion", "2.1");
        cJSON_AddStringToObject(rec, "eventSource", "aws:s3");
        cJSON_AddStringToObject(rec, "awsRegion", b->region);
        ts_time_iso8601(ts_now_ms(), time);
        cJSON_AddStringToObject(rec, "eventTime", time);
        cJSON_AddStringToObject(rec, "eventName", event);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(rec, "userIdentity"), "principalId",
                                "AWS:" "AIDAINPONIXQXHT3IKHL2");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(rec, "requestParameters"),
                                "sourceIPAddress", "127.0.0.1");
        o = cJSON_AddObjectToObject(rec, "responseElements");
        cJSON_AddStringToObject(o, "x-amz-request-id", req->request_id);
        cJSON_AddStringToObject(o, "x-amz-id-2", req->host_id);
        s3 = cJSON_AddObjectToObject(rec, "s3");
        cJSON_AddStringToObject(s3, "s3SchemaVersion", "1.0");
        cJSON_AddStringToObject(s3, "configurationId",
                                cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rule, "id")));
        o = cJSON_AddObjectToObject(s3, "bucket");
        cJSON_AddStringToObject(o, "name", b->name);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "ownerIdentity"), "principalId",
                                "A3NL1KOZZKExample");
        cJSON_AddStringToObject(o, "arn", ts_arena_printf(req->arena, "arn:aws:s3:::%s", b->name));
        o = cJSON_AddObjectToObject(s3, "object");
        ts_buf_init(&k);
        event_key(&k, key);
        ts_buf_putc(&k, '\0');
        cJSON_AddStringToObject(o, "key", k.data);
        ts_buf_free(&k);
        if (ts_starts_with(event, "ObjectCreated")) {
            cJSON_AddNumberToObject(o, "size", (double)size);
            if (etag) {
                size_t n = strlen(etag);
                cJSON_AddStringToObject(o, "eTag", n >= 2 && etag[0] == '"'
                    ? ts_arena_strndup(req->arena, etag + 1, n - 2) : etag);
            }
        }
        if (version && strcmp(version, "null"))
            cJSON_AddStringToObject(o, "versionId", version);
        snprintf(sq, sizeof sq, "%016llX",
                 (unsigned long long)ts_now_ms() * 1000000ull + (seq++ % 1000000ull));
        cJSON_AddStringToObject(o, "sequencer", sq);
        text = cJSON_PrintUnformatted(root);
        if (lambda_event_enqueue(fn, text, strlen(text), depth) != 0)
            ts_log(TS_LOG_ERROR, "s3: cannot queue %s for %s", event, fn);
        cJSON_free(text);
        cJSON_Delete(root);
    }
    cJSON_Delete(rules);
}
