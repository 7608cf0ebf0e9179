/* Per-cluster exponential backoff and the jitter of every wait. */
#include "controller/controller.h"

int64_t kdr_controller_backoff_delay(const struct kdr_controller_backoff_policy *policy, unsigned failures)
{
	int64_t delay = policy->base_ms;

	if (failures == 0 || policy->base_ms <= 0)
		return 0;
	/* Doubling stops at the cap, so a long outage cannot overflow the shift. */
	for (unsigned i = 1; i < failures && delay < policy->max_ms; i++)
		delay = delay > INT64_MAX / 2 ? INT64_MAX : delay * 2;
	return delay > policy->max_ms ? policy->max_ms : delay;
}

int64_t kdr_controller_jitter(struct kdr_rng *rng, int64_t ms, unsigned percent)
{
	int64_t spread = 0;

	if (ms <= 0 || percent == 0)
		return ms;
	if (percent > 100)
		percent = 100;
	/* ms * percent / 100 without overflowing for huge ms. */
	spread = ms / 100 * (int64_t)percent + ms % 100 * (int64_t)percent / 100;
	if (spread == 0)
		return ms;
	return ms - spread + (int64_t)kdr_rng_below(rng, (uint64_t)spread * 2 + 1);
}

void kdr_controller_backoff_fail(struct kdr_controller_backoff *backoff,
				 const struct kdr_controller_backoff_policy *policy, struct kdr_rng *rng,
				 int64_t now_ms)
{
	if (backoff->failures < UINT32_MAX)
		backoff->failures++;
	backoff->delay_ms = kdr_controller_backoff_delay(policy, backoff->failures);
	backoff->not_before_ms = now_ms + kdr_controller_jitter(rng, backoff->delay_ms, policy->jitter_percent);
}

void kdr_controller_backoff_reset(struct kdr_controller_backoff *backoff)
{
	backoff->failures = 0;
	backoff->delay_ms = 0;
	backoff->not_before_ms = 0;
}

bool kdr_controller_backoff_active(const struct kdr_controller_backoff *backoff, int64_t now_ms)
{
	return backoff->not_before_ms != 0 && now_ms < backoff->not_before_ms;
}
