#!/bin/sh
# A ready hook: runs once the emulator accepts requests, as LocalStack runs
# the scripts in /etc/localstack/init/ready.d.  awslocal is the aws CLI
# with --endpoint-url pointing at the emulator and test credentials.
set -eu
awslocal s3 mb s3://ready-bucket
