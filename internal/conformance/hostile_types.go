package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// fixtureDir is where a provider's recorded answers are, seen from the
// provider package's directory (where its tests run).
func fixtureDir(provider string) string { return filepath.Join("..", "testdata", provider) }

// testWrongTypes: every field of every documented answer of the provider
// (its testdata fixtures), nested fields too, is replaced in turn by a
// value of each wrong JSON type. The outcome is never a panic and never a
// class the answer cannot have: it is the fixture's own outcome (when the
// field does not matter) or the plain class of the status (when the body
// no longer decodes), with the status kept.
func testWrongTypes(t *testing.T, p Provider) {
	fixtures, err := mfatest.LoadDir(fixtureDir(p.Name))
	require.NoError(t, err)

	var mu sync.Mutex
	var answer mutatedAnswer
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		a := answer
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	}))
	t.Cleanup(ts.Close)
	c, err := p.New(ts.URL, noRetry)
	require.NoError(t, err)

	seen := map[string]bool{}
	mutations := 0
	for _, f := range fixtures {
		if !f.Expect.WantsRequest() {
			continue
		}
		var doc map[string]any
		if json.Unmarshal(f.Response.Body, &doc) != nil {
			continue // not a JSON object: MalformedBodies covers it
		}
		for _, m := range mutate(doc, "") {
			body, err := json.Marshal(m.doc)
			require.NoError(t, err)
			key := fmt.Sprint(f.Response.Status, string(body))
			if seen[key] {
				continue
			}
			seen[key] = true
			mutations++

			mu.Lock()
			answer = mutatedAnswer{status: f.Response.Status, body: body}
			mu.Unlock()
			err = c.ResetMFA(bg(), p.UserID)

			where := fmt.Sprintf("%s with %s", filepath.Base(f.Path), m.what)
			got := mfatest.OutcomeOf(err)
			plain := mfaclient.ClassName(statusClass(f.Response.Status))
			shapeless := mfaclient.ClassName(shapelessClass(f.Response.Status))
			if err == nil {
				assert.True(t, f.Expect.Success, "%s: success from an answer that is not one", where)
				continue
			}
			assert.Contains(t, []string{f.Expect.Error, plain, shapeless}, got.Error, "%s: class", where)
			requireAPIError(t, err, f.Response.Status, mfaclient.ClassNamed(got.Error), 1)
		}
	}
	require.NotZero(t, mutations, "no JSON answers under %s", fixtureDir(p.Name))
	t.Logf("%s: %d wrong-type answers", p.Name, mutations)
}

type mutatedAnswer struct {
	status int
	body   []byte
}

// mutation is a copy of a document with one field's value replaced.
type mutation struct {
	doc  map[string]any
	what string
}

// wrongValues are values of every JSON type; each field gets those whose
// type differs from its own.
var wrongValues = []any{"x", float64(1), true, nil, []any{"x"}, map[string]any{"x": "x"}}

// mutate returns doc with each field, in objects nested in doc too,
// replaced by each value of another type.
func mutate(doc map[string]any, prefix string) []mutation {
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []mutation
	for _, k := range keys {
		for _, v := range wrongValues {
			if sameJSONType(doc[k], v) {
				continue
			}
			cp := shallowCopy(doc)
			cp[k] = v
			out = append(out, mutation{doc: cp, what: fmt.Sprintf("%s%s=%v", prefix, k, v)})
		}
		if inner, ok := doc[k].(map[string]any); ok {
			for _, m := range mutate(inner, prefix+k+".") {
				cp := shallowCopy(doc)
				cp[k] = m.doc
				out = append(out, mutation{doc: cp, what: m.what})
			}
		}
	}
	return out
}

func shallowCopy(m map[string]any) map[string]any {
	cp := make(map[string]any, len(m))
	for k, v := range m {
		cp[k] = v
	}
	return cp
}

func sameJSONType(a, b any) bool { return fmt.Sprintf("%T", a) == fmt.Sprintf("%T", b) }
