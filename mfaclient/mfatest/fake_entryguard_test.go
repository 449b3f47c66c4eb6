package mfatest_test

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

func TestEntryGuardAnswers(t *testing.T) {
	const member = "770e8400-e29b-41d4-a716-446655440004"
	spring := func(status int, reason, message, path string) string {
		return `{"timestamp":"2026-02-18T10:30:00Z","status":` + strconv.Itoa(status) + `,"error":"` + reason +
			`","message":"` + message + `","path":"` + path + `"}`
	}
	path := func(id string) string { return "/api/v1/users/" + id + "/reset-mfa" }
	for name, tc := range map[string]struct {
		asAdmin, asMember bool
		method, id        string
		status            int
		want              string
		reset             bool
	}{
		"reset":             {asAdmin: true, id: member, status: 200, want: `{"message":"MFA reset successfully"}`, reset: true},
		"upper-case id":     {asAdmin: true, id: strings.ToUpper(member), status: 200, want: `{"message":"MFA reset successfully"}`, reset: true},
		"no token":          {id: member, status: 401, want: spring(401, "Unauthorized", "Missing or invalid authentication token", path(member))},
		"not ORG_ADMIN":     {asMember: true, id: member, status: 403, want: spring(403, "Forbidden", "User does not have ORG_ADMIN role", path(member))},
		"unknown user":      {asAdmin: true, id: "770e8400-e29b-41d4-a716-44665544ffff", status: 404, want: spring(404, "Not Found", "User not found with id: 770e8400-e29b-41d4-a716-44665544ffff", path("770e8400-e29b-41d4-a716-44665544ffff"))},
		"wrong method":      {asAdmin: true, method: http.MethodGet, id: member, status: 405, want: spring(405, "Method Not Allowed", "Request method 'GET' is not supported", path(member))},
		"not a UUID":        {asAdmin: true, id: "42", status: 400, want: `{"timestamp":"2026-02-18T10:30:00Z","status":400,"error":"Bad Request","message":"Validation failed","path":"/api/v1/users/42/reset-mfa","validationErrors":{"id":"must be a valid UUID"}}`},
		"UUID with bad hex": {asAdmin: true, id: "770e8400-e29b-41d4-a716-44665544000g", status: 400, want: `{"timestamp":"2026-02-18T10:30:00Z","status":400,"error":"Bad Request","message":"Validation failed","path":"/api/v1/users/770e8400-e29b-41d4-a716-44665544000g/reset-mfa","validationErrors":{"id":"must be a valid UUID"}}`},
	} {
		t.Run(name, func(t *testing.T) {
			eg := mfatest.NewEntryGuard(t, mfatest.WithClock(newClock().Now))
			var headers []string
			switch {
			case tc.asAdmin:
				headers = bearer(eg.Admin)
			case tc.asMember:
				headers = bearer(eg.Member)
			}
			got := send(t, cmp.Or(tc.method, http.MethodPost), eg.URL()+path(tc.id), "", headers...)
			assert.Equal(t, tc.status, got.status)
			assert.Equal(t, tc.want, got.body)
			u, ok := eg.User(member)
			require.True(t, ok)
			assert.Equal(t, !tc.reset, u.MFAEnabled)
			assert.Equal(t, map[bool]int{true: 1}[tc.reset], eg.Resets(member))
		})
	}
}

func TestEntryGuardSecondResetIsBadRequest(t *testing.T) {
	eg := mfatest.NewEntryGuard(t, mfatest.WithClock(newClock().Now))
	url := eg.URL() + "/api/v1/users/" + eg.Member.ID + "/reset-mfa"
	assert.Equal(t, 200, send(t, http.MethodPost, url, "", bearer(eg.Admin)...).status)
	got := send(t, http.MethodPost, url, "", bearer(eg.Admin)...)
	assert.Equal(t, 400, got.status)
	assert.Equal(t, `{"timestamp":"2026-02-18T10:30:00Z","status":400,"error":"Bad Request","message":"MFA is not enabled for this user","path":"/api/v1/users/770e8400-e29b-41d4-a716-446655440004/reset-mfa"}`, got.body)
	assert.Equal(t, 1, eg.Resets(eg.Member.ID))

	// A test can arrange the state again.
	require.NoError(t, eg.SetMFA(eg.Member.ID, true))
	assert.Equal(t, 200, send(t, http.MethodPost, url, "", bearer(eg.Admin)...).status)
	assert.Equal(t, 2, eg.Resets(eg.Member.ID))
}

func TestEntryGuardConcurrentResetsOfOneUserSucceedOnce(t *testing.T) {
	eg := mfatest.NewEntryGuard(t)
	url := eg.URL() + "/api/v1/users/" + eg.Member.ID + "/reset-mfa"
	const n = 16
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			statuses[i] = postStatus(t, url, bearer(eg.Admin)...)
		})
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	assert.Equal(t, map[int]int{200: 1, 400: n - 1}, count)
	assert.Equal(t, 1, eg.Resets(eg.Member.ID))
}

func TestEntryGuardRateLimitBody(t *testing.T) {
	eg := mfatest.NewEntryGuard(t, mfatest.WithClock(newClock().Now), mfatest.WithRateLimit(1, 0, mfatest.HintRetryAfterSeconds))
	url := eg.URL() + "/api/v1/users/" + eg.Member.ID + "/reset-mfa"
	assert.Equal(t, 200, send(t, http.MethodPost, url, "", bearer(eg.Admin)...).status)
	got := send(t, http.MethodPost, url, "", bearer(eg.Admin)...)
	assert.Equal(t, 429, got.status)
	assert.Equal(t, "1", got.header.Get("Retry-After"))
	assert.Equal(t, `{"timestamp":"2026-02-18T10:30:00Z","status":429,"error":"Too Many Requests","message":"Rate limit exceeded","path":"/api/v1/users/770e8400-e29b-41d4-a716-446655440004/reset-mfa"}`, got.body)
}
