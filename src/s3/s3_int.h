/*
 * s3_int.h - what the files of src/s3/ share: the request state, bucket
 * and object rows, the helpers every operation uses, and each operation's
 * handler (the table in s3.c points at them).
 */
#ifndef TINYSTACK_S3_INT_H
#define TINYSTACK_S3_INT_H

#include <stdint.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "tinystack/service.h"
#include "tinystack/store.h"
#include "tinystack/xml.h"

#define S3_XMLNS "http://s3.amazonaws.com/doc/2006-03-01/"
#define S3_MAX_KEY 1024
#define S3_MIN_PART (5u << 20)
#define S3_MAX_OBJECT (5ull << 30) /* a single PUT or part: 5 GiB */
#define S3_INLINE_BODY (64u << 10) /* GET bodies up to this are sent from memory */
#define S3_OWNER_ID "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
#define S3_OWNER_NAME "webfile"

enum { S3_VERSIONING_NONE = 0, S3_VERSIONING_ENABLED = 1, S3_VERSIONING_SUSPENDED = 2 };

typedef struct s3_bucket {
    int64_t id;
    const char *name;
    const char *region;
    int64_t created;
    int versioning;
    const char *tagging; /* JSON [[k, v], ...] */
    const char *cors;    /* the XML as given */
    const char *config;  /* JSON object: policy, notification, acl ... */
} s3_bucket;

/* A run of blobs making an object's data: "id:size,id:size". */
typedef struct s3_blobs {
    int n;
    int64_t *id;
    uint64_t *size;
} s3_blobs;

typedef struct s3_object {
    int64_t id;
    const char *key;
    const char *version_id;
    int is_latest;
    int delete_marker;
    uint64_t size;
    const char *etag;       /* with quotes */
    int64_t modified;       /* epoch ms */
    const char *blobs;
    const char *meta;       /* JSON object of stored headers */
    const char *tagging;    /* JSON [[k, v], ...] */
    const char *checksum;   /* "ALGO:base64" */
    int parts;
    const char *storage_class;
} s3_object;

/* Checksums S3 accepts (x-amz-checksum-*). */
typedef enum s3_cksum_algo {
    S3_CK_NONE, S3_CK_CRC32, S3_CK_CRC32C, S3_CK_CRC64NVME, S3_CK_SHA1,
    S3_CK_SHA256
} s3_cksum_algo;

typedef struct s3_cksum {
    s3_cksum_algo algo;
    uint64_t crc;
    EVP_MD_CTX *md;
} s3_cksum;

/* The request state every S3 request carries (req->svc). */
typedef struct s3_ctx {
    const char *bucket; /* decoded; NULL for the service level */
    const char *key;    /* decoded; NULL at bucket level */
    int virtual_host;
    void *op_state;     /* streaming uploads */
} s3_ctx;

static inline s3_ctx *s3_ctx_of(ts_req *req)
{
    return req->svc;
}

/* s3.c */
/* The configuration document a bucket request names ("policy",
 * "lifecycle" ...), or NULL. */
const char *s3_config_subresource(ts_req *req);

/* Percent-decodes a bucket name or key into the arena (*out).  0, or -1
 * when the result is not UTF-8 or holds a NUL (S3's InvalidURI); *out is
 * set either way. */
int s3_name_decode(ts_req *req, const char *s, size_t n, const char **out);

/* s3_row.c */
/* Loads the request's bucket; NoSuchBucket (with BucketName) when absent. */
int s3_bucket_load(ts_req *req, ts_resp *resp, s3_bucket *b);
int s3_bucket_load_name(ts_req *req, ts_resp *resp, const char *name, s3_bucket *b);
/* Loads a version of a key (version NULL: the latest).  Returns 0, or 1
 * when absent (no error set). */
int s3_object_load(ts_req *req, int64_t bucket_id, const char *key,
                   const char *version, s3_object *o);
/* Loads a version of a key as a read names it: vid NULL for the latest,
 * InvalidArgument for a malformed vid, NoSuchVersion or NoSuchKey when
 * absent.  A delete marker is returned as found, for the caller to judge.
 * 0, or -1 with the error set. */
int s3_object_find(ts_req *req, ts_resp *resp, int64_t bucket_id, const char *key,
                   const char *vid, s3_object *o);
/* NoSuchKey / NoSuchVersion with their fields; return -1. */
int s3_err_no_such_key(ts_req *req, ts_resp *resp, const char *key);
int s3_err_no_such_version(ts_req *req, ts_resp *resp, const char *key, const char *vid);

/* Parses a blobs column into the arena. */
void s3_blobs_parse(ts_arena *a, const char *text, s3_blobs *out);
/* Pins / unpins every blob of a list (store_blob_pin): call pin while the
 * row naming them is in the current snapshot. */
