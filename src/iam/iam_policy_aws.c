/*
 * iam_policy_aws.c - the AWS managed policies tinystack knows: the ones
 * serverless templates attach (Lambda execution roles, DynamoDB, S3,
 * Logs, API Gateway, the broad job functions).  GetPolicy,
 * GetPolicyVersion and ListPolicies (Scope AWS) answer them; any other
 * arn:aws:iam::aws:policy/ ARN still attaches (iam_role_policy.c).
 *
 * The documents are abridged: each allows the actions of the services
 * tinystack emulates as AWS's policy does, and leaves out the long tails
 * of services it does not run.  Nothing evaluates them anyway.
 */
#include "iam_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#define DOC(...) "{\"Version\":\"2012-10-17\",\"Statement\":[" __VA_ARGS__ "]}"

static const iam_aws_policy aws_policies[] = {
    {"AdministratorAccess", "/", "Provides full access to AWS services and resources.",
     DOC("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}")},
    {"PowerUserAccess", "/",
     "Provides full access to AWS services and resources, but does not allow management of "
     "Users and groups.",
     DOC("{\"Effect\":\"Allow\",\"NotAction\":[\"iam:*\",\"organizations:*\",\"account:*\"],"
         "\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":[\"iam:CreateServiceLinkedRole\","
         "\"iam:DeleteServiceLinkedRole\",\"iam:ListRoles\",\"organizations:DescribeOrganization\","
         "\"account:ListRegions\",\"account:GetAccountInformation\"],\"Resource\":\"*\"}")},
    {"ReadOnlyAccess", "/", "Provides read-only access to AWS services and resources.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"apigateway:GET\",\"dynamodb:BatchGetItem\","
         "\"dynamodb:Describe*\",\"dynamodb:GetItem\",\"dynamodb:List*\",\"dynamodb:Query\","
         "\"dynamodb:Scan\",\"iam:Get*\",\"iam:List*\",\"lambda:Get*\",\"lambda:List*\","
         "\"logs:Describe*\",\"logs:FilterLogEvents\",\"logs:Get*\",\"s3:Get*\",\"s3:List*\","
         "\"sts:GetCallerIdentity\"],\"Resource\":\"*\"}")},
    {"IAMFullAccess", "/", "Provides full access to IAM via the AWS Management Console.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"iam:*\",\"organizations:DescribeAccount\","
         "\"organizations:DescribeOrganization\",\"organizations:ListRoots\"],"
         "\"Resource\":\"*\"}")},
    {"IAMReadOnlyAccess", "/", "Provides read only access to IAM via the AWS Management Console.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"iam:GenerateCredentialReport\","
         "\"iam:GenerateServiceLastAccessedDetails\",\"iam:Get*\",\"iam:List*\","
         "\"iam:SimulateCustomPolicy\",\"iam:SimulatePrincipalPolicy\"],\"Resource\":\"*\"}")},
    {"AmazonS3FullAccess", "/", "Provides full access to all buckets via the AWS Management Console.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"s3:*\",\"s3-object-lambda:*\"],\"Resource\":\"*\"}")},
    {"AmazonS3ReadOnlyAccess", "/",
     "Provides read only access to all buckets via the AWS Management Console.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\",\"s3:List*\",\"s3:Describe*\","
         "\"s3-object-lambda:Get*\",\"s3-object-lambda:List*\"],\"Resource\":\"*\"}")},
    {"AmazonDynamoDBFullAccess", "/",
     "Provides full access to Amazon DynamoDB via the AWS Management Console.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:*\",\"dax:*\","
         "\"application-autoscaling:*\",\"cloudwatch:DeleteAlarms\","
         "\"cloudwatch:DescribeAlarms\",\"cloudwatch:GetMetricData\",\"cloudwatch:PutMetricAlarm\","
         "\"iam:GetRole\",\"iam:ListRoles\",\"kms:DescribeKey\",\"kms:ListAliases\","
         "\"lambda:CreateEventSourceMapping\",\"lambda:DeleteEventSourceMapping\","
         "\"lambda:GetFunctionConfiguration\",\"lambda:ListEventSourceMappings\","
         "\"lambda:ListFunctions\",\"sns:ListTopics\"],\"Resource\":\"*\"},"
         "{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":\"*\",\"Condition\":"
         "{\"StringLike\":{\"iam:PassedToService\":[\"application-autoscaling.amazonaws.com\","
         "\"application-autoscaling.amazonaws.com.cn\",\"dax.amazonaws.com\"]}}}")},
    {"AmazonDynamoDBReadOnlyAccess", "/",
     "Provides read only access to Amazon DynamoDB via the AWS Management Console.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:BatchGetItem\",\"dynamodb:Describe*\","
         "\"dynamodb:List*\",\"dynamodb:GetItem\",\"dynamodb:Query\",\"dynamodb:Scan\","
         "\"dynamodb:PartiQLSelect\",\"cloudwatch:GetMetricData\",\"cloudwatch:DescribeAlarms\","
         "\"lambda:ListFunctions\",\"lambda:ListEventSourceMappings\"],\"Resource\":\"*\"}")},
    {"AWSLambda_FullAccess", "/",
     "Grants full access to AWS Lambda service, AWS Lambda console features, and other related "
     "AWS services.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"cloudformation:DescribeStacks\","
         "\"cloudwatch:GetMetricData\",\"cloudwatch:ListMetrics\",\"dynamodb:DescribeStream\","
         "\"dynamodb:ListStreams\",\"dynamodb:ListTables\",\"iam:GetPolicy\","
         "\"iam:GetPolicyVersion\",\"iam:GetRole\",\"iam:GetRolePolicy\","
         "\"iam:ListAttachedRolePolicies\",\"iam:ListRolePolicies\",\"iam:ListRoles\","
         "\"lambda:*\",\"logs:DescribeLogGroups\",\"s3:ListAllMyBuckets\",\"s3:ListBucket\"],"
         "\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":"
         "\"*\",\"Condition\":{\"StringEquals\":{\"iam:PassedToService\":"
         "\"lambda.amazonaws.com\"}}},{\"Effect\":\"Allow\",\"Action\":[\"logs:DescribeLogStreams\","
         "\"logs:GetLogEvents\",\"logs:FilterLogEvents\",\"logs:StartLiveTail\","
         "\"logs:StopLiveTail\"],\"Resource\":\"arn:aws:logs:*:*:log-group:/aws/lambda/*\"}")},
    {"AWSLambda_ReadOnlyAccess", "/",
     "Grants read-only access to AWS Lambda service, AWS Lambda console features, and other "
     "related AWS services.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"cloudformation:DescribeStacks\","
         "\"cloudwatch:GetMetricData\",\"cloudwatch:ListMetrics\",\"iam:GetPolicy\","
         "\"iam:GetPolicyVersion\",\"iam:GetRole\",\"iam:GetRolePolicy\","
         "\"iam:ListAttachedRolePolicies\",\"iam:ListRolePolicies\",\"iam:ListRoles\","
         "\"lambda:Get*\",\"lambda:List*\",\"logs:DescribeLogGroups\"],\"Resource\":\"*\"},"
         "{\"Effect\":\"Allow\",\"Action\":[\"logs:DescribeLogStreams\",\"logs:GetLogEvents\","
         "\"logs:FilterLogEvents\"],\"Resource\":\"arn:aws:logs:*:*:log-group:/aws/lambda/*\"}")},
    {"AWSLambdaExecute", "/",
     "Provides Put, Get access to S3 and full access to CloudWatch Logs.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"logs:*\"],\"Resource\":\"arn:aws:logs:*:*:*\"},"
         "{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],"
         "\"Resource\":\"arn:aws:s3:::*\"}")},
    {"CloudWatchLogsFullAccess", "/", "Provides full access to CloudWatch Logs",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"logs:*\",\"cloudwatch:GenerateQuery\"],"
         "\"Resource\":\"*\"}")},
    {"CloudWatchLogsReadOnlyAccess", "/", "Provides read only access to CloudWatch Logs",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"logs:Describe*\",\"logs:Get*\",\"logs:List*\","
         "\"logs:StartQuery\",\"logs:StopQuery\",\"logs:TestMetricFilter\","
         "\"logs:FilterLogEvents\",\"logs:StartLiveTail\",\"logs:StopLiveTail\"],"
         "\"Resource\":\"*\"}")},
    {"AmazonAPIGatewayAdministrator", "/",
     "Provides full access to create/edit/delete APIs in Amazon API Gateway via the AWS "
     "Management Console.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"apigateway:*\"],"
         "\"Resource\":\"arn:aws:apigateway:*::/*\"}")},
    {"AmazonAPIGatewayInvokeFullAccess", "/",
     "Provides full access to invoke APIs in Amazon API Gateway.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"execute-api:Invoke\","
         "\"execute-api:ManageConnections\"],\"Resource\":\"arn:aws:execute-api:*:*:*\"}")},
    {"AmazonSQSFullAccess", "/",
     "Provides full access to Amazon SQS via the AWS Management Console.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"sqs:*\"],\"Resource\":\"*\"}")},
    {"AmazonSNSFullAccess", "/",
     "Provides full access to Amazon SNS via the AWS Management Console.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"sns:*\"],\"Resource\":\"*\"}")},
    {"AWSXRayDaemonWriteAccess", "/",
     "Allow the AWS X-Ray Daemon to relay raw trace segments data to the service's API and "
     "retrieve sampling data (rules, targets, etc.) to be used by the X-Ray SDK.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"xray:PutTraceSegments\","
         "\"xray:PutTelemetryRecords\",\"xray:GetSamplingRules\",\"xray:GetSamplingTargets\","
         "\"xray:GetSamplingStatisticSummaries\"],\"Resource\":[\"*\"]}")},
    {"AWSLambdaBasicExecutionRole", "/service-role/",
     "Provides write permissions to CloudWatch Logs.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"logs:CreateLogGroup\",\"logs:CreateLogStream\","
         "\"logs:PutLogEvents\"],\"Resource\":\"*\"}")},
    {"AWSLambdaDynamoDBExecutionRole", "/service-role/",
     "Provides list and read access to DynamoDB streams and write permissions to CloudWatch "
     "logs.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:DescribeStream\","
         "\"dynamodb:GetRecords\",\"dynamodb:GetShardIterator\",\"dynamodb:ListStreams\","
         "\"logs:CreateLogGroup\",\"logs:CreateLogStream\",\"logs:PutLogEvents\"],"
         "\"Resource\":\"*\"}")},
    {"AWSLambdaSQSQueueExecutionRole", "/service-role/",
     "Provides receive message, delete message, and read attribute access to SQS queues, and "
     "write permissions to CloudWatch logs.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"sqs:ReceiveMessage\",\"sqs:DeleteMessage\","
         "\"sqs:GetQueueAttributes\",\"logs:CreateLogGroup\",\"logs:CreateLogStream\","
         "\"logs:PutLogEvents\"],\"Resource\":\"*\"}")},
    {"AWSLambdaVPCAccessExecutionRole", "/service-role/",
     "Provides minimum permissions for a Lambda function to execute while accessing a resource "
     "within a VPC - create, describe, delete network interfaces and write permissions to "
     "CloudWatch Logs.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"logs:CreateLogGroup\",\"logs:CreateLogStream\","
         "\"logs:PutLogEvents\",\"ec2:CreateNetworkInterface\",\"ec2:DescribeNetworkInterfaces\","
         "\"ec2:DescribeSubnets\",\"ec2:DeleteNetworkInterface\","
         "\"ec2:AssignPrivateIpAddresses\",\"ec2:UnassignPrivateIpAddresses\"],"
         "\"Resource\":\"*\"}")},
    {"AWSLambdaRole", "/service-role/", "Default policy for AWS Lambda service role.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"lambda:InvokeFunction\"],\"Resource\":[\"*\"]}")},
    {"AmazonAPIGatewayPushToCloudWatchLogs", "/service-role/",
     "Allows API Gateway to push logs to user's account.",
     DOC("{\"Effect\":\"Allow\",\"Action\":[\"logs:CreateLogGroup\",\"logs:CreateLogStream\","
         "\"logs:DescribeLogGroups\",\"logs:DescribeLogStreams\",\"logs:PutLogEvents\","
         "\"logs:GetLogEvents\",\"logs:FilterLogEvents\"],\"Resource\":\"*\"}")},
};

