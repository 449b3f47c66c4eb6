package entryguard_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/entryguard"
	"github.com/mfakit/mfakit/mfaclient"
)

func TestResetMFAUserID(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.EscapedPath())
		mu.Unlock()
		_, _ = io.WriteString(w, `{"message":"MFA reset successfully"}`)
	}))
	t.Cleanup(ts.Close)
	c, err := entryguard.New(testToken, mfaclient.WithBaseURL(ts.URL))
	require.NoError(t, err)
	ctx := context.Background()

	require.NoError(t, c.ResetMFA(ctx, "770E8400-E29B-41D4-A716-446655440004"), "upper-case hex is a UUID")
	for _, bad := range []string{
		"770e8400e29b41d4a716446655440004",       // no dashes
		"770e8400-e29b-41d4-a716-44665544000g",   // not hex
		"770e8400-e29b-41d4-a716-4466554400041",  // too long
		"../../admin/users/reset-mfa",            // traversal
		"770e8400-e29b-41d4-a716-44665544%2e%2e", // escaped dots
		"770e8400-e29b-41d4-a716-446655440004?x", // query
		"770e8400-e29b-41d4-a716-446655440004#",  // fragment
		"{id}",
	} {
		assert.ErrorIs(t, c.ResetMFA(ctx, bad), mfaclient.ErrInvalidInput, "%q", bad)
	}
	assert.Equal(t, []string{"/api/v1/users/770E8400-E29B-41D4-A716-446655440004/reset-mfa"}, paths, "only the UUID was sent")
}

func TestSetPrimaryMFAUnsupported(t *testing.T) {
	c, err := entryguard.New(testToken)
	require.NoError(t, err)
	for _, m := range mfaclient.Methods() {
		err := c.SetPrimaryMFA(context.Background(), m)
		assert.ErrorIs(t, err, mfaclient.ErrUnsupported, "%s", m)
		var op *mfaclient.OpError
		require.ErrorAs(t, err, &op)
		assert.Zero(t, op.Attempts)
	}
	assert.ErrorIs(t, c.SetPrimaryMFA(context.Background(), "carrier_pigeon"), mfaclient.ErrInvalidInput)
}