void s3_blobs_pin(const s3_blobs *b);
void s3_blobs_unpin(const s3_blobs *b);
/* Drops one reference to each blob of the text (inside a transaction). */
void s3_blobs_release(const char *text);
void s3_blobs_retain(const char *text);
/* Deletes a version row and releases its data (inside a transaction). */
void s3_object_row_delete(int64_t row_id, const char *blobs);
/* Starts an S3 XML response body with the declaration. */
void s3_xml_begin(ts_req *req, ts_resp *resp, const char *root);
void s3_xml_end(ts_resp *resp, const char *root);
/* Reads a tag set (<Tagging><TagSet><Tag>...) into JSON text; -1 with the
 * error set. */
char *s3_tagging_from_xml(ts_req *req, ts_resp *resp, const char *body, size_t len);
char *s3_tagging_from_query(ts_req *req, ts_resp *resp, const char *header);
void s3_tagging_to_xml(ts_buf *b, const char *json);
int s3_tag_count(const char *json);
/* A new random version or upload id into the arena. */
char *s3_new_id(ts_req *req, size_t nbytes);
/* Writes an object's data [start, start+len) as the response body: read
 * now when small (InternalError when it cannot be, and -1), else
 * streamed, with its blobs pinned until sent (a read that fails then
 * closes the connection).  Call inside the read snapshot that found the
 * object.  0, or -1 with the error set. */
int s3_send_blobs(ts_req *req, ts_resp *resp, const char *blobs,
                  uint64_t start, uint64_t len);

/* s3_checksum.c */
s3_cksum_algo s3_cksum_algo_parse(const char *name);
const char *s3_cksum_algo_name(s3_cksum_algo a); /* "CRC32" ... */
const char *s3_cksum_header(s3_cksum_algo a);    /* "x-amz-checksum-crc32" */
void s3_cksum_init(s3_cksum *c, s3_cksum_algo a);
void s3_cksum_update(s3_cksum *c, const void *p, size_t n);
/* Finishes into base64 text (arena); frees the context. */
char *s3_cksum_final(ts_arena *a, s3_cksum *c);
void s3_cksum_free(s3_cksum *c);
uint32_t s3_crc32c(uint32_t crc, const void *p, size_t n);
uint64_t s3_crc64nvme(uint64_t crc, const void *p, size_t n);

/* s3_chunked.c: the aws-chunked body framing. */
typedef struct s3_chunked {
    int state;
    uint64_t remaining;
    char line[1024];
    size_t linelen;
    int done;
    int ntrailers;
    char trailer_name[4][64];
    char trailer_value[4][256];
} s3_chunked;

void s3_chunked_init(s3_chunked *c);
/* Feeds framed bytes; out receives payload bytes.  Returns 0, or -1 on a
 * framing error. */
int s3_chunked_feed(s3_chunked *c, const char *data, size_t len,
                    int (*out)(void *arg, const char *p, size_t n), void *arg);
/* 1 once the final chunk and trailers have been read. */
int s3_chunked_complete(const s3_chunked *c);
const char *s3_chunked_trailer(const s3_chunked *c, const char *name);

/* s3_upload.c: the streaming body of PutObject and UploadPart. */
int s3_upload_begin(ts_call *call);
int s3_upload_body(ts_call *call, const char *data, size_t len);
typedef struct s3_upload_result {
    int64_t blob_id;   /* referenced once, inside the caller's transaction */
    uint64_t size;
    char etag[40];     /* quoted md5 hex */
    const char *checksum; /* "ALGO:base64" or NULL */
} s3_upload_result;
/* Checks the finished body; 0 and the result, or -1 with the error set.
 * Call, then open the transaction, then s3_upload_commit_blob(). */
int s3_upload_finish(ts_req *req, ts_resp *resp, s3_upload_result *r);
/* Inside the transaction: writes the last chunk; the blob id or -1. */
int64_t s3_upload_commit_blob(ts_req *req);
/* A request header's value, its lines joined with ", " when it came on
 * several (the arena's copy); NULL when absent. */
const char *s3_header_joined(ts_req *req, const char *name);
/* Collects Content-Type, Content-* and x-amz-meta-* headers as JSON text. */
char *s3_meta_from_headers(ts_req *req, ts_resp *resp);
void s3_meta_to_headers(ts_req *req, ts_resp *resp, const char *meta);

