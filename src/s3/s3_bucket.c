/*
 * s3_bucket.c - bucket operations: create (with its location constraint
 * rules), head, delete, list, location, versioning, tagging, ACL, and the
 * configuration documents S3 keeps per bucket (policy, notification,
 * lifecycle ...), stored as given and handed back.
 */
#include "s3_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* AWS's naming rules for general purpose buckets. */
static int bucket_name_valid(const char *n)
{
    size_t len = strlen(n);
    int digits_dots = 1, dots = 0;

    if (len < 3 || len > 63)
        return 0;
    if (!islower((unsigned char)n[0]) && !isdigit((unsigned char)n[0]))
        return 0;
    if (!islower((unsigned char)n[len - 1]) && !isdigit((unsigned char)n[len - 1]))
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)n[i];
        if (!(islower(c) || isdigit(c) || c == '.' || c == '-'))
            return 0;
        if (c == '.' && (n[i + 1] == '.' || n[i + 1] == '-' || (i && n[i - 1] == '-')))
            return 0;
        if (c == '.')
            dots++;
        else if (!isdigit(c))
            digits_dots = 0;
    }
    if (digits_dots && dots == 3)
        return 0; /* looks like an IP address */
    if (ts_starts_with(n, "xn--") || ts_starts_with(n, "sthree-") ||
        ts_ends_with(n, "-s3alias") || ts_ends_with(n, "--ol-s3"))
        return 0;
    return 1;
}

int s3_create_bucket(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *name = s3_ctx_of(req)->bucket, *region = req->region;
    const char *constraint = NULL;
    sqlite3_stmt *st;
    int rc;

    if (!bucket_name_valid(name)) {
        ts_resp_error(resp, TS_ERR_INVALID_BUCKET_NAME, NULL);
        ts_resp_error_field(req, resp, "BucketName", name);
        return -1;
    }
    if (req->body.len) {
        ts_xml_node *root = ts_xml_parse(req->arena, req->body.data, req->body.len);
        if (!root || strcmp(root->name, "CreateBucketConfiguration") != 0)
            return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
        constraint = ts_xml_child_text(root, "LocationConstraint");
    }
    if (constraint && *constraint) {
        if (!strcmp(constraint, "us-east-1")) {
            ts_resp_error(resp, TS_ERR_INVALID_LOCATION, NULL);
            ts_resp_error_field(req, resp, "LocationConstraint", constraint);
            return -1;
        }
        if (strcmp(constraint, region) != 0 && strcmp(region, "us-east-1") != 0) {
            ts_resp_errorf(req, resp, TS_ERR_ILLEGAL_LOCATION,
                           "The %s location constraint is incompatible for the "
                           "region specific endpoint this request was sent to.",
                           constraint);
            return -1;
        }
        region = !strcmp(constraint, "EU") ? "eu-west-1" : constraint;
    } else if (strcmp(region, "us-east-1") != 0) {
        return ts_resp_error(resp, TS_ERR_ILLEGAL_LOCATION, NULL);
    }
    st = store_stmt("INSERT INTO s3_bucket(name, region, created) VALUES(?, ?, ?)");
    store_bind_text(st, 1, name);
    store_bind_text(st, 2, region);
    sqlite3_bind_int64(st, 3, ts_now_ms());
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT) {
        s3_bucket b;
        /* us-east-1 keeps its legacy answer: re-creating your own bucket
         * there succeeds. */
        if (!strcmp(region, "us-east-1") &&
            s3_bucket_load_name(req, NULL, name, &b) == 0 &&
            !strcmp(b.region, "us-east-1")) {
            ts_resp_headerf(req, resp, "Location", "/%s", name);
            return 0;
        }
        ts_resp_error(resp, TS_ERR_BUCKET_OWNED, NULL);
        ts_resp_error_field(req, resp, "BucketName", name);
        return -1;
    }
    if (rc != SQLITE_DONE)
        return ts_resp_error(resp, TS_ERR_INTERNAL, NULL);
    ts_resp_headerf(req, resp, "Location", "/%s", name);
    return 0;
}

int s3_head_bucket(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    s3_bucket b;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    ts_resp_header(req, resp, "x-amz-bucket-region", b.region);
    ts_resp_header(req, resp, "x-amz-access-point-alias", "false");
    return 0;
}

