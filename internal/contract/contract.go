// Package contract replays the recorded fixtures under testdata/ through the
// mfaclient interfaces: it makes each fixture's call with the provider's
// client and checks the outcome the caller sees. The request side is
// checked by mfatest.ReplayServer; the same Invoke and CheckOutcome run the
// fixtures against the stateful fakes.
package contract

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mfakit/mfakit/internal/registry"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
	"github.com/mfakit/mfakit/rocketchat"
)

// Credentials are the values a fixture's placeholders stand for.
type Credentials struct {
	Token     string // Bearer token (Flashback, EntryGuard, ...)
	UserID    string // Rocket.Chat X-User-Id
	AuthToken string // Rocket.Chat X-Auth-Token
	// Other holds any other provider's credentials, by placeholder name
	// (the provider's registry.Setting keys).
	Other map[string]string
}

// Placeholders returns the replay server's placeholder values for creds.
func (c Credentials) Placeholders() mfatest.Placeholders {
	p := mfatest.Placeholders{
		mfatest.PlaceholderToken:     c.Token,
		mfatest.PlaceholderUserID:    c.UserID,
		mfatest.PlaceholderAuthToken: c.AuthToken,
	}
	for k, v := range c.Other {
		p[k] = v
	}
	return p
}

// Invoke makes f's call against the provider at baseURL, with no retries so
// that one fixture is one interaction. The provider is looked up in the
// registry, so a new provider's fixtures run with no change here.
func Invoke(ctx context.Context, f *mfatest.Fixture, baseURL string, creds Credentials, opts ...mfaclient.Option) error {
	p, err := registry.Lookup(f.Provider)
	if err != nil {
		return fmt.Errorf("contract: %w", err)
	}
	v := registry.Values(creds.Placeholders())
	v[registry.KeyURL] = baseURL
	opts = append([]mfaclient.Option{mfaclient.WithRetry(mfaclient.RetryPolicy{})}, opts...)
	cl, err := p.New(v, opts...)
	if err != nil {
		return err
	}
	c := f.Call
	if rc, ok := cl.Native.(*rocketchat.Client); ok {
		switch {
		case c.TwoFactorPassword != "":
			rc = rc.WithTwoFactorPassword(c.TwoFactorPassword)
		case c.TwoFactorCode != "" || c.TwoFactorMethod != "":
			rc = rc.WithTwoFactorCode(c.TwoFactorCode, c.TwoFactorMethod)
		}
		if c.Operation == "ResetTOTP" {
			return rc.ResetTOTP(ctx, rocketchat.ResetTOTPRequest{UserID: c.UserID, Username: c.Username})
		}
		return call(ctx, c, rc, rc, rc)
	}
	if c.Operation == "SetUserPrimaryMFA" {
		if cl.UserPrimary == nil {
			return fmt.Errorf("contract: provider has no SetUserPrimaryMFA")
		}
		return cl.UserPrimary.SetUserPrimaryMFA(ctx, c.UserID, mfaclient.Method(c.Method))
	}
	return call(ctx, c, cl.Resetter, cl.Self, cl.Primary)
}

// call dispatches through the provider-neutral interfaces only.
func call(ctx context.Context, c mfatest.Call, r mfaclient.Resetter, self mfaclient.SelfResetter, p mfaclient.PrimarySetter) error {
	switch c.Operation {
	case "ResetMFA":
		return r.ResetMFA(ctx, c.UserID)
	case "ResetOwnMFA":
		if self == nil {
			return fmt.Errorf("contract: provider has no ResetOwnMFA")
		}
		return self.ResetOwnMFA(ctx)
	case "SetPrimaryMFA":
		return p.SetPrimaryMFA(ctx, mfaclient.Method(c.Method))
	}
	return fmt.Errorf("contract: unknown operation %q", c.Operation)
}

// CheckOutcome compares what the caller got with f.Expect and returns every
// difference; none means the fixture holds. attempts is the number of
// requests the server received.
func CheckOutcome(f *mfatest.Fixture, err error, attempts int, now time.Time) []string {
	want := f.Expect
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }

	if !want.WantsRequest() && attempts != 0 {
		add("sent %d request(s), want none", attempts)
	}
	if want.Success {
		if err != nil {
			add("error %v, want success", err)
		}
		return diffs
	}
	if err == nil {
		return append(diffs, fmt.Sprintf("success, want %s", want.Error))
	}
	sentinel := mfaclient.ClassNamed(want.Error)
	if sentinel == nil {
		return append(diffs, fmt.Sprintf("fixture names unknown sentinel %q", want.Error))
	}
	for _, s := range mfaclient.Classes() {
		if is := errors.Is(err, s); is != (s == sentinel) {
			add("errors.Is(err, %s) = %v (err: %v)", mfaclient.ClassName(s), is, err)
		}
	}
	if want.Type != "" {
		if got := typeName(err); got != want.Type {
			add("error type %s, want %s", got, want.Type)
		}
	}
	var apiErr *mfaclient.APIError
	if !errors.As(err, &apiErr) {
		if want.StatusCode != 0 {
			add("no *APIError in %v, want status %d", err, want.StatusCode)
		}
		return diffs
	}
	checkAPIError(apiErr, want, attempts, add)
	checkForbidden(err, want, add)
	checkRateLimit(err, want, now, add)
	checkTwoFactor(err, want, add)
	return diffs
}

