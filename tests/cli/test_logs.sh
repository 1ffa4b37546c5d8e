#!/usr/bin/env bash
# test_logs.sh - CloudWatch Logs through the aws CLI, as a user reads a
# function's logs: groups, streams, put-log-events, get-log-events,
# filter-log-events (the CLI pages through them), retention, tags, and with
# v2 `aws logs tail` (--since, --format, --filter-pattern, --follow).
# Run by tests/cli/run.sh, which sets ENDPOINT, AWS, WORK and the credentials.
set -u
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1
reset_server

logs() { $AWS --endpoint-url "$ENDPOINT" logs "$@"; }
G=/aws/lambda/cli-fn
now=$(date +%s%3N)
t1=$((now - 120000))
t2=$((now - 60000))

# ---- groups and streams
check "create-log-group" logs create-log-group --log-group-name "$G" --tags env=cli
check_fails "create-log-group again is ResourceAlreadyExistsException" \
    ResourceAlreadyExistsException logs create-log-group --log-group-name "$G"
check_eq "describe-log-groups finds it" "$G" \
    "$(logs describe-log-groups --log-group-name-prefix /aws/lambda/cli \
        --query 'logGroups[0].logGroupName' --output text 2>&1)"
check_eq "describe-log-groups gives the ARN" "arn:aws:logs:us-east-1:000000000000:log-group:$G:*" \
    "$(logs describe-log-groups --log-group-name-prefix "$G" --query 'logGroups[0].arn' \
        --output text 2>&1)"
check_eq "list-tags-log-group gives the tags of create" "cli" \
    "$(logs list-tags-log-group --log-group-name "$G" --query tags.env --output text 2>&1)"
check "create-log-stream" logs create-log-stream --log-group-name "$G" \
    --log-stream-name '2024/01/01/[$LATEST]abc'
check "create-log-stream b" logs create-log-stream --log-group-name "$G" --log-stream-name b
check "create-log-stream c" logs create-log-stream --log-group-name "$G" --log-stream-name c
check_fails "create-log-stream in a missing group is ResourceNotFoundException" \
    ResourceNotFoundException logs create-log-stream --log-group-name /no/such --log-stream-name s
# With --page-size the CLI asks for one stream a time and follows the
# nextTokens (and applies --query to each page).
check_eq "describe-log-streams pages through every stream, by name" '2024/01/01/[$LATEST]abc b c' \
    "$(logs describe-log-streams --log-group-name "$G" --page-size 1 \
        --query 'logStreams[].logStreamName' --output text 2>&1 | tr '\t' '\n' | paste -sd' ')"

# ---- events
out=$(logs put-log-events --log-group-name "$G" --log-stream-name '2024/01/01/[$LATEST]abc' \
    --log-events "timestamp=$t1,message=START RequestId: r-1" "timestamp=$t2,message=hello from the cli" \
    2>&1)
check_match "put-log-events answers a sequence token" '"nextSequenceToken": "[0-9]+"' "$out"
cat >events.json <<EOF
[{"timestamp": $((t2 + 1)), "message": "[ERROR] something broke, badly"},
 {"timestamp": $((t2 + 2)), "message": "END RequestId: r-1"}]
EOF
check "put-log-events from a file" logs put-log-events --log-group-name "$G" \
    --log-stream-name b --log-events file://events.json
check_fails "put-log-events out of order is InvalidParameterException" InvalidParameterException \
    logs put-log-events --log-group-name "$G" --log-stream-name b \
    --log-events "timestamp=$t2,message=late" "timestamp=$t1,message=early"
check_eq "get-log-events returns the stream's events in order" \
    "START RequestId: r-1|hello from the cli" \
    "$(logs get-log-events --log-group-name "$G" --log-stream-name '2024/01/01/[$LATEST]abc' \
        --query 'events[].message' --output text 2>&1 | tr '\t' '|')"
check_eq "get-log-events --start-from-head --limit 1" "START RequestId: r-1" \
    "$(logs get-log-events --log-group-name "$G" --log-stream-name '2024/01/01/[$LATEST]abc' \
        --start-from-head --limit 1 --query 'events[].message' --output text 2>&1)"
check_match "get-log-events gives forward and backward tokens" '"nextForwardToken": "f/[0-9]+/s"' \
    "$(logs get-log-events --log-group-name "$G" --log-stream-name b 2>&1)"
check_eq "filter-log-events interleaves the streams" "4" \
    "$(logs filter-log-events --log-group-name "$G" --query 'length(events)' --output text 2>&1)"
check_eq "filter-log-events --filter-pattern" "[ERROR] something broke, badly" \
    "$(logs filter-log-events --log-group-name "$G" --filter-pattern ERROR \
        --query 'events[].message' --output text 2>&1)"
check_eq "filter-log-events with a quoted phrase" "b" \
    "$(logs filter-log-events --log-group-name "$G" --filter-pattern '"broke, badly"' \
        --query 'events[].logStreamName' --output text 2>&1)"
