/*
 * test_model.c - the generated botocore tables and the validator: lookup,
 * every JSON type mismatch and its SerializationException text, required
 * members, lengths (in UTF-16 units), ranges, enums (with the override
 * orders), patterns, paths into lists and maps, several errors in one
 * message (and the cap of ten), null as absent, unknown members ignored.
 * JSON is written with ' for " to keep the C readable.
 */
#include "test.h"

#include <stdlib.h>

#include "tinystack/core.h"
#include "tinystack/model.h"

static ts_model_error err;

/* Validates json (with ' for ") against svc.op; the verdict stays in err. */
static int run(const char *svc, const char *op, const char *json)
{
    const ts_model_op *o = ts_model_op_find(svc, op);
    char *text = ts_strdup(json);
    cJSON *in;
    int rc = 99;

    ts_model_error_free(&err);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    in = cJSON_Parse(text);
    if (o && in)
        rc = ts_model_validate(o, in, &err);
    cJSON_Delete(in);
    ts_free(text);
    return rc;
}

#define DDB_SER(op, json, msg)                                     \
    do {                                                           \
        CHECK(run("dynamodb", op, json) == -1);                    \
        CHECK(err.kind == TS_MODEL_SERIALIZATION);                 \
        CHECK_STR(err.message, msg);                               \
    } while (0)

#define DDB_VAL(op, json, msg)                                     \
    do {                                                           \
        CHECK(run("dynamodb", op, json) == -1);                    \
        CHECK(err.kind == TS_MODEL_VALIDATION);                    \
        CHECK_STR(err.message, msg);                               \
    } while (0)

#define DDB_OK(op, json)                                           \
    do {                                                           \
        CHECK(run("dynamodb", op, json) == 0);                     \
        CHECK(err.kind == TS_MODEL_OK && err.message == NULL);     \
    } while (0)

#define ONE "1 validation error detected: "
#define NOT_NULL "failed to satisfy constraint: Member must not be null"

TEST(model_lookup)
{
    const ts_model_op *o = ts_model_op_find("dynamodb", "PutItem");

    REQUIRE(o != NULL);
    CHECK_STR(ts_model_op_name(o), "PutItem");
    CHECK_STR(ts_model_op_http_method(o), "POST");
    CHECK_STR(ts_model_op_request_uri(o), "/");
    o = ts_model_op_find("lambda", "Invoke");
    REQUIRE(o != NULL);
    CHECK_STR(ts_model_op_http_method(o), "POST");
    CHECK_STR(ts_model_op_request_uri(o), "/2015-03-31/functions/{FunctionName}/invocations");
    o = ts_model_op_find("s3", "GetObject");
    REQUIRE(o != NULL);
    CHECK_STR(ts_model_op_http_method(o), "GET");
    CHECK_STR(ts_model_op_request_uri(o), "/{Bucket}/{Key+}");
    CHECK(ts_model_op_find("apigateway", "GetRestApis") != NULL);
    CHECK(ts_model_op_find("apigatewayv2", "GetApis") != NULL);
    CHECK(ts_model_op_find("iam", "CreateRole") != NULL);
    CHECK(ts_model_op_find("sts", "GetCallerIdentity") != NULL);
    CHECK(ts_model_op_find("logs", "PutLogEvents") != NULL);
    /* the first and last of a table, and misses */
    CHECK(ts_model_op_find("dynamodb", "BatchExecuteStatement") != NULL);
    CHECK(ts_model_op_find("dynamodb", "UpdateTimeToLive") != NULL);
    CHECK(ts_model_op_find("dynamodb", "putitem") == NULL);
    CHECK(ts_model_op_find("dynamodb", "Nope") == NULL);
    CHECK(ts_model_op_find("nope", "PutItem") == NULL);
    CHECK(ts_model_op_find(NULL, "PutItem") == NULL);
    CHECK(ts_model_op_find("dynamodb", NULL) == NULL);
    /* no operation, no input: nothing to check */
    CHECK(ts_model_validate(NULL, NULL, &err) == 0 && err.kind == TS_MODEL_OK);
}

TEST(model_type_mismatch_string)
{
    DDB_SER("DescribeTable", "{'TableName': true}", "TRUE_VALUE cannot be converted to String");
    DDB_SER("DescribeTable", "{'TableName': false}", "FALSE_VALUE cannot be converted to String");
    DDB_SER("DescribeTable", "{'TableName': 5}", "NUMBER_VALUE cannot be converted to String");
    DDB_SER("DescribeTable", "{'TableName': 1.5}", "DECIMAL_VALUE cannot be converted to String");
    DDB_SER("DescribeTable", "{'TableName': {}}",
            "Start of structure or map found where not expected");
    DDB_SER("DescribeTable", "{'TableName': []}",
            "Unrecognized collection type class java.lang.String");
    ts_model_error_free(&err);
}

