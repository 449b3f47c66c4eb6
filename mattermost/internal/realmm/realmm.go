// Package realmm drives a real Mattermost server's own API for the
// real-server suite: it seeds users, enrols TOTP the way a user does
// (generate a secret, activate with a current RFC 6238 code), and reads a
// user's MFA state back. It is test tooling, not part of mfakit's client:
// the client under test is package mattermost.
package realmm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/mfakit/mfakit/internal/realserver/totp"
)

// API is one caller of a Mattermost server: its URL and a token ("" for
// anonymous requests).
type API struct {
	URL   string
	Token string
	HTTP  *http.Client
}

// User is the part of model.User the suite reads.
type User struct {
	ID        string `json:"id"`
	Username  string `json:"username"`
	Roles     string `json:"roles"`
	MFAActive bool   `json:"mfa_active"`
}

// As returns a copy of a that sends token.
func (a API) As(token string) API { a.Token = token; return a }

// Do sends method path with body (JSON-encoded unless nil) and decodes a 2xx
// answer into out (when not nil). A non-2xx answer is an error quoting the
// body. A 429 (the server's limiter) is waited out as Retry-After says, up
// to 10 times: arranging a test must not fail for the limiter the test
// measures. It returns the answer's headers.
func (a API) Do(ctx context.Context, method, path string, body, out any) (http.Header, error) {
	for i := 0; ; i++ {
		h, err := a.do(ctx, method, path, body, out)
		if err == nil || h == nil || h.Get("Retry-After") == "" || i == 10 {
			return h, err
		}
		secs, _ := strconv.Atoi(h.Get("Retry-After"))
		select {
		case <-ctx.Done():
			return h, ctx.Err()
		case <-time.After(time.Duration(max(secs, 1)) * time.Second):
		}
	}
}

func (a API) do(ctx context.Context, method, path string, body, out any) (http.Header, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.URL+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.Token != "" {
		req.Header.Set("Authorization", "Bearer "+a.Token)
	}
	hc := a.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.Header, err
	}
	if resp.StatusCode/100 != 2 {
		return resp.Header, fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.Header, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.Header, nil
}

// CreateUser creates a user (the first one becomes system_admin).
func (a API) CreateUser(ctx context.Context, username, password string) (User, error) {
	var u User
	_, err := a.Do(ctx, http.MethodPost, "/api/v4/users",
		map[string]string{"username": username, "email": username + "@example.com", "password": password}, &u)
	return u, err
}

// Login returns a session token for the user.
func (a API) Login(ctx context.Context, username, password string) (string, error) {
	h, err := a.Do(ctx, http.MethodPost, "/api/v4/users/login",
		map[string]string{"login_id": username, "password": password}, nil)
	if err != nil {
		return "", err
	}
	if t := h.Get("Token"); t != "" {
		return t, nil
	}
	return "", fmt.Errorf("login %s: no Token header", username)
}

// PersonalAccessToken creates a personal access token for the user.
func (a API) PersonalAccessToken(ctx context.Context, userID, description string) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	_, err := a.Do(ctx, http.MethodPost, "/api/v4/users/"+userID+"/tokens", map[string]string{"description": description}, &out)
	return out.Token, err
}

// GetUser reads a user (as an admin, mfa_active is included).
func (a API) GetUser(ctx context.Context, id string) (User, error) {
	var u User
	_, err := a.Do(ctx, http.MethodGet, "/api/v4/users/"+id, nil, &u)
	return u, err
}

// EnrolTOTP turns MFA on for the user as Mattermost's own UI does: a new
// secret from /mfa/generate, then activation with a current code. It
// returns the secret.
func (a API) EnrolTOTP(ctx context.Context, userID string) (string, error) {
	var gen struct {
		Secret string `json:"secret"`
	}
	if _, err := a.Do(ctx, http.MethodPost, "/api/v4/users/"+userID+"/mfa/generate", nil, &gen); err != nil {
		return "", err
	}
	code, err := totp.Code(gen.Secret, time.Now())
	if err != nil {
		return "", err
	}
	_, err = a.Do(ctx, http.MethodPut, "/api/v4/users/"+userID+"/mfa", map[string]any{"activate": true, "code": code}, nil)
	return gen.Secret, err
}
