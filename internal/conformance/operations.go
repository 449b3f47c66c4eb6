package conformance

// Every operation a provider offers, so each guarantee holds for each.

import (
	"context"
	"errors"
	"slices"
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
	// Repeated says a 5xx or a lost answer is retried for this operation
	// (Provider.ResetIdempotent for ResetMFA, Provider.NotRepeated for the
	// others).
	Repeated bool
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
	for i := range ops {
		ops[i].Repeated = p.repeated(ops[i].Name)
	}
	return ops
}

// repeated says whether p retries the operation called name after an
// attempt that may have reached the server.
func (p Provider) repeated(name string) bool {
	if name == "ResetMFA" {
		return p.ResetIdempotent
	}
	return !slices.Contains(p.NotRepeated, name)
}

// operationNamed is the operation of ops called name (a fixture's
// call.operation), or ResetMFA for one the suite does not make (Rocket.Chat's
// ResetTOTP reaches the same endpoint).
func operationNamed(ops []operation, name string) operation {
	for _, op := range ops {
		if op.Name == name {
			return op
		}
	}
	return ops[0]
}

// eachOperation runs f as a subtest per operation p offers.
func eachOperation(t *testing.T, p Provider, f func(t *testing.T, op operation)) {
	for _, op := range operations(t, p) {
		t.Run(op.Name, func(t *testing.T) { f(t, op) })
	}
}