TEST(model_type_mismatch_scalars)
{
    DDB_SER("ListTables", "{'Limit': '5'}", "STRING_VALUE cannot be converted to Integer");
    DDB_SER("ListTables", "{'Limit': true}", "TRUE_VALUE cannot be converted to Integer");
    DDB_SER("ListTables", "{'Limit': []}", "Unrecognized collection type class java.lang.Integer");
    DDB_SER("ListTables", "{'Limit': {}}", "Start of structure or map found where not expected");
    DDB_SER("CreateTable", "{'ProvisionedThroughput': {'ReadCapacityUnits': '1'}}",
            "STRING_VALUE cannot be converted to Long");
    DDB_SER("GetItem", "{'ConsistentRead': 'yes'}", "Unexpected token received from parser");
    DDB_SER("GetItem", "{'ConsistentRead': 1}", "NUMBER_VALUE cannot be converted to Boolean");
    DDB_SER("GetItem", "{'ConsistentRead': 0.5}", "DECIMAL_VALUE cannot be converted to Boolean");
    DDB_SER("GetItem", "{'ConsistentRead': []}",
            "Unrecognized collection type class java.lang.Boolean");
    /* blobs are base64 text */
    DDB_SER("PutItem", "{'Item': {'b': {'B': 5}}}",
            "only base-64-encoded strings are convertible to bytes");
    DDB_SER("PutItem", "{'Item': {'b': {'B': []}}}",
            "Unrecognized collection type class java.nio.ByteBuffer");
    DDB_SER("PutItem", "{'Item': {'b': {'B': 'AAE'}}}",
            "Base64 encoded length is expected a multiple of 4 bytes but found: 3");
    DDB_SER("PutItem", "{'Item': {'b': {'B': '=+/='}}}",
            "Invalid last non-pad Base64 character dectected");
    DDB_SER("PutItem", "{'Item': {'b': {'B': '+/+='}}}",
            "Invalid last non-pad Base64 character dectected");
    DDB_SER("PutItem", "{'Item': {'b': {'B': 'AA*C'}}}", "Invalid Base64 character found");
    DDB_OK("PutItem", "{'TableName': 'tbl', 'Item': {'b': {'B': 'AAE='}, 'e': {'B': ''}}}");
    ts_model_error_free(&err);
}

TEST(model_type_mismatch_containers)
{
    /* a list as a structure member, and its elements */
    DDB_SER("CreateTable", "{'KeySchema': 'x'}", "Unexpected field type");
    DDB_SER("CreateTable", "{'KeySchema': {}}",
            "Start of structure or map found where not expected");
    DDB_SER("CreateTable", "{'KeySchema': ['x']}", "Unexpected value type in payload");
    DDB_SER("CreateTable", "{'KeySchema': [[]]}", "Unrecognized collection type class "
            "com.amazonaws.dynamodb.v20120810.KeySchemaElement");
    DDB_SER("CreateTable", "{'KeySchema': [{'KeyType': 1}]}",
            "NUMBER_VALUE cannot be converted to String");
    /* a structure as a structure member */
    DDB_SER("CreateTable", "{'ProvisionedThroughput': 5}", "Unexpected field type");
    DDB_SER("CreateTable", "{'ProvisionedThroughput': []}", "Unrecognized collection type "
            "class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput");
    /* maps, map values, maps inside lists */
    DDB_SER("GetItem", "{'Key': 'x'}", "Unexpected field type");
    DDB_SER("GetItem", "{'Key': []}", "Unrecognized collection type java.util.Map<"
            "java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>");
    DDB_SER("GetItem", "{'Key': {'id': 'x'}}", "Unexpected value type in payload");
    DDB_SER("GetItem", "{'Key': {'id': {'S': 5}}}", "NUMBER_VALUE cannot be converted to String");
    DDB_SER("GetItem", "{'Key': {'id': {'M': {'a': {'L': [{'SS': [true]}]}}}}}",
            "TRUE_VALUE cannot be converted to String");
    DDB_SER("GetItem", "{'Key': {'id': {'L': 'x'}}}", "Unexpected field type");
    DDB_SER("BatchGetItem", "{'RequestItems': {'t': {'Keys': ['x']}}}",
            "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast "
            "to class java.lang.Class (sun.reflect.generics.reflectiveObjects."
            "ParameterizedTypeImpl and java.lang.Class are in module java.base of loader "
            "'bootstrap')");
    DDB_SER("BatchGetItem", "{'RequestItems': {'t': {'Keys': [[]]}}}",
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "com.amazonaws.dynamodb.v20120810.AttributeValue>");
    DDB_SER("BatchGetItem", "{'RequestItems': {'t': 5}}", "Unexpected value type in payload");
    /* the first mismatch in document order wins, before any constraint */
    DDB_SER("GetItem", "{'Key': [], 'TableName': 5}", "Unrecognized collection type "
            "java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>");
    DDB_SER("GetItem", "{'TableName': 'x', 'Key': {'id': {'S': 1}}}",
            "NUMBER_VALUE cannot be converted to String");
    ts_model_error_free(&err);
}

