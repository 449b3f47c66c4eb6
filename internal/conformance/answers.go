package conformance

// Guarantee "Any answer is a typed error or the documented success, never a
// panic" (README, Security and reliability).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

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

	ops := operations(t, p)
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
			err = operationNamed(ops, f.Call.Operation).Call(bg(), c)

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

// malformedBodies are answers no provider documents. None of them is a
// success, whatever the status.
var malformedBodies = map[string]string{
	"HTML":           "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
	"garbage":        "\x00\xff\xfe\x1b[31mgarbage\x7f",
	"truncated JSON": `{"success":true,"message":"MFA reset succ`,
	"null":           "null",
	"array":          `[{"success":true,"message":"MFA reset successfully"}]`,
	"string":         `"success"`,
	"number":         `200`,
	"true":           `true`,
	"empty":          "",
	"whitespace":     " \r\n\t ",
	"BOM":            "\ufeff{\"success\":true,\"message\":\"MFA reset successfully\"}",
	"two objects":    `{"success":false}{"success":true,"message":"MFA reset successfully"}`,
	"deep nesting":   `{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + "}",
	"wrong types":    `{"success":"true","message":1,"error":[],"errorType":{},"status":"x","details":7}`,
	"all null":       `{"success":null,"message":null,"error":null,"errorType":null,"status":null,"details":null}`,
}

// testMalformedBodies: each malformed body, at each status, is the typed
// error of the status, with the body kept as sent.
func testMalformedBodies(t *testing.T, p Provider) {
	eachOperation(t, p, func(t *testing.T, op operation) { testMalformedBodiesOf(t, p, op) })
}

func testMalformedBodiesOf(t *testing.T, p Provider, op operation) {
	var status atomic.Int32
	var body atomic.Value
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(int(status.Load()))
		_, _ = io.WriteString(w, body.Load().(string))
	}))
	t.Cleanup(ts.Close)
	c, err := p.New(ts.URL, noRetry)
	require.NoError(t, err)

	for _, code := range []int{200, 201, 400, 401, 403, 404, 409, 418, 429, 500, 502, 503} {
		for name, b := range malformedBodies {
			status.Store(int32(code))
			body.Store(b)
			err := op.Call(bg(), c)
			require.Error(t, err, "%d %s is not the documented success", code, name)
			apiErr := requireAPIError(t, err, code, shapelessClass(code), 1)
			assert.True(t, bytes.Equal([]byte(b), apiErr.Body), "%d %s: the body is kept as sent", code, name)
		}
	}
}
