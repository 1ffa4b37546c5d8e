/*
 * apigw.c - API Gateway's REST APIs (apigateway): the operation table of
 * the control plane (REST-JSON under /restapis, /apikeys, /usageplans),
 * the data plane's claim, which the router tries first, before any S3
 * rule (/restapis/{id}/{stage}/_user_request_/{path}, /_aws/execute-api/
 * {id}/{stage}/{path}, and any Host that starts with "{id}.execute-api."),
 * and the store helpers every API Gateway file uses.
 */
#include "apigw_int.h"

#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "tinystack/store.h"

static const char *const apigw_paths[] = {
    "/restapis", "/apikeys", "/usageplans", "/domainnames", NULL,
};

static int apigw_data_plane(ts_req *req)
{
    const char *p = req->path, *us;

    if (strstr(req->host, ".execute-api."))
        return 1;
    if (ts_starts_with(p, "/_aws/execute-api/"))
        return 1;
    if (!ts_starts_with(p, "/restapis/"))
        return 0;
    us = strstr(p, "/_user_request_");
    return us && (us[15] == '/' || us[15] == '\0');
}

static int apigw_execute(ts_call *c)
{
    return ts_resp_error(c->resp, TS_ERR_NOT_FOUND, "Not Found");
}

static const ts_op apigw_ops[] = {
    {"ExecuteApi", apigw_execute, TS_OP_READ, NULL, NULL, NULL, NULL, 0},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};

static const ts_op *apigw_resolve(ts_call *c)
{
    if (apigw_data_plane(c->req))
        return &apigw_ops[0];
    return ts_proto_rest_json.resolve(&apigw_service, c);
}

/* ---- shared helpers ---- */

void apigw_new_id(char out[11])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char r[10];

    RAND_bytes(r, sizeof r);
    for (int i = 0; i < 10; i++)
        out[i] = alphabet[r[i] % 36];
    out[10] = '\0';
}

const char *apigw_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

void apigw_set_str(cJSON *o, const char *name, const char *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, name);
    if (v)
        cJSON_AddStringToObject(o, name, v);
}

const char *apigw_label(ts_call *c, const char *name)
{
    for (const ts_kv *kv = c->labels; kv; kv = kv->next)
        if (!strcmp(kv->name, name))
            return kv->value;
    return NULL;
}

double apigw_now(void)
{
    return (double)(ts_now_ms() / 1000);
}

cJSON *apigw_api_load(ts_call *c, const char *id, int kind)
{
    sqlite3_stmt *st = store_stmt("SELECT doc FROM apigw_api WHERE id = ?1 AND account = ?2"
                                  " AND region = ?3 AND kind = ?4");
    cJSON *doc = NULL;

    store_bind_text(st, 1, id ? id : "");
    store_bind_text(st, 2, c->req->account);
    store_bind_text(st, 3, c->req->region);
    sqlite3_bind_int(st, 4, kind);
    if (sqlite3_step(st) == SQLITE_ROW)
        doc = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (!doc) {
        if (kind == APIGW_KIND_REST)
            ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND,
                           "Invalid API identifier specified %s:%s", c->req->account,
                           id ? id : "");
        else
            ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND,
                           "Invalid API identifier specified %s", id ? id : "");
    }
    return doc;
}

static int doc_write(ts_call *c, sqlite3_stmt *st, int doc_col, const cJSON *doc)
{
    char *text = cJSON_PrintUnformatted(doc);
    int rc;

    sqlite3_bind_text(st, doc_col, text, -1, SQLITE_TRANSIENT);
    cJSON_free(text);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return ts_resp_error(c->resp, TS_ERR_INTERNAL_SERVER, NULL);
    return 0;
}

int apigw_api_save(ts_call *c, const char *id, const cJSON *doc)
{
    sqlite3_stmt *st = store_stmt("UPDATE apigw_api SET doc = ?2 WHERE id = ?1");

    store_bind_text(st, 1, id);
    return doc_write(c, st, 2, doc);
}

int apigw_api_insert(ts_call *c, const char *id, int kind, const cJSON *doc)
{
    sqlite3_stmt *st = store_stmt("INSERT INTO apigw_api(id, account, region, kind, created,"
                                  " doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");

    store_bind_text(st, 1, id);
    store_bind_text(st, 2, c->req->account);
    store_bind_text(st, 3, c->req->region);
    sqlite3_bind_int(st, 4, kind);
    sqlite3_bind_int64(st, 5, ts_now_ms());
    return doc_write(c, st, 6, doc);
}

int apigw_api_delete(ts_call *c, const char *id)
{
    static const char *const sql[] = {
        "DELETE FROM apigw_api WHERE id = ?1",
        "DELETE FROM apigw_stage WHERE api_id = ?1",
        "DELETE FROM apigw_deployment WHERE api_id = ?1",
    };

    for (size_t i = 0; i < TS_ARRAY_LEN(sql); i++) {
        sqlite3_stmt *st = store_stmt(sql[i]);
        int rc;
        store_bind_text(st, 1, id);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return ts_resp_error(c->resp, TS_ERR_INTERNAL_SERVER, NULL);
    }
    return 0;
}

const ts_service apigw_service = {
    .name = "apigateway",
    .signing_name = "apigateway",
    .path_prefixes = apigw_paths,
    .claims = apigw_data_plane,
    .proto = &ts_proto_rest_json,
    .ops = apigw_ops,
    .resolve = apigw_resolve,
    .max_body = 10u << 20,
    .too_large = TS_ERR_REQUEST_TOO_LARGE,
    .bad_body = TS_ERR_APIGW_BAD_REQUEST,
};