TEST(model_required_and_null)
{
    DDB_VAL("GetItem", "{}", "2 validation errors detected: Value null at 'tableName' " NOT_NULL
            "; Value null at 'key' " NOT_NULL);
    /* null means absent, for required and optional members */
    DDB_VAL("GetItem", "{'TableName': null, 'Key': {'id': {'S': 'x'}}}",
            ONE "Value null at 'tableName' " NOT_NULL);
    DDB_OK("ListTables", "{'Limit': null, 'ExclusiveStartTableName': null}");
    DDB_OK("GetItem", "{'TableName': 'tbl', 'Key': {'id': {'S': 'x', 'N': null}}}");
    /* unknown members are ignored, whatever their type */
    DDB_OK("ListTables", "{'Bogus': [1, {}], 'limit': 'x'}");
    DDB_OK("ListTables", "{}");
    DDB_VAL("UpdateTimeToLive", "{'TableName': 'tbl', 'TimeToLiveSpecification': {}}",
            "2 validation errors detected: Value null at 'timeToLiveSpecification.enabled' "
            NOT_NULL "; Value null at 'timeToLiveSpecification.attributeName' " NOT_NULL);
    ts_model_error_free(&err);
}

TEST(model_length)
{
    char json[600];

    DDB_VAL("CreateTable", "{'TableName': 'ab'}", ONE "Value 'ab' at 'tableName' failed to "
            "satisfy constraint: Member must have length greater than or equal to 3");
    DDB_VAL("DescribeTable", "{'TableName': ''}", ONE "Value '' at 'tableName' failed to "
            "satisfy constraint: Member must have length greater than or equal to 1");
    snprintf(json, sizeof(json), "{'TableName': '%0256d'}", 0);
    CHECK(run("dynamodb", "DescribeTable", json) == -1);
    CHECK(err.message && strstr(err.message, "Member must have length less than or equal "
                                             "to 255"));
    snprintf(json, sizeof(json), "{'TableName': '%0255d'}", 0);
    CHECK(run("dynamodb", "DescribeTable", json) == 0);
    /* a table ARN is 1-1024 characters of anything */
    DDB_OK("DescribeTable", "{'TableName': 'arn:aws:dynamodb:us-east-1:000000000000:table/t'}");
    /* lists */
    DDB_VAL("CreateTable", "{'TableName': 'tbl', 'KeySchema': []}", ONE "Value '[]' at "
            "'keySchema' failed to satisfy constraint: Member must have length greater than "
            "or equal to 1");
    DDB_VAL("CreateTable", "{'TableName': 'tbl', 'KeySchema': [{'AttributeName': 'a', "
            "'KeyType': 'HASH'}, {'AttributeName': 'b', 'KeyType': 'RANGE'}, "
            "{'AttributeName': 'c', 'KeyType': 'RANGE'}]}",
            ONE "Value '[KeySchemaElement(attributeName=a, keyType=HASH), "
            "KeySchemaElement(attributeName=b, keyType=RANGE), KeySchemaElement("
            "attributeName=c, keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: "
            "Member must have length less than or equal to 2");
    /* strings count UTF-16 units: 128 two-byte letters fit a 128 limit, 65
     * characters outside the BMP (130 units) do not */
    {
        ts_buf b;
        ts_buf_init(&b);
        ts_buf_puts(&b, "{'ResourceArn': 'arn:x', 'Tags': [{'Value': 'v', 'Key': '");
        for (int i = 0; i < 128; i++)
            ts_buf_puts(&b, "\xc3\xa9");
        ts_buf_puts(&b, "'}]}");
        DDB_OK("TagResource", b.data);
        ts_buf_reset(&b);
        ts_buf_puts(&b, "{'ResourceArn': 'arn:x', 'Tags': [{'Value': 'v', 'Key': '");
        for (int i = 0; i < 65; i++)
            ts_buf_puts(&b, "\xf0\x9f\x98\x80");
        ts_buf_puts(&b, "'}]}");
        CHECK(run("dynamodb", "TagResource", b.data) == -1);
        CHECK(err.message && strstr(err.message, "at 'tags.1.member.key' failed to satisfy "
                                                 "constraint: Member must have length less "
                                                 "than or equal to 128"));
        ts_buf_free(&b);
    }
    ts_model_error_free(&err);
}