check_eq "filter-log-events pages (--page-size 1) through all of them, in time order" \
    "START RequestId: r-1|hello from the cli|[ERROR] something broke, badly|END RequestId: r-1" \
    "$(logs filter-log-events --log-group-name "$G" --page-size 1 \
        --query 'events[].message' --output text 2>&1 | tr '\t' '\n' | paste -sd'|')"
check_eq "filter-log-events --start-time" "3" \
    "$(logs filter-log-events --log-group-name "$G" --start-time "$t2" \
        --query 'length(events)' --output text 2>&1)"
check_eq "filter-log-events --log-stream-names" "2" \
    "$(logs filter-log-events --log-group-name "$G" --log-stream-names b \
        --query 'length(events)' --output text 2>&1)"

# ---- retention and tags
check "put-retention-policy" logs put-retention-policy --log-group-name "$G" --retention-in-days 7
check_eq "describe-log-groups shows the retention" "7" \
    "$(logs describe-log-groups --log-group-name-prefix "$G" \
        --query 'logGroups[0].retentionInDays' --output text 2>&1)"
check_fails "put-retention-policy of 2 days is InvalidParameterException" InvalidParameterException \
    logs put-retention-policy --log-group-name "$G" --retention-in-days 2
check "delete-retention-policy" logs delete-retention-policy --log-group-name "$G"
check "tag-resource" logs tag-resource \
    --resource-arn "arn:aws:logs:us-east-1:000000000000:log-group:$G" --tags team=core
check_eq "list-tags-for-resource" "cli core" \
    "$(logs list-tags-for-resource --resource-arn "arn:aws:logs:us-east-1:000000000000:log-group:$G" \
        --query '[tags.env, tags.team]' --output text 2>&1 | tr '\t' ' ')"

# ---- aws logs tail (the v2 CLI has it)
case $("$AWS" --version 2>&1) in
aws-cli/2*)
    out=$(logs tail "$G" 2>&1)
    check_match "logs tail prints the events with their stream" \
        '^[0-9T:.+-]+ 2024/01/01/\[\$LATEST\]abc hello from the cli$' "$out"
    check_eq "logs tail prints every event of the last 10 minutes" "4" \
        "$(printf '%s\n' "$out" | grep -c RequestId\\\|cli\\\|ERROR)"
    check_match "logs tail --format short" '^[0-9T:-]+ \[ERROR\] something broke, badly$' \
        "$(logs tail "$G" --format short 2>&1)"
    old=$((now - 2 * 3600 * 1000))
    check "put an event two hours old" logs put-log-events --log-group-name "$G" \
        --log-stream-name c --log-events "timestamp=$old,message=from two hours ago"
    check_eq "logs tail leaves out what is older than 10 minutes" "" \
        "$(logs tail "$G" 2>&1 | grep 'two hours ago')"
    check_match "logs tail --since 3h includes it" 'from two hours ago' \
        "$(logs tail "$G" --since 3h 2>&1)"
    check_eq "logs tail --filter-pattern" "1" \
        "$(logs tail "$G" --filter-pattern '"something broke"' 2>&1 | grep -c .)"
    check_fails "logs tail of a missing group is ResourceNotFoundException" \
        ResourceNotFoundException logs tail /no/such/group
    # --follow polls every 5 s from the newest timestamp it has seen; an
    # event put meanwhile shows up, once.  SIGINT ends it as Ctrl-C does.
    PYTHONUNBUFFERED=1 timeout -s INT 12 $AWS --endpoint-url "$ENDPOINT" logs tail "$G" \
        --follow --format short >follow.out 2>&1 &
    follower=$!
    sleep 3
    check "put an event while tail --follow runs" logs put-log-events --log-group-name "$G" \
        --log-stream-name c --log-events "timestamp=$(date +%s%3N),message=arrived while following"
    wait "$follower"
    follow=$(cat follow.out)
    check_match "logs tail --follow prints what was there" 'hello from the cli' "$follow"
    check_eq "logs tail --follow prints an event put while it runs, once" "1" \
        "$(printf '%s\n' "$follow" | grep -c 'arrived while following')"
    check_eq "logs tail --follow prints each earlier event once" "1" \
        "$(printf '%s\n' "$follow" | grep -c 'hello from the cli')"
    ;;
esac

# ---- deleting
check "delete-log-stream" logs delete-log-stream --log-group-name "$G" --log-stream-name c
check_fails "delete-log-stream again is ResourceNotFoundException" ResourceNotFoundException \
    logs delete-log-stream --log-group-name "$G" --log-stream-name c
check "delete-log-group" logs delete-log-group --log-group-name "$G"
check_fails "delete-log-group again is ResourceNotFoundException" ResourceNotFoundException \
    logs delete-log-group --log-group-name "$G"
check_eq "describe-log-groups is empty after" "0" \
    "$(logs describe-log-groups --query 'length(logGroups)' --output text 2>&1)"
