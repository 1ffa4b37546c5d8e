/*
 * error.h - every AWS error tinystack answers, in one X-macro list (as
 * libuv's UV_ERRNO_MAP): the enum name, the HTTP status, AWS's code and
 * AWS's default message.  Handlers set an error on the response and return;
 * the protocol renderer of the service writes the body.
 */
#ifndef TINYSTACK_ERROR_H
#define TINYSTACK_ERROR_H

#define TS_ERRORS(X)                                                          \
    X(NONE, 200, "", "")                                                      \
    X(INTERNAL, 500, "InternalError",                                         \
      "We encountered an internal error. Please try again.")                  \
    X(NOT_IMPLEMENTED, 501, "NotImplemented",                                 \
      "A header you provided implies functionality that is not implemented")  \
    X(METHOD_NOT_ALLOWED, 405, "MethodNotAllowed",                            \
      "The specified method is not allowed against this resource.")           \
    X(ACCESS_DENIED, 403, "AccessDenied", "Access Denied")                    \
    X(INVALID_ARGUMENT, 400, "InvalidArgument", "Invalid Argument")           \
    X(INVALID_REQUEST, 400, "InvalidRequest", "Invalid Request")              \
    X(MALFORMED_XML, 400, "MalformedXML",                                     \
      "The XML you provided was not well-formed or did not validate against " \
      "our published schema")                                                 \
    X(INCOMPLETE_BODY, 400, "IncompleteBody",                                 \
      "You did not provide the number of bytes specified by the "             \
      "Content-Length HTTP header.")                                          \
    X(MISSING_CONTENT_LENGTH, 411, "MissingContentLength",                    \
      "You must provide the Content-Length HTTP header.")                     \
    X(ENTITY_TOO_LARGE, 400, "EntityTooLarge",                                \
      "Your proposed upload exceeds the maximum allowed object size.")        \
    X(BAD_DIGEST, 400, "BadDigest",                                           \
      "The Content-MD5 you specified did not match what we received.")       \
    X(INVALID_DIGEST, 400, "InvalidDigest",                                   \
      "The Content-MD5 you specified is not valid.")                          \
    X(NO_SUCH_BUCKET, 404, "NoSuchBucket", "The specified bucket does not exist") \
    X(NO_SUCH_KEY, 404, "NoSuchKey", "The specified key does not exist.")     \
    X(NO_SUCH_VERSION, 404, "NoSuchVersion",                                  \
      "The specified version does not exist.")                                \
    X(NO_SUCH_UPLOAD, 404, "NoSuchUpload",                                    \
      "The specified upload does not exist. The upload ID may be invalid, or "\
      "the upload may have been aborted or completed.")                       \
    X(NO_SUCH_TAG_SET, 404, "NoSuchTagSet", "The TagSet does not exist")      \
    X(NO_SUCH_CORS, 404, "NoSuchCORSConfiguration",                           \
      "The CORS configuration does not exist")                                \
    X(NO_SUCH_WEBSITE, 404, "NoSuchWebsiteConfiguration",                     \
      "The specified bucket does not have a website configuration")           \
    X(NO_SUCH_POLICY, 404, "NoSuchBucketPolicy",                              \
      "The bucket policy does not exist")                                     \
    X(NO_SUCH_LIFECYCLE, 404, "NoSuchLifecycleConfiguration",                 \
      "The lifecycle configuration does not exist")                           \
    X(NO_SUCH_ENCRYPTION, 404, "ServerSideEncryptionConfigurationNotFoundError", \
      "The server side encryption configuration was not found")              \
    X(NO_SUCH_OWNERSHIP, 404, "OwnershipControlsNotFoundError",               \
      "The bucket ownership controls were not found")                         \
    X(NO_SUCH_PAB, 404, "NoSuchPublicAccessBlockConfiguration",               \
      "The public access block configuration was not found")                  \
    X(NO_SUCH_REPLICATION, 404, "ReplicationConfigurationNotFoundError",      \
      "The replication configuration was not found")                          \
    X(NO_SUCH_OBJECT_LOCK, 404, "ObjectLockConfigurationNotFoundError",       \
      "Object Lock configuration does not exist for this bucket")             \
    X(MALFORMED_POLICY, 400, "MalformedPolicy",                               \
      "Policies must be valid JSON and the first byte must be '{'")          \
    X(BAD_REQUEST, 400, "BadRequest", "Bad Request")                          \
    X(BUCKET_EXISTS, 409, "BucketAlreadyExists",                              \
      "The requested bucket name is not available. The bucket namespace is "  \
      "shared by all users of the system. Please select a different name "    \
      "and try again.")                                                       \
    X(BUCKET_OWNED, 409, "BucketAlreadyOwnedByYou",                           \
      "Your previous request to create the named bucket succeeded and you "   \
      "already own it.")                                                      \
    X(BUCKET_NOT_EMPTY, 409, "BucketNotEmpty",                                \
      "The bucket you tried to delete is not empty")                          \
    X(INVALID_BUCKET_NAME, 400, "InvalidBucketName",                          \
      "The specified bucket is not valid.")                                   \
    X(INVALID_LOCATION, 400, "InvalidLocationConstraint",                     \
      "The specified location-constraint is not valid")                       \
    X(ILLEGAL_LOCATION, 400, "IllegalLocationConstraintException",            \
      "The unspecified location constraint is incompatible for the region "   \
      "specific endpoint this request was sent to.")                          \
    X(AUTH_QUERY_PARAMS, 400, "AuthorizationQueryParametersError",           \
      "X-Amz-Expires should be a number")                                     \
    X(INVALID_URI, 400, "InvalidURI", "Couldn't parse the specified URI.")   \
    X(KEY_TOO_LONG, 400, "KeyTooLongError", "Your key is too long")           \
    X(INVALID_RANGE, 416, "InvalidRange",                                     \
      "The requested range is not satisfiable")                               \
    X(PRECONDITION_FAILED, 412, "PreconditionFailed",                         \
      "At least one of the pre-conditions you specified did not hold")        \
    X(NOT_MODIFIED, 304, "NotModified", "Not Modified")                       \
    X(INVALID_PART, 400, "InvalidPart",                                       \
      "One or more of the specified parts could not be found.  The part may " \
      "not have been uploaded, or the specified entity tag may not match "    \
      "the part's entity tag.")                                               \
    X(INVALID_PART_ORDER, 400, "InvalidPartOrder",                            \
      "The list of parts was not in ascending order. The parts list must be " \
      "specified in order by part number.")                                   \
    X(ENTITY_TOO_SMALL, 400, "EntityTooSmall",                                \
      "Your proposed upload is smaller than the minimum allowed object size.")\
    X(INVALID_TAG, 400, "InvalidTag", "The TagValue you have provided is invalid") \
    X(CORS_FORBIDDEN, 403, "AccessForbidden",                                 \
      "CORSResponse: This CORS request is not allowed. This is usually "      \
      "because the evalution of Origin, request method / "                    \
      "Access-Control-Request-Method or Access-Control-Request-Headers are "  \
      "not whitelisted by the resource's CORS spec.")                         \
    X(XAMZ_CONTENT_SHA256_MISMATCH, 400, "XAmzContentSHA256Mismatch",         \
      "The provided 'x-amz-content-sha256' header does not match what was "   \
      "computed.")                                                            \
    X(INVALID_CHUNK_SIZE, 400, "InvalidChunkSizeError",                       \
      "Only the last chunk is allowed to have a size less than 8192 bytes")   \
    X(INVALID_ENCRYPTION, 400, "InvalidEncryptionAlgorithmError",             \
      "The encryption request you specified is not valid.")                   \
    X(INVALID_STORAGE_CLASS, 400, "InvalidStorageClass",                      \
      "The storage class you specified is not valid")                         \
    X(INVALID_TOKEN, 400, "InvalidArgument",                                  \
      "The continuation token provided is incorrect")                         \
    /* JSON protocols (DynamoDB and friends) */                               \
    X(VALIDATION, 400, "ValidationException", "Validation error")             \
    X(SERIALIZATION, 400, "SerializationException",                           \
      "Start of structure or map found where not expected.")                  \
    X(UNKNOWN_OPERATION, 400, "UnknownOperationException", "")                \
    X(RESOURCE_NOT_FOUND, 400, "ResourceNotFoundException",                   \
      "Requested resource not found")                                         \
    X(RESOURCE_IN_USE, 400, "ResourceInUseException", "Resource in use")      \
    X(CONDITIONAL_CHECK_FAILED, 400, "ConditionalCheckFailedException",       \
      "The conditional request failed")                                       \
    X(TRANSACTION_CANCELED, 400, "TransactionCanceledException",              \
      "Transaction cancelled")                                                \
    X(TRANSACTION_CONFLICT, 400, "TransactionConflictException",              \
      "Transaction is ongoing for the item")                                  \
    X(LIMIT_EXCEEDED, 400, "LimitExceededException", "Limit exceeded")        \
    X(IDEMPOTENT_MISMATCH, 400, "IdempotentParameterMismatchException",       \
      "The request uses the same client token as a previous, but "            \
      "non-identical request.")                                               \
    X(INTERNAL_SERVER, 500, "InternalServerError", "Internal server error")  \
    X(REQUEST_TOO_LARGE, 413, "RequestEntityTooLarge",                        \
      "Request entity too large")                                             \
    /* A JSON-protocol body over the operation's cap, as the AWS framework  \
     * (Coral) answers it: 413 RequestEntityTooLargeException. */           \
    X(JSON_REQUEST_TOO_LARGE, 413, "RequestEntityTooLargeException",          \
      "Request entity too large")                                             \
    /* CloudWatch Logs (JSON 1.1): every error is 400 with a bare __type */   \
    X(LOGS_INVALID_PARAMETER, 400, "InvalidParameterException",               \
      "A parameter is specified incorrectly.")                                \
    X(LOGS_ALREADY_EXISTS, 400, "ResourceAlreadyExistsException",             \
      "The specified resource already exists.")                               \
    X(LOGS_TOO_MANY_TAGS, 400, "TooManyTagsException",                        \
      "A resource can have no more than 50 tags.")                            \
    X(RESET_REFUSED, 403, "AccessDenied",                                     \
      "reset needs a POST with Content-Type application/json from this "      \
      "endpoint's own origin")                                                \
    /* IAM (query protocol) */                                                \
    X(IAM_ENTITY_EXISTS, 409, "EntityAlreadyExists", "Entity already exists") \
    X(IAM_NO_SUCH_ENTITY, 404, "NoSuchEntity", "The entity cannot be found")  \
    X(IAM_DELETE_CONFLICT, 409, "DeleteConflict",                             \
      "Cannot delete entity, must detach all policies first.")                \
    X(IAM_MALFORMED_POLICY, 400, "MalformedPolicyDocument",                   \
      "This policy contains invalid Json")                                    \
    X(IAM_VALIDATION, 400, "ValidationError", "Validation error")             \
    X(IAM_INVALID_INPUT, 400, "InvalidInput", "Invalid input")                \
    X(IAM_LIMIT_EXCEEDED, 409, "LimitExceeded", "Limit exceeded")             \
    /* STS (query protocol; its ValidationError is IAM_VALIDATION) */         \
    X(STS_PACKED_POLICY_TOO_LARGE, 400, "PackedPolicyTooLarge",               \
      "Packed policy consumes more than 100% of allotted space")             \
    X(NOT_FOUND, 404, "NotFound", "Not Found")                                \
    X(INVALID_ACTION, 400, "InvalidAction", "")                               \
    X(UNKNOWN_OPERATION_REST, 404, "UnknownOperationException", "")           \
    X(MISSING_ACTION, 400, "MissingAction", "Missing Action")                 \
    X(NOT_IMPLEMENTED_TE, 501, "NotImplemented",                              \
      "A header you provided implies functionality that is not implemented")  \
    X(SERVICE_UNAVAILABLE, 503, "ServiceUnavailable",                         \
      "Please reduce your request rate.")                                     \
    /* Lambda (REST-JSON) */                                                  \
    X(LAMBDA_NOT_FOUND, 404, "ResourceNotFoundException",                     \
      "Function not found")                                                   \
    X(LAMBDA_CONFLICT, 409, "ResourceConflictException",                      \
      "The resource already exists")                                          \
    X(LAMBDA_INVALID_PARAMETER, 400, "InvalidParameterValueException",        \
      "Invalid parameter value")                                              \
    X(LAMBDA_BAD_CONTENT, 400, "InvalidRequestContentException",              \
      "Could not parse request body into json: Unexpected character")         \
    X(LAMBDA_TOO_MANY_REQUESTS, 429, "TooManyRequestsException",              \
      "Rate Exceeded.")                                                       \
    X(LAMBDA_TOO_LARGE, 413, "RequestEntityTooLargeException",                \
      "Request must be smaller than 6291456 bytes for the Invoke operation")  \
    X(LAMBDA_PRECONDITION, 412, "PreconditionFailedException",                \
      "The Revision Id provided does not match the latest Revision Id. "      \
      "Call the GetFunction/GetAlias API to retrieve the latest Revision Id") \
    X(LAMBDA_SERVICE, 500, "ServiceException", "Service error")               \
    X(LAMBDA_UNSUPPORTED_MEDIA, 415, "UnsupportedMediaTypeException",         \
      "The payload is not JSON")                                              \
    /* API Gateway, REST and HTTP APIs (REST-JSON) */                         \
    X(APIGW_NOT_FOUND, 404, "NotFoundException",                              \
      "Invalid Resource identifier specified")                                \
    X(APIGW_BAD_REQUEST, 400, "BadRequestException", "Invalid request input") \
    X(APIGW_CONFLICT, 409, "ConflictException",                               \
      "Another resource with the same parent already has this name")          \
    X(APIGW_LIMIT, 429, "LimitExceededException", "Limit exceeded")           \
    X(APIGW_TOO_MANY, 429, "TooManyRequestsException", "Too Many Requests")