int s3_delete_bucket(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    sqlite3_stmt *st;
    s3_bucket b;
    int busy;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    st = store_stmt("SELECT 1 FROM s3_object WHERE bucket_id = ? LIMIT 1");
    sqlite3_bind_int64(st, 1, b.id);
    busy = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    if (busy) {
        ts_resp_error(resp, TS_ERR_BUCKET_NOT_EMPTY, NULL);
        ts_resp_error_field(req, resp, "BucketName", b.name);
        return -1;
    }
    st = store_stmt("SELECT p.blob_id FROM s3_part p JOIN s3_upload u "
                    "ON p.upload = u.id WHERE u.bucket_id = ?");
    sqlite3_bind_int64(st, 1, b.id);
    while (sqlite3_step(st) == SQLITE_ROW)
        store_blob_ref(sqlite3_column_int64(st, 0), -1);
    sqlite3_reset(st);
    st = store_stmt("DELETE FROM s3_part WHERE upload IN "
                    "(SELECT id FROM s3_upload WHERE bucket_id = ?)");
    sqlite3_bind_int64(st, 1, b.id);
    sqlite3_step(st);
    st = store_stmt("DELETE FROM s3_upload WHERE bucket_id = ?");
    sqlite3_bind_int64(st, 1, b.id);
    sqlite3_step(st);
    st = store_stmt("DELETE FROM s3_bucket WHERE id = ?");
    sqlite3_bind_int64(st, 1, b.id);
    sqlite3_step(st);
    resp->status = 204;
    return 0;
}

int s3_list_buckets(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    sqlite3_stmt *st = store_stmt(
        "SELECT name, created, region FROM s3_bucket ORDER BY name");
    ts_buf *b = &resp->body;
    char when[32];

    s3_xml_begin(req, resp, "ListAllMyBucketsResult");
    ts_buf_puts(b, "<Owner><ID>" S3_OWNER_ID "</ID><DisplayName>" S3_OWNER_NAME
                   "</DisplayName></Owner><Buckets>");
    while (sqlite3_step(st) == SQLITE_ROW) {
        ts_buf_puts(b, "<Bucket>");
        ts_xml_text(b, "Name", (const char *)sqlite3_column_text(st, 0));
        ts_time_iso8601(sqlite3_column_int64(st, 1), when);
        ts_xml_text(b, "CreationDate", when);
        ts_xml_text(b, "BucketRegion", (const char *)sqlite3_column_text(st, 2));
        ts_buf_puts(b, "</Bucket>");
    }
    sqlite3_reset(st);
    ts_buf_puts(b, "</Buckets>");
    s3_xml_end(resp, "ListAllMyBucketsResult");
    return 0;
}

int s3_get_bucket_location(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    s3_bucket b;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    s3_xml_begin(req, resp, "LocationConstraint");
    if (strcmp(b.region, "us-east-1") != 0)
        ts_xml_escape(&resp->body, b.region);
    s3_xml_end(resp, "LocationConstraint");
    return 0;
}

/* ---- versioning ---- */

int s3_put_bucket_versioning(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    ts_xml_node *root = ts_xml_parse(req->arena, req->body.data, req->body.len);
    const char *status = root ? ts_xml_child_text(root, "Status") : NULL;
    sqlite3_stmt *st;
    s3_bucket b;
    int v;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    if (!root || strcmp(root->name, "VersioningConfiguration") != 0)
        return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
    if (status && !strcmp(status, "Enabled"))
        v = S3_VERSIONING_ENABLED;
    else if (status && !strcmp(status, "Suspended"))
        v = S3_VERSIONING_SUSPENDED;
    else if (!status)
        v = b.versioning;
    else
        return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
    st = store_stmt("UPDATE s3_bucket SET versioning = ? WHERE id = ?");
    sqlite3_bind_int(st, 1, v);
    sqlite3_bind_int64(st, 2, b.id);
    sqlite3_step(st);
    return 0;
}

int s3_get_bucket_versioning(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    s3_bucket b;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    s3_xml_begin(req, resp, "VersioningConfiguration");
    if (b.versioning == S3_VERSIONING_ENABLED)
        ts_xml_text(&resp->body, "Status", "Enabled");
    else if (b.versioning == S3_VERSIONING_SUSPENDED)
        ts_xml_text(&resp->body, "Status", "Suspended");
    s3_xml_end(resp, "VersioningConfiguration");
    return 0;
}

/* ---- tagging ---- */

static char *tags_to_json(ts_req *req, cJSON *arr)
{
    char *text = cJSON_PrintUnformatted(arr), *out = ts_arena_strdup(req->arena, text);

    cJSON_free(text);
    cJSON_Delete(arr);
    return out;
}

