//go:build realserver

// Package kratosseed seeds a real Ory Kratos for the real-server suite
// through Kratos's own APIs: identities with the admin API, TOTP and lookup
// secrets with the self-service settings flow of a logged-in user, as a
// person enrolling would. It is used by scripts/real/kratos.sh (through
// ./cmd) and by kratos's realserver tests, which need fresh identities with
// TOTP for every reset they make.
//
// API: https://www.ory.sh/docs/kratos/self-service/flows/user-settings
package kratosseed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/mfakit/mfakit/internal/realserver/totp"
)

// Server is a running Kratos: its admin and public base URLs.
type Server struct {
	AdminURL, PublicURL string
	HTTP                *http.Client // nil: a client with a 10 s timeout
}

func (s *Server) client() *http.Client {
	if s.HTTP != nil {
		return s.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// do sends a JSON request and decodes a JSON answer of the wanted status
// into out (when not nil).
func (s *Server) do(ctx context.Context, method, url, sessionToken string, in, out any, want int) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if sessionToken != "" {
		req.Header.Set("X-Session-Token", sessionToken)
	}
	resp, err := s.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("kratosseed: %s %s: HTTP %d, want %d: %s", method, req.URL.Path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("kratosseed: %s %s: %v", method, req.URL.Path, err)
		}
	}
	return nil
}

// Person is a seeded identity.
type Person struct {
	ID, Email, Password string
	TOTPSecret          string // base32; "" when TOTP is not enrolled
}

// CreateIdentity creates an identity with a password through the admin API
// (POST /admin/identities).
func (s *Server) CreateIdentity(ctx context.Context, email, password string) (Person, error) {
	in := map[string]any{
		"schema_id": "default",
		"traits":    map[string]any{"email": email},
		"credentials": map[string]any{
			"password": map[string]any{"config": map[string]any{"password": password}},
		},
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := s.do(ctx, http.MethodPost, s.AdminURL+"/admin/identities", "", in, &out, http.StatusCreated); err != nil {
		return Person{}, err
	}
	return Person{ID: out.ID, Email: email, Password: password}, nil
}

// Login logs p in with an API login flow and returns the session token.
func (s *Server) Login(ctx context.Context, p Person) (string, error) {
	var flow struct {
		ID string `json:"id"`
	}
	if err := s.do(ctx, http.MethodGet, s.PublicURL+"/self-service/login/api", "", nil, &flow, http.StatusOK); err != nil {
		return "", err
	}
	in := map[string]any{"method": "password", "identifier": p.Email, "password": p.Password}
	var out struct {
		SessionToken string `json:"session_token"`
	}
	if err := s.do(ctx, http.MethodPost, s.PublicURL+"/self-service/login?flow="+flow.ID, "", in, &out, http.StatusOK); err != nil {
		return "", err
	}
	return out.SessionToken, nil
}

// settingsFlow starts an API settings flow for the session.
func (s *Server) settingsFlow(ctx context.Context, token string) (string, json.RawMessage, error) {
	var flow struct {
		ID string `json:"id"`
		UI struct {
			Nodes json.RawMessage `json:"nodes"`
		} `json:"ui"`
	}
	err := s.do(ctx, http.MethodGet, s.PublicURL+"/self-service/settings/api", token, nil, &flow, http.StatusOK)
	return flow.ID, flow.UI.Nodes, err
}

// EnrolTOTP enrols TOTP for p (logged in with token) through the settings
// flow: it reads the secret Kratos generated, answers with the current
// RFC 6238 code, and returns the secret.
func (s *Server) EnrolTOTP(ctx context.Context, token string) (string, error) {
	id, nodes, err := s.settingsFlow(ctx, token)
	if err != nil {
		return "", err
	}
	var ns []struct {
		Attributes struct {
			ID   string `json:"id"`
			Text struct {
				Context struct {
					Secret string `json:"secret"`
				} `json:"context"`
			} `json:"text"`
		} `json:"attributes"`
	}
	if err := json.Unmarshal(nodes, &ns); err != nil {
		return "", fmt.Errorf("kratosseed: settings nodes: %v", err)
	}
	secret := ""
	for _, n := range ns {
		if n.Attributes.ID == "totp_secret_key" {
			secret = n.Attributes.Text.Context.Secret
		}
	}
	if secret == "" {
		return "", fmt.Errorf("kratosseed: the settings flow offers no TOTP secret (is the totp method enabled?)")
	}
	code, err := totp.Code(secret, time.Now())
	if err != nil {
		return "", err
	}
	in := map[string]any{"method": "totp", "totp_code": code}
	if err := s.do(ctx, http.MethodPost, s.PublicURL+"/self-service/settings?flow="+id, token, in, nil, http.StatusOK); err != nil {
		return "", err
	}
	return secret, nil
}

// EnrolLookupSecrets generates and confirms recovery codes (lookup_secret)
// for the session's identity.
func (s *Server) EnrolLookupSecrets(ctx context.Context, token string) error {
	id, _, err := s.settingsFlow(ctx, token)
	if err != nil {
		return err
	}
	url := s.PublicURL + "/self-service/settings?flow=" + id
	if err := s.do(ctx, http.MethodPost, url, token, map[string]any{"method": "lookup_secret", "lookup_secret_regenerate": true}, nil, http.StatusOK); err != nil {
		return err
	}
	return s.do(ctx, http.MethodPost, url, token, map[string]any{"method": "lookup_secret", "lookup_secret_confirm": true}, nil, http.StatusOK)
}

// Seed creates an identity for email and enrols what is asked.
func (s *Server) Seed(ctx context.Context, email string, totp, lookup bool) (Person, error) {
	p, err := s.CreateIdentity(ctx, email, "mfakit-"+strings.ReplaceAll(email, "@", "-at-")+"-Pw!")
	if err != nil || !totp && !lookup {
		return p, err
	}
	token, err := s.Login(ctx, p)
	if err != nil {
		return p, err
	}
	if totp {
		if p.TOTPSecret, err = s.EnrolTOTP(ctx, token); err != nil {
			return p, err
		}
	}
	if lookup {
		if err := s.EnrolLookupSecrets(ctx, token); err != nil {
			return p, err
		}
	}
	return p, nil
}

// CredentialTypes returns the identity's credential types, from the admin
// API (GET /admin/identities/{id}).
func (s *Server) CredentialTypes(ctx context.Context, id string) ([]string, error) {
	var out struct {
		Credentials map[string]json.RawMessage `json:"credentials"`
	}
	if err := s.do(ctx, http.MethodGet, s.AdminURL+"/admin/identities/"+id, "", nil, &out, http.StatusOK); err != nil {
		return nil, err
	}
	var types []string
	for t := range out.Credentials {
		types = append(types, t)
	}
	return types, nil
}