typedef enum ts_err {
#define TS_ERR_ENUM(name, status, code, msg) TS_ERR_##name,
    TS_ERRORS(TS_ERR_ENUM)
#undef TS_ERR_ENUM
    TS_ERR__COUNT
} ts_err;

/* Flags the renderers read instead of testing error names: */
enum {
    TS_EF_CORAL_VALIDATE = 1 << 0, /* DynamoDB: com.amazon.coral.validate# */
    TS_EF_CORAL_SERVICE = 1 << 1,  /* DynamoDB: com.amazon.coral.service# */
    TS_EF_CAPITAL_MESSAGE = 1 << 2, /* JSON member "Message", not "message" */
};

#define TS_ERROR_FLAGS(X)                                                     \
    X(VALIDATION, TS_EF_CORAL_VALIDATE)                                       \
    X(SERIALIZATION, TS_EF_CORAL_SERVICE | TS_EF_CAPITAL_MESSAGE)             \
    X(JSON_REQUEST_TOO_LARGE, TS_EF_CORAL_SERVICE)                            \
    X(UNKNOWN_OPERATION, TS_EF_CORAL_SERVICE)

/* The status, code, default message and TS_EF_* flags of an error. */
int ts_error_status(ts_err e);
const char *ts_error_code(ts_err e);
const char *ts_error_message(ts_err e);
int ts_error_flags(ts_err e);

#endif
