package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// resetRequest and resetResponse are Flashback's POST /mfa/reset bodies, as
// a user without an SDK would declare them.
type resetRequest struct {
	ResetUserID string `json:"resetUserId"`
}

type resetResponse struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
	Error   string `json:"error"`
}

// handReset is the hand-written baseline: a JSON POST with net/http, the
// answer decoded, anything but a 200 with "success": true an error.
func handReset(ctx context.Context, hc *http.Client, baseURL, token, userID string) error {
	body, err := json.Marshal(resetRequest{ResetUserID: userID})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/mfa/reset", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return readReset(hc.Do(req))
}

// readReset decodes the answer as a user would: anything but a 200 with
// "success": true is an error.
func readReset(resp *http.Response, err error) error {
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out resetResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !out.Success {
		return fmt.Errorf("reset: status %d: %s", resp.StatusCode, out.Error)
	}
	return nil
}

// handClient is the baseline's client: its own pool, as the SDK has its own.
func handClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}
