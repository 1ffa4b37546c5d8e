/*
 * test_lambda_timer.c - the runtime thread's choice for an environment's
 * timeout timer (rt_timer_action).  The case that was wrong: the timer
 * still armed for the previous invocation's deadline when the next one,
 * with an earlier deadline (an API Gateway caller's limit), had already
 * gone out at /next; it was kept, so that limit was not enforced.
 */
#include "test.h"
#include "../../src/lambda/lambda_runtime.h"

static lambda_env env_with(lambda_inv *inv, int sent, int timer_on, int64_t armed_for)
{
    lambda_env e;

    memset(&e, 0, sizeof e);
    e.inv = inv;
    e.inv_sent = sent;
    e.timer_on = timer_on;
    e.timer_deadline = armed_for;
    return e;
}

TEST(lambda_timer_rearmed_for_next_invocation)
{
    lambda_inv inv;
    lambda_env e;

    memset(&inv, 0, sizeof inv);
    inv.deadline_ms = 1000700;
    /* Armed for the previous invocation's deadline, 30 s later. */
    e = env_with(&inv, 1, 1, 1030000);
    CHECK(rt_timer_action(&e) == RT_TIMER_ARM);
    /* Or an earlier one: re-armed all the same. */
    e = env_with(&inv, 1, 1, 1000100);
    CHECK(rt_timer_action(&e) == RT_TIMER_ARM);
}

TEST(lambda_timer_other_states)
{
    lambda_inv inv;
    lambda_env e;

    memset(&inv, 0, sizeof inv);
    inv.deadline_ms = 5000;
    e = env_with(&inv, 1, 0, 0);                /* sent, not armed */
    CHECK(rt_timer_action(&e) == RT_TIMER_ARM);
    e = env_with(&inv, 1, 1, 5000);             /* armed for this one */
    CHECK(rt_timer_action(&e) == RT_TIMER_KEEP);
    e = env_with(&inv, 0, 0, 0);                /* assigned, not yet at /next */
    CHECK(rt_timer_action(&e) == RT_TIMER_KEEP);
    e = env_with(NULL, 0, 1, 5000);             /* finished: stop it */
    CHECK(rt_timer_action(&e) == RT_TIMER_STOP);
    e = env_with(NULL, 0, 0, 0);                /* idle */
    CHECK(rt_timer_action(&e) == RT_TIMER_KEEP);
}