static int tag_add(ts_req *req, ts_resp *resp, cJSON *arr, const char *k,
                   const char *v, int max)
{
    cJSON *it;

    if (!k || !*k || strlen(k) > 128)
        return ts_resp_error(resp, TS_ERR_INVALID_TAG,
                             "The TagKey you have provided is invalid");
    if (strlen(v) > 256)
        return ts_resp_error(resp, TS_ERR_INVALID_TAG,
                             "The TagValue you have provided is invalid");
    cJSON_ArrayForEach(it, arr) {
        if (!strcmp(cJSON_GetArrayItem(it, 0)->valuestring, k))
            return ts_resp_error(resp, TS_ERR_INVALID_TAG,
                                 "Cannot provide multiple Tags with the same key");
    }
    if (cJSON_GetArraySize(arr) >= max)
        return ts_resp_error(resp, TS_ERR_BAD_REQUEST,
                             "Object tags cannot be greater than 10");
    cJSON *pair = cJSON_CreateArray();
    cJSON_AddItemToArray(pair, cJSON_CreateString(k));
    cJSON_AddItemToArray(pair, cJSON_CreateString(v));
    cJSON_AddItemToArray(arr, pair);
    return 0;
}

char *s3_tagging_from_xml(ts_req *req, ts_resp *resp, const char *body, size_t len)
{
    ts_xml_node *root = ts_xml_parse(req->arena, body, len), *set, *tag;
    int max = s3_ctx_of(req)->key ? 10 : 50;
    cJSON *arr;

    if (!root || strcmp(root->name, "Tagging") != 0 ||
        !(set = ts_xml_child(root, "TagSet"))) {
        ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
        return NULL;
    }
    arr = cJSON_CreateArray();
    for (tag = ts_xml_child(set, "Tag"); tag; tag = ts_xml_next(tag)) {
        const char *k = ts_xml_child_text(tag, "Key"), *v = ts_xml_child_text(tag, "Value");
        if (!k || !v) {
            cJSON_Delete(arr);
            ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
            return NULL;
        }
        if (tag_add(req, resp, arr, k, v, max) != 0) {
            cJSON_Delete(arr);
            return NULL;
        }
    }
    return tags_to_json(req, arr);
}

char *s3_tagging_from_query(ts_req *req, ts_resp *resp, const char *header)
{
    cJSON *arr = cJSON_CreateArray();
    const char *p = header;

    while (*p) {
        size_t n = strcspn(p, "&");
        const char *eq = memchr(p, '=', n);
        char *k = ts_url_decode(p, eq ? (size_t)(eq - p) : n, 1);
        char *v = eq ? ts_url_decode(eq + 1, n - (size_t)(eq - p) - 1, 1) : ts_strdup("");
        int rc = k && v ? tag_add(req, resp, arr, k, v, 10)
                        : ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT,
                                        "The header 'x-amz-tagging' shall be encoded "
                                        "as UTF-8 then URLEncoded URL query parameters "
                                        "without tag name duplicates.");
        ts_free(k);
        ts_free(v);
        if (rc != 0) {
            cJSON_Delete(arr);
            return NULL;
        }
        p += n;
        if (*p)
            p++;
    }
    return tags_to_json(req, arr);
}

void s3_tagging_to_xml(ts_buf *b, const char *json)
{
    cJSON *arr = json ? cJSON_Parse(json) : NULL, *it;

    ts_buf_puts(b, "<TagSet>");
    cJSON_ArrayForEach(it, arr) {
        ts_buf_puts(b, "<Tag>");
        ts_xml_text(b, "Key", cJSON_GetArrayItem(it, 0)->valuestring);
        ts_xml_text(b, "Value", cJSON_GetArrayItem(it, 1)->valuestring);
        ts_buf_puts(b, "</Tag>");
    }
    ts_buf_puts(b, "</TagSet>");
    cJSON_Delete(arr);
}

int s3_tag_count(const char *json)
{
    cJSON *arr = json ? cJSON_Parse(json) : NULL;
    int n = cJSON_GetArraySize(arr);

    cJSON_Delete(arr);
    return n;
}

static int set_bucket_column(ts_req *req, ts_resp *resp, const char *sql,
                             const char *value)
{
    sqlite3_stmt *st = store_stmt(sql);
    int changed;

    store_bind_text(st, 1, value);
    store_bind_text(st, 2, s3_ctx_of(req)->bucket);
    sqlite3_step(st);
    changed = sqlite3_changes(store_db());
    sqlite3_reset(st);
    if (!changed) {
        ts_resp_error(resp, TS_ERR_NO_SUCH_BUCKET, NULL);
        ts_resp_error_field(req, resp, "BucketName", s3_ctx_of(req)->bucket);
        return -1;
    }
    return 0;
}

