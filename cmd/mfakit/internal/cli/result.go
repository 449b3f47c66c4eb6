package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mfakit/mfakit/mfaclient"
)

// Outcomes of one user or operation.
const (
	outcomeSucceeded = "succeeded"
	outcomeFailed    = "failed"
	// outcomeInterrupted: the call was cut off by a forced stop; whether the
	// provider acted is unknown, so a resumed run tries the user again.
	outcomeInterrupted = "interrupted"
)

// result is one JSON line: one user of a bulk run, or one operation. The
// field names are the --output json contract.
type result struct {
	User         string `json:"user"`
	Provider     string `json:"provider"`
	Operation    string `json:"operation"`        // "reset", "reset-own" or "set-primary"
	Method       string `json:"method,omitempty"` // set-primary's method
	Outcome      string `json:"outcome"`
	ErrorClass   string `json:"error_class"`   // the mfaclient sentinel's name ("ErrNotFound"), "" on success
	ProviderCode string `json:"provider_code"` // the provider's machine code, when it sent one
	Message      string `json:"message"`       // the error, credential-free
	Required     string `json:"required,omitempty"`
	Attempts     int    `json:"attempts"`
	DurationMS   int64  `json:"duration_ms"`
}

// errorClass is the name of the mfaclient sentinel err matches
// ("ErrNotFound"), the context error's name, or "error" for anything else.
// The names come from mfaclient.ClassName, the one list the recorded
// fixtures use too, so the CLI and the fixtures cannot disagree.
func errorClass(err error) string {
	if name := mfaclient.ClassName(err); name != "" {
		return name
	}
	switch {
	case errors.Is(err, context.Canceled):
		return "context.Canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "context.DeadlineExceeded"
	}
	return "error"
}

// newResult describes one finished call.
func newResult(provider, op, user string, err error, counted int, d time.Duration) result {
	r := result{User: user, Provider: provider, Operation: op, Outcome: outcomeSucceeded,
		Attempts: counted, DurationMS: d.Milliseconds()}
	if err == nil {
		return r
	}
	r.Outcome = outcomeFailed
	r.ErrorClass = errorClass(err)
	r.Message = err.Error()
	var api *mfaclient.APIError
	var op2 *mfaclient.OpError
	switch {
	case errors.As(err, &api):
		r.ProviderCode, r.Attempts = api.Code, max(api.Attempts, counted)
	case errors.As(err, &op2):
		r.Attempts = max(op2.Attempts, counted)
	}
	var fe *mfaclient.ForbiddenError
	if errors.As(err, &fe) {
		r.Required = fe.Required
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		r.Outcome = outcomeInterrupted
	}
	return r
}

// exitCode is the exit code a failed result asks for, and whether it means
// no later call can succeed, so a bulk run should stop starting users.
func (r result) exitCode() (code int, fatal bool) {
	switch r.ErrorClass {
	case "":
		return exitOK, false
	case "ErrUnauthorized", "ErrForbidden", "ErrSecondFactorRequired":
		return exitAuth, true
	case "ErrRateLimited":
		return exitRateLimited, true
	case "ErrUnsupported":
		return exitUsage, true
	}
	return exitFailed, false
}

// printer writes results to stdout as text or JSON lines.
type printer struct {
	w    io.Writer
	json bool
}

func (p printer) print(r result) error {
	var err error
	if p.json {
		_, err = p.w.Write(jsonLine(r))
	} else {
		_, err = io.WriteString(p.w, textLine(r))
	}
	return err
}

// jsonLine is r as one line of JSON with its newline.
func jsonLine(r result) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		panic("mfakit: encoding a result: " + err.Error()) // only strings and ints
	}
	return append(b, '\n')
}

func textLine(r result) string {
	subject := r.User
	if subject == "" {
		subject = strings.TrimSpace(r.Operation + " " + r.Method)
	}
	s := fmt.Sprintf("%-11s %s %s", r.Outcome, r.Provider, subject)
	if r.ErrorClass != "" {
		s += fmt.Sprintf(": %s: %s", r.ErrorClass, r.Message)
	}
	return s + fmt.Sprintf(" (%s, %dms)\n", plural(r.Attempts, "request"), r.DurationMS)
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
