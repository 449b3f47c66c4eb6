package bulk_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/mfakit/mfakit/flashback"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/bulk"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// Reset three Flashback users, one of whom does not exist, with the same
// stop rules, brake and outcomes as "mfakit reset".
func Example() {
	fake, err := mfatest.StartFlashback() // a real provider in production
	if err != nil {
		panic(err)
	}
	defer fake.Close()

	// bulk.Transport lets an interrupt cancel calls that have sent nothing.
	hc := &http.Client{Transport: bulk.Transport(nil)}
	client, err := flashback.New(fake.Admin.Token, mfaclient.WithBaseURL(fake.URL()), mfaclient.WithHTTPClient(hc))
	if err != nil {
		panic(err)
	}

	r := &bulk.Runner{
		Concurrency: 1, // in order, for this example's output
		Do: func(ctx context.Context, t bulk.Task) error {
			return client.ResetMFA(ctx, t.User)
		},
		Record: func(res bulk.Result) error {
			fmt.Printf("%s %s (%d request)\n", res.User, res.Outcome, res.Attempts)
			return nil
		},
	}
	var tasks []bulk.Task
	for _, id := range []string{fake.Member.ID, "usr-nobody", fake.Owner.ID} {
		tasks = append(tasks, bulk.Task{Provider: "flashback", User: id})
	}
	rep := r.Run(context.Background(), tasks)
	p := rep.Providers[0]
	fmt.Printf("%d succeeded, %d failed, %d not started\n", p.Succeeded, p.Failed, p.NotStarted)
	// Output:
	// usr-member-3 succeeded (1 request)
	// usr-nobody failed (1 request)
	// usr-owner-1 succeeded (1 request)
	// 2 succeeded, 1 failed, 0 not started
}