func checkAPIError(e *mfaclient.APIError, want mfatest.Outcome, attempts int, add func(string, ...any)) {
	if want.StatusCode != 0 && e.StatusCode != want.StatusCode {
		add("StatusCode %d, want %d", e.StatusCode, want.StatusCode)
	}
	if e.Code != want.Code {
		add("Code %q, want %q", e.Code, want.Code)
	}
	if e.Message != want.Message {
		add("Message %q, want %q", e.Message, want.Message)
	}
	if e.RequestID != want.RequestID {
		add("RequestID %q, want %q", e.RequestID, want.RequestID)
	}
	if e.Attempts != attempts {
		add("Attempts %d, want %d (requests the server received)", e.Attempts, attempts)
	}
}

func checkForbidden(err error, want mfatest.Outcome, add func(string, ...any)) {
	var fe *mfaclient.ForbiddenError
	if errors.As(err, &fe) && fe.Required != want.Required {
		add("Required %q, want %q", fe.Required, want.Required)
	} else if fe == nil && want.Required != "" {
		add("no *ForbiddenError, want Required %q", want.Required)
	}
}

// clockSlack absorbs the time between the fixture's expansion and the
// client's reading of the clock; the values compared are computed, not timed.
const clockSlack = time.Second

func checkRateLimit(err error, want mfatest.Outcome, now time.Time, add func(string, ...any)) {
	var rl *mfaclient.RateLimitError
	if !errors.As(err, &rl) {
		if want.RetryAfter != "" || want.Limit != nil || want.Remaining != nil || want.Reset != "" {
			add("no *RateLimitError, want rate-limit fields")
		}
		return
	}
	wantRA := time.Duration(0)
	if want.RetryAfter != "" {
		d, perr := time.ParseDuration(want.RetryAfter)
		if perr != nil {
			add("fixture retryAfter %q: %v", want.RetryAfter, perr)
		}
		wantRA = d
	}
	if diff := rl.RetryAfter - wantRA; diff > clockSlack || diff < -clockSlack || rl.RetryAfter < 0 {
		add("RetryAfter %s, want %s", rl.RetryAfter, wantRA)
	}
	if got, w := rl.Limit, intOr(want.Limit, -1); got != w {
		add("Limit %d, want %d", got, w)
	}
	if got, w := rl.Remaining, intOr(want.Remaining, -1); got != w {
		add("Remaining %d, want %d", got, w)
	}
	if want.Reset == "" {
		if !rl.Reset.IsZero() {
			add("Reset %s, want zero", rl.Reset)
		}
		return
	}
	wantReset, perr := time.Parse(time.RFC3339Nano, mfatest.Expand(want.Reset, now))
	if perr != nil {
		add("fixture reset %q: %v", want.Reset, perr)
		return
	}
	if diff := rl.Reset.Sub(wantReset); diff > clockSlack || diff < -clockSlack {
		add("Reset %s, want %s", rl.Reset, wantReset)
	}
}

func checkTwoFactor(err error, want mfatest.Outcome, add func(string, ...any)) {
	ch, ok := rocketchat.Challenge(err)
	var neutral *mfaclient.SecondFactorChallenge
	if got := errors.As(err, &neutral); got != ok {
		add("mfaclient.SecondFactorChallenge reachable: %v, rocketchat.Challenge: %v", got, ok)
	} else if ok && ch.Method != "" && (neutral.Method != ch.Method || neutral.CodeSent != ch.CodeGenerated) {
		add("neutral challenge %+v disagrees with %+v", *neutral, *ch)
	}
	if want.TwoFactor == nil {
		if ok {
			add("got a 2FA challenge, want none")
		}
		return
	}
	if !ok {
		add("no 2FA challenge, want method %q", want.TwoFactor.Method)
		return
	}
	w := want.TwoFactor
	if ch.Method != w.Method || ch.CodeGenerated != w.CodeGenerated || ch.EmailOrUsername != w.EmailOrUsername {
		add("challenge %+v, want %+v", *ch, *w)
	}
	if fmt.Sprint([]string(ch.AvailableMethods)) != fmt.Sprint(w.AvailableMethods) {
		add("AvailableMethods %v, want %v", ch.AvailableMethods, w.AvailableMethods)
	}
	var got []string
	for _, t := range ch.CodeExpires {
		got = append(got, t.UTC().Format(time.RFC3339Nano))
	}
	var wantTimes []string
	for _, s := range w.CodeExpires {
		t, perr := time.Parse(time.RFC3339Nano, s)
		if perr != nil {
			add("fixture codeExpires %q: %v", s, perr)
		}
		wantTimes = append(wantTimes, t.UTC().Format(time.RFC3339Nano))
	}
	if fmt.Sprint(got) != fmt.Sprint(wantTimes) {
		add("CodeExpires %v, want %v", got, wantTimes)
	}
}

func typeName(err error) string {
	switch err.(type) {
	case *mfaclient.RateLimitError:
		return "RateLimitError"
	case *mfaclient.ForbiddenError:
		return "ForbiddenError"
	case *mfaclient.APIError:
		return "APIError"
	case *mfaclient.OpError:
		return "OpError"
	}
	return fmt.Sprintf("%T", err)
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}
