"""S3-triggered import: reads the uploaded JSON file of invoices (a list of
invoices, or one invoice object) and writes each one to DynamoDB.

Nothing here knows about tinystack or LocalStack: the clients are built with
no endpoint, and the emulator hands every handler AWS_ENDPOINT_URL, which
boto3 picks up, exactly as on LocalStack.  On AWS the same code talks to AWS.
"""
import json
import os
import urllib.parse
from decimal import Decimal

import boto3

TABLE = os.environ.get("TABLE", "notas")

# Built once per execution environment, reused by warm invocations.
s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table(TABLE)


def handler(event, context):
    imported = 0
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        # S3 event keys are URL-encoded with '+' for spaces.
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        # DynamoDB refuses floats: keep "1500.75" exact as a Decimal.
        data = json.loads(body, parse_float=Decimal)
        notas = data if isinstance(data, list) else [data]
        with table.batch_writer() as batch:
            for nota in notas:
                batch.put_item(Item=nota)
        imported += len(notas)
        print(f"imported {len(notas)} invoice(s) from s3://{bucket}/{key} into {TABLE}")
    return {"imported": imported}
