package conformance

// Every operation a provider offers, so each guarantee holds for each.

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// operation is one call a provider offers, as the suite makes it.
type operation struct {
	Name string // "ResetMFA", "ResetOwnMFA", "SetPrimaryMFA"
	// UserID is the user the call names, "" when it names none.
	UserID string
	Call   func(ctx context.Context, c Client) error
}

// operations lists every operation p offers: ResetMFA always, ResetOwnMFA
// when the client is a mfaclient.SelfResetter, and SetPrimaryMFA with the
// first method the provider supports. Support is learned without sending:
// an unsupported method is ErrUnsupported before anything is sent, a
// supported one reaches the (already canceled) context.
func operations(t *testing.T, p Provider) []operation {
	t.Helper()
	c, err := p.New("http://127.0.0.1:1", noRetry)
	require.NoError(t, err)
	ops := []operation{{Name: "ResetMFA", UserID: p.UserID, Call: func(ctx context.Context, c Client) error {
		return c.ResetMFA(ctx, p.UserID)
	}}}
	if _, ok := c.(mfaclient.SelfResetter); ok {
		ops = append(ops, operation{Name: "ResetOwnMFA", Call: func(ctx context.Context, c Client) error {
			return c.(mfaclient.SelfResetter).ResetOwnMFA(ctx)
		}})
	}
	canceled, cancel := context.WithCancel(bg())
	cancel()
	for _, m := range []mfaclient.Method{mfaclient.MethodTOTP, mfaclient.MethodMagicLink, mfaclient.MethodPasskey, mfaclient.MethodEmail} {
		if errors.Is(c.SetPrimaryMFA(canceled, m), mfaclient.ErrUnsupported) {
			continue
		}
		ops = append(ops, operation{Name: "SetPrimaryMFA", Call: func(ctx context.Context, c Client) error {
			return c.SetPrimaryMFA(ctx, m)
		}})
		break
	}
	return ops
}

// eachOperation runs f as a subtest per operation p offers.
func eachOperation(t *testing.T, p Provider, f func(t *testing.T, op operation)) {
	for _, op := range operations(t, p) {
		t.Run(op.Name, func(t *testing.T) { f(t, op) })
	}
}