/* Operations. */
int s3_list_buckets(ts_call *call);
int s3_create_bucket(ts_call *call);
int s3_head_bucket(ts_call *call);
int s3_delete_bucket(ts_call *call);
int s3_get_bucket_location(ts_call *call);
int s3_put_bucket_tagging(ts_call *call);
int s3_get_bucket_tagging(ts_call *call);
int s3_delete_bucket_tagging(ts_call *call);
int s3_put_bucket_cors(ts_call *call);
int s3_get_bucket_cors(ts_call *call);
int s3_delete_bucket_cors(ts_call *call);
int s3_cors_preflight(ts_call *call);
void s3_cors_headers(ts_req *req, ts_resp *resp);
int s3_put_bucket_versioning(ts_call *call);
int s3_get_bucket_versioning(ts_call *call);
int s3_put_bucket_config(ts_call *call);
int s3_get_bucket_config(ts_call *call);
int s3_delete_bucket_config(ts_call *call);
int s3_get_bucket_acl(ts_call *call);
int s3_put_ok(ts_call *call);

int s3_put_object(ts_call *call);
int s3_get_object(ts_call *call);
int s3_head_object(ts_call *call);
int s3_delete_object(ts_call *call);
int s3_delete_objects(ts_call *call);
int s3_copy_object(ts_call *call);
int s3_put_object_tagging(ts_call *call);
int s3_get_object_tagging(ts_call *call);
int s3_delete_object_tagging(ts_call *call);
int s3_get_object_acl(ts_call *call);

int s3_list_objects(ts_call *call);
int s3_list_objects_v2(ts_call *call);
int s3_list_object_versions(ts_call *call);

int s3_create_multipart_upload(ts_call *call);
int s3_upload_part(ts_call *call);
int s3_upload_part_copy(ts_call *call);
int s3_complete_multipart_upload(ts_call *call);
int s3_abort_multipart_upload(ts_call *call);
int s3_list_parts(ts_call *call);
int s3_list_multipart_uploads(ts_call *call);

/* A new current version of a key, as PutObject, CopyObject and
 * CompleteMultipartUpload write it. */
typedef struct s3_newobj {
    const char *key;
    uint64_t size;
    const char *etag;
    const char *blobs;      /* already referenced for this row */
    const char *meta;
    const char *tagging;
    const char *checksum;
    int parts;
    const char *storage_class;
} s3_newobj;

/* Inside a transaction: stores o as the key's current version following
 * the bucket's versioning state, and queues the ObjectCreated event.
 * Returns the new version id ("null" when unversioned), or NULL. */
const char *s3_object_put_version(ts_req *req, const s3_bucket *b,
                                  const s3_newobj *o, const char *event);
/* s3_notify.c: checks a PutBucketNotificationConfiguration body; on
 * success *xml is the configuration as GET answers it (its elements, no
 * root) and *rules_json the rules to match (NULL when none), both for the
 * caller to free (ts_free, cJSON_free).  0, or -1 with the error set. */
int s3_notification_read(ts_req *req, ts_resp *resp, const s3_bucket *b, char **xml,
                         char **rules_json);
/* Inside the change's transaction: queues event (without "s3:") for each
 * notification rule of b that it and key match, as an asynchronous invoke
 * of the rule's function. */
void s3_event_emit(ts_req *req, const s3_bucket *b, const char *event,
                   const char *key, uint64_t size, const char *etag,
                   const char *version);
/* Parses "bytes=a-b"; 0 ok (start/len set), 1 not a usable range (serve
 * everything), -1 unsatisfiable. */
int s3_range_parse(const char *h, uint64_t size, uint64_t *start, uint64_t *len);
/* Evaluates If-Match / If-None-Match / If-(Un)Modified-Since (prefix
 * "x-amz-copy-source-" for copies).  0, or -1 with 304 / 412 set. */
int s3_check_conditions(ts_req *req, ts_resp *resp, const char *prefix,
                        const char *etag, int64_t modified);
/* Inside the write transaction: a write's If-Match (an ETag list or *)
 * and, when none_match, If-None-Match against the key's current version
 * (a delete marker is no version).  0, or -1 with 412 PreconditionFailed
 * (its Condition) or NoSuchKey for If-Match on a key without one. */
int s3_check_write_conditions(ts_req *req, ts_resp *resp, int64_t bucket_id,
                              const char *key, int none_match);
/* Is a version id one tinystack could have made ("null" or 32 hex)? */
int s3_version_id_valid(const char *v);
/* InvalidArgument for a malformed version id; returns -1. */
int s3_err_bad_version(ts_req *req, ts_resp *resp, const char *v);

/* Removing a version of a key as DeleteObject does; shared with
 * DeleteObjects.  Fills *marker / *version_out.  Inside a transaction. */
int s3_delete_one(ts_req *req, s3_bucket *b, const char *key,
                  const char *version, int *marker, const char **version_out);

#endif
