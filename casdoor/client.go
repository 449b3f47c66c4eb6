package casdoor

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-querystring/query"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

const (
	provider         = "casdoor"
	opReset          = "ResetMFA"
	opSetPrimary     = "SetPrimaryMFA"
	opSetUserPrimary = "SetUserPrimaryMFA"

	deleteMFAPath       = "/api/delete-mfa"
	setPreferredMFAPath = "/api/set-preferred-mfa"
)

// Credentials authenticate a client: either an application's client ID and
// secret, or a user's access key and secret, not both.
//
// An application's credentials are sent as HTTP Basic; Casdoor lets an
// application act on users of every organization. A user's access key acts
// as that user: an administrator of an organization may act on its users
// only. The access key pair travels in a JSON body, never in the URL (see
// AccessKeyBody).
//
// Casdoor docs: https://casdoor.org/docs/basic/public-api
type Credentials struct {
	// ClientID and ClientSecret are an application's (Applications > Edit
	// in Casdoor's web UI).
	ClientID, ClientSecret string
	// AccessKey and AccessSecret are a user's (Users > Edit > API key).
	AccessKey, AccessSecret string
}

// Client calls Casdoor's MFA endpoints. It is safe for concurrent use.
type Client struct {
	t         *transport.Client
	accessKey *AccessKeyBody // the access key pair; nil with client credentials
}

var (
	_ mfaclient.Resetter          = (*Client)(nil)
	_ mfaclient.PrimarySetter     = (*Client)(nil)
	_ mfaclient.UserPrimarySetter = (*Client)(nil)
)

// New returns a client for the Casdoor server at serverURL, which may carry
// a path prefix. serverURL is required (Casdoor is self-hosted); WithBaseURL,
// if also given, must agree with it. Credentials that are empty, incomplete,
// or both kinds at once are mfaclient.ErrInvalidInput.
func New(serverURL string, creds Credentials, opts ...mfaclient.Option) (*Client, error) {
	header, secrets, accessKey, err := creds.check()
	if err != nil {
		return nil, err
	}
	s, err := transport.ServerSettings(provider, serverURL, opts)
	if err != nil {
		return nil, err
	}
	t, err := transport.New(transport.Config{
		Provider: provider,
		Settings: s,
		Header:   header,
		Secrets:  secrets,
		Classify: classify,
	})
	if err != nil {
		return nil, err
	}
	return &Client{t: t, accessKey: accessKey}, nil
}

// check validates the credentials and returns what every request carries:
// the Basic header, or the access key pair for the body; and the values to
// redact from answers.
func (c Credentials) check() (http.Header, []string, *AccessKeyBody, error) {
	app := c.ClientID != "" || c.ClientSecret != ""
	user := c.AccessKey != "" || c.AccessSecret != ""
	switch {
	case app && user:
		return nil, nil, nil, transport.InvalidInput(provider, "New", "give an application's client ID and secret, or a user's access key and secret, not both")
	case user:
		if err := transport.CheckCredential(provider, "access key", c.AccessKey); err != nil {
			return nil, nil, nil, err
		}
		if err := transport.CheckCredential(provider, "access secret", c.AccessSecret); err != nil {
			return nil, nil, nil, err
		}
		return nil, []string{c.AccessKey, c.AccessSecret}, &AccessKeyBody{AccessKey: c.AccessKey, AccessSecret: c.AccessSecret}, nil
	}
	if err := transport.CheckCredential(provider, "client ID", c.ClientID); err != nil {
		return nil, nil, nil, err
	}
	if err := transport.CheckCredential(provider, "client secret", c.ClientSecret); err != nil {
		return nil, nil, nil, err
	}
	if strings.Contains(c.ClientID, ":") {
		// HTTP Basic cannot carry a user-id with a colon (RFC 7617).
		return nil, nil, nil, transport.InvalidInput(provider, "New", "client ID contains a colon")
	}
	basic := base64.StdEncoding.EncodeToString([]byte(c.ClientID + ":" + c.ClientSecret))
	return http.Header{"Authorization": {"Basic " + basic}}, []string{c.ClientSecret, basic}, nil, nil
}

