package mfaclient_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// sentinelsDeclared are the Err* variables declared in errors.go, read from
// the source, so that a class added there and not to the list fails here.
func sentinelsDeclared(t *testing.T) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	require.NoError(t, err)
	var names []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, s := range g.Specs {
			for _, n := range s.(*ast.ValueSpec).Names {
				if len(n.Name) > 3 && n.Name[:3] == "Err" {
					names = append(names, n.Name)
				}
			}
		}
	}
	return names
}

func TestClassesIsEverySentinel(t *testing.T) {
	declared := sentinelsDeclared(t)
	require.NotEmpty(t, declared)
	var named []string
	for _, c := range mfaclient.Classes() {
		name := mfaclient.ClassName(c)
		named = append(named, name)
		assert.Same(t, c, mfaclient.ClassNamed(name), "ClassNamed(ClassName(%v))", c)
	}
	assert.ElementsMatch(t, declared, named, "Classes() lists every Err* of errors.go, by its Go name")
}

func TestClassName(t *testing.T) {
	api := &mfaclient.APIError{Provider: "flashback", Operation: "ResetMFA", StatusCode: 404, Class: mfaclient.ErrNotFound}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{context.Canceled, ""},
		{&mfaclient.OpError{Err: context.DeadlineExceeded}, ""},
		{errors.New("other"), ""},
		{api, "ErrNotFound"},
		{&mfaclient.RateLimitError{APIError: &mfaclient.APIError{Class: mfaclient.ErrRateLimited}}, "ErrRateLimited"},
		{fmt.Errorf("wrapped: %w", api), "ErrNotFound"},
		{&mfaclient.OpError{Err: fmt.Errorf("%w: x", mfaclient.ErrNetwork)}, "ErrNetwork"},
	} {
		assert.Equal(t, tc.want, mfaclient.ClassName(tc.err), "%v", tc.err)
	}
	assert.Nil(t, mfaclient.ClassNamed("ErrNope"))
}