int s3_put_bucket_tagging(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    s3_bucket b;
    char *json;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    json = s3_tagging_from_xml(req, resp, req->body.data, req->body.len);
    if (!json)
        return -1;
    if (set_bucket_column(req, resp, "UPDATE s3_bucket SET tagging = ? WHERE name = ?",
                          json) != 0)
        return -1;
    resp->status = 204;
    return 0;
}

int s3_get_bucket_tagging(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    s3_bucket b;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    if (!b.tagging) {
        ts_resp_error(resp, TS_ERR_NO_SUCH_TAG_SET, NULL);
        ts_resp_error_field(req, resp, "BucketName", b.name);
        return -1;
    }
    s3_xml_begin(req, resp, "Tagging");
    s3_tagging_to_xml(&resp->body, b.tagging);
    s3_xml_end(resp, "Tagging");
    return 0;
}

int s3_delete_bucket_tagging(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    if (set_bucket_column(req, resp, "UPDATE s3_bucket SET tagging = ? WHERE name = ?",
                          NULL) != 0)
        return -1;
    resp->status = 204;
    return 0;
}

/* ---- ACLs: every bucket and object is private to the one account ---- */

static void owner_acl(ts_req *req, ts_resp *resp)
{
    s3_xml_begin(req, resp, "AccessControlPolicy");
    ts_buf_puts(&resp->body,
                "<Owner><ID>" S3_OWNER_ID "</ID><DisplayName>" S3_OWNER_NAME
                "</DisplayName></Owner><AccessControlList><Grant>"
                "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                "xsi:type=\"CanonicalUser\"><ID>" S3_OWNER_ID "</ID><DisplayName>"
                S3_OWNER_NAME "</DisplayName></Grantee><Permission>FULL_CONTROL"
                "</Permission></Grant></AccessControlList>");
    s3_xml_end(resp, "AccessControlPolicy");
}

int s3_get_bucket_acl(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    s3_bucket b;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    owner_acl(req, resp);
    return 0;
}

int s3_get_object_acl(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    s3_bucket b;
    s3_object o;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    if (s3_object_find(req, resp, b.id, s3_ctx_of(req)->key, ts_req_query(req, "versionId"),
                       &o) != 0)
        return -1;
    if (o.delete_marker)
        return s3_err_no_such_key(req, resp, s3_ctx_of(req)->key);
    owner_acl(req, resp);
    return 0;
}

int s3_put_ok(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    s3_bucket b;

    return s3_bucket_load(req, resp, &b);
}

/* ---- configuration documents ---- */

int s3_put_bucket_config(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *sub = s3_config_subresource(req);
    cJSON *cfg;
    char *text, *xml = NULL, *rules = NULL;
    s3_bucket b;
    int rc;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    if (!strcmp(sub, "policy")) {
        cJSON *doc = cJSON_ParseWithLength(req->body.data, req->body.len);
        int ok = cJSON_IsObject(doc);
        cJSON_Delete(doc);
        if (!ok)
            return ts_resp_error(resp, TS_ERR_MALFORMED_POLICY, NULL);
    } else if (!strcmp(sub, "notification")) {
        if (s3_notification_read(req, resp, &b, &xml, &rules) != 0)
            return -1;
    } else if (req->body.len &&
               !ts_xml_parse(req->arena, req->body.data, req->body.len)) {
        return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
    }
    cfg = b.config ? cJSON_Parse(b.config) : NULL;
    if (!cfg)
        cfg = cJSON_CreateObject();
    cJSON_DeleteItemFromObjectCaseSensitive(cfg, sub);
    if (xml) {
        /* What GET answers, Ids filled in; and the rules S3 matches. */
        cJSON_AddStringToObject(
            cfg, sub,
            ts_arena_printf(req->arena, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                            "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/"
                            "2006-03-01/\">%s</NotificationConfiguration>", xml));
        cJSON_DeleteItemFromObjectCaseSensitive(cfg, "notification_rules");
        if (rules)
            cJSON_AddStringToObject(cfg, "notification_rules", rules);
        ts_free(xml);
        cJSON_free(rules);
    } else {
        cJSON_AddStringToObject(cfg, sub, req->body.data);
    }
    text = cJSON_PrintUnformatted(cfg);
    rc = set_bucket_column(req, resp, "UPDATE s3_bucket SET config = ? WHERE name = ?",
                           text);
    cJSON_free(text);
    cJSON_Delete(cfg);
    if (rc != 0)
        return -1;
    resp->status = !strcmp(sub, "policy") ? 204 : 200;
    return 0;
}

