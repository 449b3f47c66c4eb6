package transport

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

const declaredOK = `{"success":true}`

// strictSuccess is a classifier like the providers': a 200 is a success only
// when its body decodes strictly to "success": true. It counts its calls, so
// a test sees whether an answer took the fast path.
func strictSuccess(calls *atomic.Int32) Classifier {
	return func(a *Answer) Verdict {
		calls.Add(1)
		var r struct {
			Success bool `json:"success"`
		}
		if a.StatusCode == http.StatusOK && DecodeObject(a.Body, &r) && r.Success {
			return Verdict{}
		}
		return Verdict{Class: mfaclient.ErrUnexpectedResponse, Detail: "not the success"}
	}
}

func successClient(t *testing.T, srvURL string, calls *atomic.Int32, declared ...string) *Client {
	t.Helper()
	c, err := New(Config{
		Provider:       "test",
		DefaultBaseURL: srvURL,
		Settings:       mfaclient.ApplyOptions(mfaclient.WithRetry(mfaclient.RetryPolicy{})),
		Classify:       strictSuccess(calls),
		SuccessBodies:  declared,
	})
	require.NoError(t, err)
	return c
}

func answeringWith(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// A 200 whose body is byte for byte a declared success is a success without
// the classifier; anything else, however close, is still classified.
func TestDeclaredSuccessBodySkipsDecoding(t *testing.T) {
	var calls atomic.Int32
	c := successClient(t, answeringWith(t, http.StatusOK, declaredOK), &calls, declaredOK)
	calls.Store(0) // New checked the declaration through the classifier
	require.NoError(t, c.Do(context.Background(), &Request{Operation: "Op", Method: http.MethodPost, Path: "/x"}))
	assert.Zero(t, calls.Load(), "the declared body is recognised without decoding")

	for _, tc := range []struct {
		name    string
		status  int
		body    string
		success bool
	}{
		{"other spacing", http.StatusOK, `{ "success": true }`, true},
		{"trailing newline", http.StatusOK, declaredOK + "\n", true},
		{"duplicate key", http.StatusOK, `{"success":false,"success":true}`, false},
		{"folded key", http.StatusOK, `{"SUCCESS":true}`, false},
		{"two objects", http.StatusOK, declaredOK + declaredOK, false},
		{"declared body on a 201", http.StatusCreated, declaredOK, false},
		{"declared body on a 500", http.StatusInternalServerError, declaredOK, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			c := successClient(t, answeringWith(t, tc.status, tc.body), &calls, declaredOK)
			calls.Store(0)
			err := c.Do(context.Background(), &Request{Operation: "Op", Method: http.MethodPost, Path: "/x"})
			assert.Equal(t, int32(1), calls.Load(), "anything but the declared bytes on a 200 is classified")
			if tc.success {
				assert.NoError(t, err)
			} else {
				var apiErr *mfaclient.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tc.status, apiErr.StatusCode)
				assert.Equal(t, tc.body, string(apiErr.Body))
			}
		})
	}
}

// A declared body the classifier does not read as a success is dropped: the
// fast path can never say success where the strict decoder would not.
func TestDeclaredBodyTheClassifierRefusesIsDropped(t *testing.T) {
	wrong := `{"success":false}`
	var calls atomic.Int32
	c := successClient(t, answeringWith(t, http.StatusOK, wrong), &calls, wrong, declaredOK)
	assert.Equal(t, []string{declaredOK}, c.SuccessBodies())
	err := c.Do(context.Background(), &Request{Operation: "Op", Method: http.MethodPost, Path: "/x"})
	require.ErrorIs(t, err, mfaclient.ErrUnexpectedResponse)
}

// A request with its own classifier, or its own secrets, is always
// classified: the classifier decodes the success into the call's
// variables, and the call's secrets are redacted before any reading.
func TestDeclaredSuccessNotForOwnClassifierOrSecrets(t *testing.T) {
	url := answeringWith(t, http.StatusOK, declaredOK)
	for _, req := range []*Request{
		{Operation: "Op", Method: http.MethodPost, Path: "/x", Classify: strictSuccess(new(atomic.Int32))},
		{Operation: "Op", Method: http.MethodPost, Path: "/x", Secrets: []string{"123456"}},
	} {
		var calls, own atomic.Int32
		c := successClient(t, url, &calls, declaredOK)
		calls.Store(0)
		if req.Classify != nil {
			req.Classify = strictSuccess(&own)
		}
		require.NoError(t, c.Do(context.Background(), req))
		assert.Equal(t, int32(1), calls.Load()+own.Load(), "classified once")
	}
}
