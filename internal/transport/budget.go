package transport

// retryBudget bounds a client's retries of failures (5xx, lost answers,
// refused connections) across all its calls, so that an outage does not
// multiply the load on a provider that is already down: every retry spends
// a token, and every answer that is not a failure (anything below 500 but
// 429) earns one back, up to retryBudgetCap.
//
// With nothing succeeding the client makes at most retryBudgetCap retries
// in all, so a long outage costs little more than one request per call. With
// half the answers failing at random, a call that retries up to 3 times
// succeeds 15 times in 16 while spending 14 retries per 16 calls, fewer than
// the 15 successes earn: the budget stays full and every retry the policy
// allows is made. A fixed quota cannot do both; one that earns only a
// fraction of a token per success (the AWS SDK's standard retryer) runs dry
// at that failure rate.
//
// A 429 is not a failure and spends nothing: the gate and the pacer make the
// workers wait instead. It runs under the gate's lock.
type retryBudget struct {
	tokens float64
	spent  bool // tokens is meaningful; the zero budget is full
}

// retryBudgetCap is the reserve of retries a client starts with, and the
// most it can save up.
const retryBudgetCap = 50

func (b *retryBudget) level() float64 {
	if !b.spent {
		return retryBudgetCap
	}
	return b.tokens
}

// withdraw takes one token for a retry, and reports whether there was one.
func (b *retryBudget) withdraw() bool {
	t := b.level()
	if t < 1 {
		return false
	}
	b.tokens, b.spent = t-1, true
	return true
}

// deposit earns one token back for an answer that was not a failure.
func (b *retryBudget) deposit() {
	if b.spent {
		b.tokens = min(b.tokens+1, retryBudgetCap)
	}
}