/* What GET answers for a document never stored: an error, or a default. */
static int config_missing(ts_req *req, ts_resp *resp, const char *sub)
{
    if (!strcmp(sub, "policy"))
        return ts_resp_error(resp, TS_ERR_NO_SUCH_POLICY, NULL);
    if (!strcmp(sub, "lifecycle"))
        return ts_resp_error(resp, TS_ERR_NO_SUCH_LIFECYCLE, NULL);
    if (!strcmp(sub, "website"))
        return ts_resp_error(resp, TS_ERR_NO_SUCH_WEBSITE, NULL);
    if (!strcmp(sub, "ownershipControls"))
        return ts_resp_error(resp, TS_ERR_NO_SUCH_OWNERSHIP, NULL);
    if (!strcmp(sub, "publicAccessBlock"))
        return ts_resp_error(resp, TS_ERR_NO_SUCH_PAB, NULL);
    if (!strcmp(sub, "encryption")) {
        /* Every bucket has SSE-S3 by default. */
        s3_xml_begin(req, resp, "ServerSideEncryptionConfiguration");
        ts_buf_puts(&resp->body, "<Rule><ApplyServerSideEncryptionByDefault>"
                                 "<SSEAlgorithm>AES256</SSEAlgorithm>"
                                 "</ApplyServerSideEncryptionByDefault>"
                                 "<BucketKeyEnabled>false</BucketKeyEnabled></Rule>");
        s3_xml_end(resp, "ServerSideEncryptionConfiguration");
        return 0;
    }
    if (!strcmp(sub, "notification")) {
        s3_xml_begin(req, resp, "NotificationConfiguration");
        s3_xml_end(resp, "NotificationConfiguration");
        return 0;
    }
    if (!strcmp(sub, "logging")) {
        s3_xml_begin(req, resp, "BucketLoggingStatus");
        s3_xml_end(resp, "BucketLoggingStatus");
        return 0;
    }
    if (!strcmp(sub, "requestPayment")) {
        s3_xml_begin(req, resp, "RequestPaymentConfiguration");
        ts_buf_puts(&resp->body, "<Payer>BucketOwner</Payer>");
        s3_xml_end(resp, "RequestPaymentConfiguration");
        return 0;
    }
    if (!strcmp(sub, "replication"))
        return ts_resp_error(resp, TS_ERR_NO_SUCH_REPLICATION, NULL);
    if (!strcmp(sub, "object-lock"))
        return ts_resp_error(resp, TS_ERR_NO_SUCH_OBJECT_LOCK, NULL);
    if (!strcmp(sub, "accelerate")) {
        s3_xml_begin(req, resp, "AccelerateConfiguration");
        s3_xml_end(resp, "AccelerateConfiguration");
        return 0;
    }
    return ts_resp_errorf(req, resp, TS_ERR_NOT_IMPLEMENTED,
                          "The %s configuration is not implemented", sub);
}

int s3_get_bucket_config(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *sub = s3_config_subresource(req);
    cJSON *cfg, *doc;
    s3_bucket b;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    cfg = b.config ? cJSON_Parse(b.config) : NULL;
    doc = cJSON_GetObjectItemCaseSensitive(cfg, sub);
    if (!cJSON_IsString(doc)) {
        cJSON_Delete(cfg);
        return config_missing(req, resp, sub);
    }
    ts_buf_puts(&resp->body, doc->valuestring);
    ts_resp_header(req, resp, "Content-Type",
                   !strcmp(sub, "policy") ? "application/json" : "application/xml");
    cJSON_Delete(cfg);
    return 0;
}

int s3_delete_bucket_config(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *sub = s3_config_subresource(req);
    cJSON *cfg;
    char *text;
    s3_bucket b;
    int rc;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    cfg = b.config ? cJSON_Parse(b.config) : cJSON_CreateObject();
    cJSON_DeleteItemFromObjectCaseSensitive(cfg, sub);
    text = cJSON_PrintUnformatted(cfg);
    rc = set_bucket_column(req, resp, "UPDATE s3_bucket SET config = ? WHERE name = ?",
                           text);
    cJSON_free(text);
    cJSON_Delete(cfg);
    if (rc != 0)
        return -1;
    resp->status = 204;
    return 0;
}