#define NPOLICIES TS_ARRAY_LEN(aws_policies)

/* The catalogue in ARN order (what ListPolicies pages through), made
 * once. */
static const iam_aws_policy *by_arn[NPOLICIES];
static pthread_once_t by_arn_once = PTHREAD_ONCE_INIT;

static int cmp_arn(const void *a, const void *b)
{
    const iam_aws_policy *x = *(const iam_aws_policy *const *)a;
    const iam_aws_policy *y = *(const iam_aws_policy *const *)b;
    int c = strcmp(x->path, y->path);

    return c ? c : strcmp(x->name, y->name);
}

static void by_arn_init(void)
{
    for (size_t i = 0; i < NPOLICIES; i++)
        by_arn[i] = &aws_policies[i];
    qsort(by_arn, NPOLICIES, sizeof(by_arn[0]), cmp_arn);
}

const iam_aws_policy *iam_aws_policy_at(size_t i)
{
    pthread_once(&by_arn_once, by_arn_init);
    return i < NPOLICIES ? by_arn[i] : NULL;
}

const iam_aws_policy *iam_aws_policy_find(const char *arn)
{
    const char *rest;

    if (!ts_starts_with(arn, "arn:aws:iam::aws:policy/"))
        return NULL;
    rest = arn + strlen("arn:aws:iam::aws:policy");
    for (size_t i = 0; i < NPOLICIES; i++) {
        size_t plen = strlen(aws_policies[i].path);
        if (!strncmp(rest, aws_policies[i].path, plen) && !strcmp(rest + plen, aws_policies[i].name))
            return &aws_policies[i];
    }
    return NULL;
}

void iam_aws_policy_id(const iam_aws_policy *p, char *out)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char md[SHA256_DIGEST_LENGTH];

    SHA256((const unsigned char *)p->name, strlen(p->name), md);
    memcpy(out, "ANPA", 4);
    for (int i = 0; i < 17; i++)
        out[4 + i] = alnum[md[i] % 36];
    out[21] = '\0';
}
