"""The /notas API behind API Gateway (REST API, Lambda proxy integration,
event format 1.0):

    GET  /notas        every invoice, sorted by id
    GET  /notas/{id}   one invoice, 404 when there is none
    POST /notas        adds the invoice in the JSON body (201), 400 when the
                       body is not a JSON object with an "id"

Like import_invoices.py it builds its client with no endpoint; the emulator's
AWS_ENDPOINT_URL points it at the emulator.
"""
import json
import os
from decimal import Decimal

import boto3

TABLE = os.environ.get("TABLE", "notas")
table = boto3.resource("dynamodb").Table(TABLE)


def _number(value):
    """json.dumps default: DynamoDB numbers come back as Decimal."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _reply(status, body):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body, default=_number, ensure_ascii=False),
    }


def _list():
    items, kwargs = [], {}
    while True:
        page = table.scan(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # NF-2 before NF-10: by the number after the prefix when there is one.
    def order(nota):
        prefix, _, number = str(nota["id"]).rpartition("-")
        return (prefix, int(number)) if number.isdigit() else (str(nota["id"]), 0)

    return _reply(200, sorted(items, key=order))


def _get(nota_id):
    item = table.get_item(Key={"id": nota_id}).get("Item")
    if item is None:
        return _reply(404, {"message": f"invoice {nota_id} not found"})
    return _reply(200, item)


def _post(body):
    try:
        nota = json.loads(body or "", parse_float=Decimal)
    except ValueError:
        return _reply(400, {"message": "the body is not JSON"})
    if not isinstance(nota, dict) or not isinstance(nota.get("id"), str) or not nota["id"]:
        return _reply(400, {"message": "the body must be a JSON object with a string \"id\""})
    table.put_item(Item=nota)
    return _reply(201, nota)


def handler(event, context):
    method = event.get("httpMethod")
    nota_id = (event.get("pathParameters") or {}).get("id")
    body = event.get("body")
    if body is not None and event.get("isBase64Encoded"):
        import base64
        body = base64.b64decode(body).decode("utf-8", "replace")
    if nota_id is not None:
        if method == "GET":
            return _get(nota_id)
    elif method == "GET":
        return _list()
    elif method == "POST":
        return _post(body)
    return _reply(405, {"message": f"{method} is not allowed here"})