TEST(model_numbers)
{
    DDB_VAL("ListTables", "{'Limit': 0}", ONE "Value '0' at 'limit' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1");
    DDB_VAL("ListTables", "{'Limit': 101}", ONE "Value '101' at 'limit' failed to satisfy "
            "constraint: Member must have value less than or equal to 100");
    DDB_OK("ListTables", "{'Limit': 100}");
    DDB_VAL("CreateTable", "{'TableName': 'tbl', 'ProvisionedThroughput': "
            "{'ReadCapacityUnits': -1, 'WriteCapacityUnits': 1}}",
            ONE "Value '-1' at 'provisionedThroughput.readCapacityUnits' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1");
    DDB_VAL("Scan", "{'TableName': 'tbl', 'TotalSegments': 1000001, 'Segment': -1}",
            "2 validation errors detected: Value '1000001' at 'totalSegments' failed to "
            "satisfy constraint: Member must have value less than or equal to 1000000; "
            "Value '-1' at 'segment' failed to satisfy constraint: Member must have value "
            "greater than or equal to 0");
    ts_model_error_free(&err);
}

TEST(model_enum)
{
    DDB_VAL("CreateTable", "{'TableName': 'tbl', 'KeySchema': [{'AttributeName': 'a', "
            "'KeyType': 'SORT'}]}", ONE "Value 'SORT' at 'keySchema.1.member.keyType' "
            "failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]");
    DDB_VAL("CreateTable", "{'TableName': 'tbl', 'BillingMode': 'FREE'}", ONE "Value 'FREE' "
            "at 'billingMode' failed to satisfy constraint: Member must satisfy enum value "
            "set: [PROVISIONED, PAY_PER_REQUEST]");
    /* orders AWS prints that the model does not have (overrides[]) */
    DDB_VAL("PutItem", "{'TableName': 'tbl', 'Item': {}, 'ReturnValues': 'SOME'}",
            ONE "Value 'SOME' at 'returnValues' failed to satisfy constraint: Member must "
            "satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
    DDB_VAL("CreateTable", "{'TableName': 'tbl', 'AttributeDefinitions': [{'AttributeName': "
            "'a', 'AttributeType': 'BOOL'}]}", ONE "Value 'BOOL' at "
            "'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: "
            "Member must satisfy enum value set: [B, N, S]");
    DDB_OK("Query", "{'TableName': 'tbl', 'Select': 'COUNT', 'ReturnConsumedCapacity': 'TOTAL'}");
    ts_model_error_free(&err);
}

TEST(model_pattern)
{
    DDB_VAL("CreateTable", "{'TableName': 'a;b'}", ONE "Value 'a;b' at 'tableName' failed "
            "to satisfy constraint: Member must satisfy regular expression pattern: "
            "[a-zA-Z0-9_.-]+");
    /* IndexName's pattern goes through regcomp; both checks fail here */
    DDB_VAL("Query", "{'TableName': 'tbl', 'IndexName': 'a;'}", "2 validation errors "
            "detected: Value 'a;' at 'indexName' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at 'indexName' "
            "failed to satisfy constraint: Member must have length greater than or equal to 3");
    DDB_OK("Query", "{'TableName': 'tbl', 'IndexName': 'by-date_1.x'}");
    /* a rest-json service's pattern, translated from Java's \d */
    CHECK(run("lambda", "GetFunction", "{'FunctionName': 'my-function'}") == 0);
    CHECK(run("lambda", "GetFunction",
              "{'FunctionName': 'arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST'}")
          == 0);
    CHECK(run("lambda", "GetFunction", "{'FunctionName': 'bad name'}") == -1);
    CHECK(err.kind == TS_MODEL_VALIDATION && err.message &&
          strstr(err.message, "Value 'bad name' at 'functionName' failed to satisfy "
                              "constraint: Member must satisfy regular expression pattern: "
                              "(arn:(aws[a-zA-Z-]*)?:lambda:)?"));
    ts_model_error_free(&err);
}

TEST(model_nested_paths)
{
    DDB_VAL("CreateTable", "{'TableName': 'tbl', 'KeySchema': [{'KeyType': 'HASH'}, "
            "{'AttributeName': 'a'}]}", "2 validation errors detected: Value null at "
            "'keySchema.1.member.attributeName' " NOT_NULL "; Value null at "
            "'keySchema.2.member.keyType' " NOT_NULL);
    DDB_VAL("CreateTable", "{'TableName': 'tbl', 'GlobalSecondaryIndexes': [{'IndexName': "
            "'ix', 'KeySchema': [{'AttributeName': 'a', 'KeyType': 'HASH'}], 'Projection': "
            "{'ProjectionType': 'INCLUDE', 'NonKeyAttributes': ['']}}]}",
            "2 validation errors detected: Value 'ix' at 'globalSecondaryIndexes.1.member."
            "indexName' failed to satisfy constraint: Member must have length greater than "
            "or equal to 3; Value '[]' at 'globalSecondaryIndexes.1.member.projection."
            "nonKeyAttributes' failed to satisfy constraint: Member must satisfy constraint: "
            "[Member must have length less than or equal to 255, Member must have length "
            "greater than or equal to 1]");
    /* map values: structures get <map>.<key>.member paths */
    DDB_VAL("UpdateItem", "{'TableName': 'tbl', 'Key': {}, 'AttributeUpdates': {'x': "
            "{'Action': 'NOPE'}}}", ONE "Value 'NOPE' at 'attributeUpdates.x.member.action' "
            "failed to satisfy constraint: Member must satisfy enum value set: "
            "[ADD, PUT, DELETE]");
    DDB_VAL("BatchGetItem", "{'RequestItems': {'tbl': {'Keys': []}}}", ONE "Value '[]' at "
            "'requestItems.tbl.member.keys' failed to satisfy constraint: Member must have "
            "length greater than or equal to 1");
    DDB_VAL("BatchGetItem", "{'RequestItems': {}}", ONE "Value '{}' at 'requestItems' failed "
            "to satisfy constraint: Member must have length greater than or equal to 1");
    /* map values and keys that break their own shape's constraints */
    {
        ts_buf b;
        ts_buf_init(&b);
        ts_buf_puts(&b, "{'RequestItems': {'tbl': [");
        for (int i = 0; i < 26; i++)
            ts_buf_printf(&b, "%s{'DeleteRequest': {'Key': {'id': {'S': '%d'}}}}",
                          i ? ", " : "", i);
        ts_buf_puts(&b, "]}}");
        CHECK(run("dynamodb", "BatchWriteItem", b.data) == -1);
        static const char head[] = ONE "Value '{tbl=[WriteRequest(putRequest=null, "
            "deleteRequest=DeleteRequest(key={id=com.amazonaws.dynamodb.v20120810."
            "AttributeValue@";
        CHECK(err.message && !strncmp(err.message, head, sizeof(head) - 1));
        CHECK(err.message && strstr(err.message, "' at 'requestItems' failed to satisfy "
                                    "constraint: Map value must satisfy constraint: [Member "
                                    "must have length less than or equal to 25, Member must "
                                    "have length greater than or equal to 1]"));
        ts_buf_free(&b);
    }
    DDB_VAL("BatchGetItem", "{'RequestItems': {'ab': {'Keys': [{}]}}}", ONE "Value "
            "'{ab=KeysAndAttributes(keys=[{}], attributesToGet=null, consistentRead=null, "
            "projectionExpression=null, expressionAttributeNames=null)}' at 'requestItems' "
            "failed to satisfy constraint: Map keys must satisfy constraint: [Member must "
            "have length less than or equal to 255, Member must have length greater than or "
            "equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]");
    ts_model_error_free(&err);
}

TEST(model_accumulation)
{
    ts_buf b;
    int n = 0;

    DDB_VAL("CreateTable", "{'TableName': 'a;', 'BillingMode': 'X', 'KeySchema': []}",
            "4 validation errors detected: "
            "Value 'a;' at 'tableName' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: [a-zA-Z0-9_.-]+; "
            "Value 'a;' at 'tableName' failed to satisfy constraint: Member must have length "
            "greater than or equal to 3; "
            "Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1; "
            "Value 'X' at 'billingMode' failed to satisfy constraint: Member must satisfy "
            "enum value set: [PROVISIONED, PAY_PER_REQUEST]");
    /* at most ten */
    ts_buf_init(&b);
    ts_buf_puts(&b, "{'TableName': 'tbl', 'AttributeDefinitions': [");
    for (int i = 0; i < 12; i++)
        ts_buf_puts(&b, i ? ", {}" : "{}");
    ts_buf_puts(&b, "]}");
    CHECK(run("dynamodb", "CreateTable", b.data) == -1);
    REQUIRE(err.message != NULL);
    {
        static const char head[] = "10 validation errors detected: Value null at "
                                   "'attributeDefinitions.1.member.attributeName'";
        CHECK(!strncmp(err.message, head, sizeof(head) - 1));
    }
    for (const char *p = err.message; (p = strstr(p, "; ")); p++)
        n++;
    CHECK(n == 9);
    ts_buf_free(&b);
    ts_model_error_free(&err);
}

TEST(model_sensitive)
{
    /* IAM's password: AWS does not quote a sensitive value */
    CHECK(run("iam", "CreateLoginProfile", "{'UserName': 'u', 'Password': ''}") == -1);
    CHECK_STR(err.message, ONE "Value at 'password' failed to satisfy constraint: Member "
              "must have length greater than or equal to 1");
    CHECK(run("iam", "CreateLoginProfile", "{'UserName': 'bad user', 'Password': 'p'}") == -1);
    CHECK_STR(err.message, ONE "Value 'bad user' at 'userName' failed to satisfy constraint: "
              "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    ts_model_error_free(&err);
}

TEST(model_drop_nulls)
{
    const ts_model_op *o = ts_model_op_find("dynamodb", "TransactWriteItems");
    cJSON *in = cJSON_Parse("{\"TransactItems\": [{\"Put\": {\"TableName\": \"tbl\", \"Item\": "
                            "{\"a\": {\"S\": \"x\", \"N\": null}, \"b\": null}, "
                            "\"ConditionExpression\": null}, \"Update\": null}], "
                            "\"ClientRequestToken\": null, \"Unknown\": null}");
    char *text;

    REQUIRE(o && in);
    CHECK(ts_model_validate(o, in, &err) == 0);
    ts_model_drop_nulls(o, in);
    text = cJSON_PrintUnformatted(in);
    /* structure members go, map values stay (the item's own check sees them) */
    CHECK_STR(text, "{\"TransactItems\":[{\"Put\":{\"TableName\":\"tbl\",\"Item\":"
                    "{\"a\":{\"S\":\"x\"},\"b\":null}}}]}");
    cJSON_free(text);
    cJSON_Delete(in);
    ts_model_drop_nulls(NULL, NULL);
    ts_model_error_free(&err);
}

/* apigatewayv2's body members travel under their locationNames ("name"
 * for Name, nested ones too); the URI label is bound under ApiId. */
TEST(model_location_names)
{
    CHECK(run("apigatewayv2", "CreateApi", "{'name': 'a', 'protocolType': 'HTTP'}") == 0);
    CHECK(run("apigatewayv2", "CreateApi", "{'Name': 'a', 'ProtocolType': 'HTTP'}") == -1);
    CHECK(err.kind == TS_MODEL_VALIDATION);
    CHECK(run("apigatewayv2", "CreateApi", "{'name': 'a', 'protocolType': 'FTP'}") == -1);
    CHECK(err.kind == TS_MODEL_VALIDATION && strstr(err.message, "'protocolType'"));
    CHECK(run("apigatewayv2", "CreateApi",
              "{'name': 'a', 'protocolType': 'HTTP', 'corsConfiguration': {'maxAge': 'x'}}")
          == -1);
    CHECK(err.kind == TS_MODEL_SERIALIZATION);
    CHECK(run("apigatewayv2", "CreateApi",
              "{'name': 'a', 'protocolType': 'HTTP', 'corsConfiguration': {'maxAge': 90000}}")
          == -1);
    CHECK(err.kind == TS_MODEL_VALIDATION && strstr(err.message, "corsConfiguration.maxAge"));
    CHECK(run("apigatewayv2", "GetApi", "{'ApiId': 'abc'}") == 0);
    CHECK(run("apigatewayv2", "GetApi", "{'apiId': 'abc'}") == -1);
    ts_model_error_free(&err);
}
