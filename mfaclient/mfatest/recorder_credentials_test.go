package mfatest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// HTTP Basic is written as "Basic {{basic}}", and the credential fields of
// a JSON request body (Casdoor's access key pair) as placeholders, also
// where the server echoes them.
func TestRecorderScrubsBasicAndBodyCredentials(t *testing.T) {
	const key, secret = "recorder-access-key-41", "recorder-access-secret-97"
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b) // an echo
	}))
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	rec := &mfatest.Recorder{Dir: dir, Provider: "casdoor"}
	hc := &http.Client{Transport: rec}

	body := []byte(`{"owner":"acme","name":"bob","accessKey":"` + key + `","accessSecret":"` + secret + `"}`)
	ctx := mfatest.RecordAs(context.Background(), "key", mfatest.Call{Operation: "ResetMFA", UserID: "acme/bob"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/api/delete-mfa?owner=acme&name=bob", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()

	ctx = mfatest.RecordAs(context.Background(), "basic", mfatest.Call{Operation: "ResetMFA", UserID: "acme/bob"})
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/api/delete-mfa?owner=acme&name=bob", nil)
	require.NoError(t, err)
	req.SetBasicAuth("client-id", secret)
	resp, err = hc.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()

	keyFile, err := os.ReadFile(filepath.Join(dir, "key.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(keyFile), key)
	assert.NotContains(t, string(keyFile), secret)
	assert.Contains(t, string(keyFile), `"accessKey": "{{accessKey}}"`)
	assert.Contains(t, string(keyFile), `"accessSecret": "{{accessSecret}}"`)

	basicFile, err := os.ReadFile(filepath.Join(dir, "basic.json"))
	require.NoError(t, err)
	assert.Contains(t, string(basicFile), `"Authorization": "Basic {{basic}}"`)
	assert.NotContains(t, string(basicFile), secret)
}

// A placeholder in a fixture's request body stands for the credential, as
// in its headers; a mismatch does not quote the body that was sent.
func TestCheckRequestSubstitutesBodyPlaceholders(t *testing.T) {
	f := &mfatest.Fixture{Request: mfatest.Request{
		Method: http.MethodPost, Path: "/api/delete-mfa?name=bob&owner=acme",
		Body: []byte(`{"owner":"acme","name":"bob","accessKey":"{{accessKey}}","accessSecret":"{{accessSecret}}"}`),
	}}
	vars := mfatest.Placeholders{"accessKey": "replay-key-7", "accessSecret": "replay-secret-8"}
	req := httptest.NewRequest(http.MethodPost, "/api/delete-mfa?name=bob&owner=acme", nil)
	good := []byte(`{"owner":"acme","name":"bob","accessKey":"replay-key-7","accessSecret":"replay-secret-8"}`)
	assert.Empty(t, mfatest.CheckRequest(f, req, good, vars))

	bad := []byte(`{"owner":"acme","name":"bob","accessKey":"replay-key-7","accessSecret":"other-secret-9"}`)
	msgs := mfatest.CheckRequest(f, req, bad, vars)
	require.Len(t, msgs, 1)
	assert.NotContains(t, msgs[0], "other-secret-9")
	assert.NotContains(t, msgs[0], "replay-secret-8")
}
