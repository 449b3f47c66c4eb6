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
	"github.com/mfakit/mfakit/mfaclient/bulk"
)

// Outcomes of one user or operation: bulk's, as results name them.
const (
	outcomeSucceeded   = string(bulk.Succeeded)
	outcomeAlreadyOff  = string(bulk.AlreadyOff) // nothing to reset: counted as done
	outcomeFailed      = string(bulk.Failed)
	outcomeInterrupted = string(bulk.Interrupted) // cut off; whether the provider acted is unknown
)

// result is one JSON line: one user of a bulk run, or one operation. The
// field names are the --output json contract, and the --resume file's.
type result struct {
	Time         string `json:"time"`             // when the call started, RFC 3339 (UTC)
	Person       string `json:"person,omitempty"` // --people runs: who the user is
	User         string `json:"user"`
	Provider     string `json:"provider"`
	Operation    string `json:"operation"`        // "reset", "reset-own" or "set-primary"
	Method       string `json:"method,omitempty"` // set-primary's method
	Outcome      string `json:"outcome"`
	ErrorClass   string `json:"error_class"`   // the mfaclient sentinel's name ("ErrNotFound"), "" on success
	ProviderCode string `json:"provider_code"` // the provider's machine code, when it sent one
	Message      string `json:"message"`       // the error, credential-free
	Required     string `json:"required,omitempty"`
	RequestID    string `json:"request_id,omitempty"` // the provider's request ID, when it sent one
	Attempts     int    `json:"attempts"`
	DurationMS   int64  `json:"duration_ms"`
	Caller       string `json:"caller,omitempty"` // the caller's user ID, where it can be known
}

// errorClass is the one place the CLI names an error's class: the name of
// the mfaclient sentinel err matches ("ErrNotFound"), the context error's
// name, or "error" for anything else. The names come from
// mfaclient.ClassName, the one list the recorded fixtures use too, so the
// CLI and the fixtures cannot disagree.
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

// message is err's text without the "mfakit: " the SDK starts it with: the
// CLI adds its own prefix where a line needs one.
func message(err error) string {
	return strings.TrimPrefix(err.Error(), "mfakit: ")
}

// fromBulk describes one finished call.
func fromBulk(r bulk.Result, op, caller string) result {
	out := result{
		Time: r.Start.UTC().Format(time.RFC3339), Person: r.Person, User: r.User, Provider: r.Provider,
		Operation: op, Outcome: string(r.Outcome), RequestID: r.RequestID, Attempts: r.Attempts,
		DurationMS: r.Duration.Milliseconds(), Caller: caller,
	}
	if r.Err == nil {
		return out
	}
	out.ErrorClass = errorClass(r.Err)
	out.Message = message(r.Err)
	var api *mfaclient.APIError
	if errors.As(r.Err, &api) {
		out.ProviderCode = api.Code
	}
	var fe *mfaclient.ForbiddenError
	if errors.As(r.Err, &fe) {
		out.Required = fe.Required
	}
	return out
}

// exitCode is the exit code a result asks for.
func (r result) exitCode() int {
	if r.Outcome == outcomeAlreadyOff {
		return exitOK
	}
	switch r.ErrorClass {
	case "":
		return exitOK
	case "ErrUnauthorized", "ErrForbidden", "ErrSecondFactorRequired":
		return exitAuth
	case "ErrRateLimited":
		return exitRateLimited
	case "ErrUnsupported":
		return exitUsage
	case "context.Canceled", "context.DeadlineExceeded":
		return exitInterrupted
	}
	return exitFailed
}

// printer writes results to stdout as text or JSON lines. before, if set,
// runs before each line (the progress bar clears itself).
type printer struct {
	w      io.Writer
	json   bool
	before func()
}

func (p printer) print(r result) error {
	if p.before != nil {
		p.before()
	}
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
	if r.Person != "" {
		subject = r.Person + " (" + r.User + ")"
	}
	if subject == "" {
		subject = strings.TrimSpace(r.Operation + " " + r.Method)
	}
	s := fmt.Sprintf("%-11s %s %s", r.Outcome, r.Provider, subject)
	if r.ErrorClass != "" && r.Outcome != outcomeAlreadyOff {
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

// worse picks the exit code that tells the caller more: an interrupt, then
// usage, authentication, rate limiting, plain failures.
func worse(a, b int) int {
	rank := func(c int) int {
		switch c {
		case exitInterrupted:
			return 5
		case exitUsage:
			return 4
		case exitAuth:
			return 3
		case exitRateLimited:
			return 2
		case exitFailed:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}
