/*
 * model_sts_members.c - the structure members of sts's input shapes,
 * generated with model_sts.c by src/model/model_gen.py.  Do not edit.
 */
#include "model_int.h"

extern const ts_model_member ts_model_sts_members[];
const ts_model_member ts_model_sts_members[] = {
    {1, 0, 11, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 0 RoleArn */
    {9, 0, 12, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 1 RoleSessionName */
    {25, 0, 13, TS_MODEL_LOC_BODY, 0}, /* 2 PolicyArns */
    {36, 0, 14, TS_MODEL_LOC_BODY, 0}, /* 3 Policy */
    {43, 0, 15, TS_MODEL_LOC_BODY, 0}, /* 4 DurationSeconds */
    {59, 0, 16, TS_MODEL_LOC_BODY, 0}, /* 5 Tags */
    {64, 0, 17, TS_MODEL_LOC_BODY, 0}, /* 6 TransitiveTagKeys */
    {82, 0, 18, TS_MODEL_LOC_BODY, 0}, /* 7 ExternalId */
    {93, 0, 19, TS_MODEL_LOC_BODY, 0}, /* 8 SerialNumber */
    {106, 0, 20, TS_MODEL_LOC_BODY, 0}, /* 9 TokenCode */
    {116, 0, 21, TS_MODEL_LOC_BODY, 0}, /* 10 SourceIdentity */
    {131, 0, 22, TS_MODEL_LOC_BODY, 0}, /* 11 ProvidedContexts */
    {1, 0, 11, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 12 RoleArn */
    {166, 0, 11, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 13 PrincipalArn */
    {179, 0, 23, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 14 SAMLAssertion */
    {25, 0, 13, TS_MODEL_LOC_BODY, 0}, /* 15 PolicyArns */
    {36, 0, 24, TS_MODEL_LOC_BODY, 0}, /* 16 Policy */
    {43, 0, 15, TS_MODEL_LOC_BODY, 0}, /* 17 DurationSeconds */
    {1, 0, 11, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 18 RoleArn */
    {9, 0, 12, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 19 RoleSessionName */
    {219, 0, 25, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 20 WebIdentityToken */
    {236, 0, 26, TS_MODEL_LOC_BODY, 0}, /* 21 ProviderId */
    {25, 0, 13, TS_MODEL_LOC_BODY, 0}, /* 22 PolicyArns */
    {36, 0, 24, TS_MODEL_LOC_BODY, 0}, /* 23 Policy */
    {43, 0, 15, TS_MODEL_LOC_BODY, 0}, /* 24 DurationSeconds */
    {280, 0, 27, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 25 TargetPrincipal */
    {296, 0, 28, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 26 TaskPolicyArn */
    {43, 0, 29, TS_MODEL_LOC_BODY, 0}, /* 27 DurationSeconds */
    {328, 0, 30, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 28 EncodedMessage */
    {377, 0, 31, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 29 AccessKeyId */
    {438, 0, 32, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 30 TradeInToken */
    {482, 0, 33, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 31 Name */
    {36, 0, 24, TS_MODEL_LOC_BODY, 0}, /* 32 Policy */
    {25, 0, 13, TS_MODEL_LOC_BODY, 0}, /* 33 PolicyArns */
    {43, 0, 34, TS_MODEL_LOC_BODY, 0}, /* 34 DurationSeconds */
    {59, 0, 16, TS_MODEL_LOC_BODY, 0}, /* 35 Tags */
    {43, 0, 34, TS_MODEL_LOC_BODY, 0}, /* 36 DurationSeconds */
    {93, 0, 19, TS_MODEL_LOC_BODY, 0}, /* 37 SerialNumber */
    {106, 0, 20, TS_MODEL_LOC_BODY, 0}, /* 38 TokenCode */
    {536, 0, 35, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 39 Audience */
    {43, 0, 36, TS_MODEL_LOC_BODY, 0}, /* 40 DurationSeconds */
    {545, 0, 37, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 41 SigningAlgorithm */
    {59, 0, 16, TS_MODEL_LOC_BODY, 0}, /* 42 Tags */
    {1074, 0, 11, TS_MODEL_LOC_BODY, 0}, /* 43 arn */
    {1300, 0, 39, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 44 Key */
    {1304, 0, 42, TS_MODEL_LOC_BODY, TS_MODEL_REQUIRED}, /* 45 Value */
    {1353, 0, 11, TS_MODEL_LOC_BODY, 0}, /* 46 ProviderArn */
    {1365, 0, 43, TS_MODEL_LOC_BODY, 0}, /* 47 ContextAssertion */
};