// ResetMFA turns off every MFA method of the user "owner/name" and clears
// its preferred method: POST /api/delete-mfa. Casdoor answers a second
// reset with success again. The caller needs an application's credentials,
// or an access key of the user itself or of an administrator of the user's
// organization; otherwise the error is a *mfaclient.ForbiddenError.
//
// Casdoor source: https://github.com/casdoor/casdoor/blob/v1.1000.0/controllers/mfa.go (DeleteMfa)
func (c *Client) ResetMFA(ctx context.Context, userID string) error {
	owner, name, err := splitUserID(opReset, userID)
	if err != nil {
		return err
	}
	return c.post(ctx, opReset, deleteMFAPath, DeleteMFARequest{Owner: owner, Name: name}, userID)
}

// SetUserPrimaryMFA sets the preferred MFA method of the user "owner/name":
// POST /api/set-preferred-mfa with mfaType "app" for MethodTOTP, "email"
// for MethodEmail, "sms" for MethodSMS. Casdoor has no magic-link or passkey
// method
// (mfaclient.ErrUnsupported); an unknown method is mfaclient.ErrInvalidInput.
// Neither sends anything: Casdoor itself would store any type it is sent.
// The caller needs what ResetMFA needs.
//
// Casdoor source: https://github.com/casdoor/casdoor/blob/v1.1000.0/controllers/mfa.go (SetPreferredMfa)
func (c *Client) SetUserPrimaryMFA(ctx context.Context, userID string, method mfaclient.Method) error {
	if err := transport.CheckMethod(provider, method); err != nil {
		var op *mfaclient.OpError
		if errors.As(err, &op) {
			op.Operation = opSetUserPrimary
		}
		return err
	}
	mfaType, ok := mfaTypes[method]
	if !ok {
		return transport.Unsupported(provider, opSetUserPrimary, "Casdoor has no "+string(method)+" method")
	}
	owner, name, err := splitUserID(opSetUserPrimary, userID)
	if err != nil {
		return err
	}
	return c.post(ctx, opSetUserPrimary, setPreferredMFAPath, SetPreferredMFARequest{Owner: owner, Name: name, MFAType: mfaType}, userID)
}

// SetPrimaryMFA would set the caller's own preferred method. Casdoor's
// set-preferred-mfa names the user it acts on, and the client does not know
// who the caller is: an application is no user, and the only call that
// tells an access key's user (GET /api/get-account) takes the access key
// pair in the URL, which this client never does. So a known method is
// mfaclient.ErrUnsupported, an unknown one mfaclient.ErrInvalidInput, and
// nothing is sent. A user whose access key this is may set its own method
// with SetUserPrimaryMFA and its own ID: Casdoor lets any user act on
// itself.
func (c *Client) SetPrimaryMFA(_ context.Context, method mfaclient.Method) error {
	if err := transport.CheckMethod(provider, method); err != nil {
		return err
	}
	return transport.Unsupported(provider, opSetPrimary, "the client does not know the caller's Casdoor user: use SetUserPrimaryMFA with its ID")
}

// RateLimitedUntil reports until when the client holds requests back
// because the server said so; zero or past when it does not. Casdoor itself
// has no rate limiter; a proxy in front of it may.
func (c *Client) RateLimitedUntil() time.Time { return c.t.RateLimitedUntil() }

// post sends one call: the query from q, and with an access key the JSON
// body Casdoor's API filter reads. Both endpoints are idempotent (a second
// delete-mfa, or the same preferred method again, answers ok), so a lost
// answer is retried.
func (c *Client) post(ctx context.Context, op, path string, q any, userID string) error {
	v, err := query.Values(q)
	if err != nil {
		return transport.InvalidInput(provider, op, "%v", err)
	}
	var body []byte
	if c.accessKey != nil {
		b := *c.accessKey
		b.Owner, b.Name, _ = strings.Cut(userID, "/")
		if body, err = json.Marshal(b); err != nil {
			return transport.InvalidInput(provider, op, "%v", err)
		}
	}
	return c.t.Do(ctx, &transport.Request{
		Operation:  op,
		Method:     http.MethodPost,
		Path:       path + "?" + v.Encode(),
		Body:       body,
		UserID:     userID,
		Idempotent: true,
	})
}
