package kratos

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// The second-factor credential types ResetMFA removes, in the order it
// removes them. "passkey" is not among them: a passkey is a first factor
// (passwordless login), and Kratos v1.3.1's admin DELETE refuses it with 400
// "Unknown credentials type passkey."; passwordless WebAuthn keys are kept
// by Kratos's webauthn DELETE for the same reason.
var secondFactors = []string{"totp", "lookup_secret", "webauthn"}

// ResetMFA removes every second factor of the identity with this ID (a
// UUID), so they can log in with their first factor and enrol again:
//
//  1. GET /admin/identities/{id}?include_credential=webauthn reads which
//     second factors it has: totp, lookup_secret, and webauthn when one of
//     its keys is not passwordless;
//  2. DELETE /admin/identities/{id}/credentials/{type} removes each.
//
// The answers:
//   - nil: the identity had at least one second factor when it was read and
//     has none of them now. A DELETE answered 404 "this user have no totp"
//     (the factor went away between the read and the delete, or a retried
//     DELETE whose first attempt removed it) counts as removed: the state
//     the reset promises holds either way, and the read showed there was
//     something to reset;
//   - mfaclient.ErrMFANotEnabled (an *mfaclient.OpError, one request
//     sent): the identity has no second factor; nothing was deleted;
//   - mfaclient.ErrNotFound: no identity with this ID;
//   - an error from the read or the first DELETE: nothing was removed, except
//     that a DELETE failing with ErrServer or ErrNetwork may have removed its
//     type (as for any provider);
//   - a *PartialResetError: some types were removed, then a DELETE failed. It
//     unwraps to that DELETE's error, so errors.Is gives its class, and says
//     which types were removed, which failed and which were not tried.
//     Calling ResetMFA again finishes the job (or answers ErrMFANotEnabled
//     when the failed DELETE had in fact succeeded).
//
// An identityID that is not a UUID is mfaclient.ErrInvalidInput and nothing
// is sent. Every request is safe to repeat, so 5xx and lost answers are
// retried by the retry policy.
//
// Ory API docs: https://www.ory.sh/docs/reference/api#tag/identity/operation/getIdentity
// and https://www.ory.sh/docs/reference/api#tag/identity/operation/deleteIdentityCredentials
func (c *Client) ResetMFA(ctx context.Context, identityID string) error {
	if err := checkIdentityID(opReset, identityID); err != nil {
		return err
	}
	types, err := c.secondFactorsOf(ctx, identityID)
	if err != nil {
		return err
	}
	if len(types) == 0 {
		return &mfaclient.OpError{Provider: provider, Operation: opReset, UserID: identityID, Attempts: 1,
			Err: fmt.Errorf("%w: identity has no second factor (totp, lookup_secret, webauthn)", mfaclient.ErrMFANotEnabled)}
	}
	var removed []string
	for i, typ := range types {
		if err := c.t.Do(ctx, deleteRequest(opReset, identityID, typ, classifyReset)); err != nil {
			if len(removed) == 0 {
				return err
			}
			return &PartialResetError{IdentityID: identityID, Removed: removed, Failed: typ,
				NotAttempted: types[i+1:], Err: err}
		}
		removed = append(removed, typ)
	}
	return nil
}

// classifyReset reads a DELETE made by ResetMFA: the 404 that says the type
// is gone is as good as the 204 (see ResetMFA), and a 400 is a client
// defect (see madeByUs).
func classifyReset(a *transport.Answer) transport.Verdict {
	v := classify(a)
	if v.Class == mfaclient.ErrMFANotEnabled {
		return transport.Verdict{}
	}
	return madeByUs(v)
}

// madeByUs: ResetMFA chose every part of its requests but the identity ID,
// which passed its check, so Kratos refusing one with a 400 ("Unknown
// credentials type", "Invalid value for parameter include_credential") is
// mfakit's defect or a Kratos version it does not know, not the caller's
// bad input.
func madeByUs(v transport.Verdict) transport.Verdict {
	if v.Class == mfaclient.ErrInvalidInput {
		v.Class = mfaclient.ErrClientDefect
	}
	return v
}

// getIdentityQuery asks for webauthn's config, which tells passwordless keys
// from second-factor ones; the other types' configs (TOTP secrets among them)
// are not sent.
var getIdentityQuery = mustQuery(getIdentityOptions{IncludeCredential: []string{"webauthn"}})

// secondFactorsOf reads the identity and returns its second-factor types,
// in the order of secondFactors.
func (c *Client) secondFactorsOf(ctx context.Context, identityID string) ([]string, error) {
	var id Identity
	err := c.t.Do(ctx, &transport.Request{
		Operation:  opReset,
		Method:     http.MethodGet,
		Path:       identityPath(identityID) + "?" + getIdentityQuery,
		UserID:     identityID,
		Idempotent: true,
		Classify: func(a *transport.Answer) transport.Verdict {
			if a.StatusCode != http.StatusOK {
				return madeByUs(classifyError(a))
			}
			var got Identity
			if !transport.DecodeObject(a.Body, &got) || !strings.EqualFold(got.ID, identityID) {
				return transport.Verdict{Class: mfaclient.ErrUnexpectedResponse}
			}
			id = got
			return transport.Verdict{}
		},
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, typ := range secondFactors {
		cred, ok := id.Credentials[typ]
		if ok && (typ != "webauthn" || hasSecondFactorKey(cred)) {
			out = append(out, typ)
		}
	}
	return out, nil
}

// hasSecondFactorKey reports whether a webauthn credential holds a key that
// is not passwordless, the only kind Kratos's DELETE removes. A config that
// does not decode counts as holding one: better a DELETE that removes
// nothing than a second factor left in place.
func hasSecondFactorKey(cred IdentityCredentials) bool {
	var cfg webAuthnConfig
	if !transport.DecodeObject(cred.Config, &cfg) {
		return true
	}
	for _, k := range cfg.Credentials {
		if !k.IsPasswordless {
			return true
		}
	}
	return false
}

// PartialResetError is a ResetMFA that removed some of the identity's second
// factors and then failed. It unwraps to Err, the failing DELETE's error
// (an *mfaclient.APIError, or an *mfaclient.OpError for a network failure or
// the caller's context), so errors.Is and errors.As see its class and
// status.
type PartialResetError struct {
	IdentityID string
	// Removed are the types that are gone (204, or 404 "no such credential").
	Removed []string
	// Failed is the type whose DELETE failed. Whether it is gone is unknown
	// when Err is ErrServer, ErrNetwork or a context error.
	Failed string
	// NotAttempted are the types after Failed that were not tried; the
	// identity still has them.
	NotAttempted []string
	Err          error
}

func (e *PartialResetError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mfakit: kratos ResetMFA: partial reset: removed %s; removing %s failed",
		strings.Join(e.Removed, ", "), e.Failed)
	if len(e.NotAttempted) > 0 {
		fmt.Fprintf(&b, "; not attempted: %s", strings.Join(e.NotAttempted, ", "))
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *PartialResetError) Unwrap() error { return e.Err }
