package mfaclient

import "errors"

// classes is the one list of mfakit's error classes, with the names code
// spells them by. The CLI's error_class, the fixtures' expect.error, the
// test kit's recorder and every conformance check read it, so a new class
// is one line here.
var classes = []struct {
	name string
	err  error
}{
	{"ErrInvalidInput", ErrInvalidInput},
	{"ErrUnsupported", ErrUnsupported},
	{"ErrUnauthorized", ErrUnauthorized},
	{"ErrForbidden", ErrForbidden},
	{"ErrNotFound", ErrNotFound},
	{"ErrMFANotEnabled", ErrMFANotEnabled},
	{"ErrSecondFactorRequired", ErrSecondFactorRequired},
	{"ErrRateLimited", ErrRateLimited},
	{"ErrServer", ErrServer},
	{"ErrUnexpectedResponse", ErrUnexpectedResponse},
	{"ErrNetwork", ErrNetwork},
	{"ErrClientDefect", ErrClientDefect},
}

// Classes returns every error class, the sentinels above, in a fixed order.
// Every error an mfakit client returns matches exactly one of them with
// errors.Is, or is a context error.
func Classes() []error {
	out := make([]error, len(classes))
	for i, c := range classes {
		out[i] = c.err
	}
	return out
}

// ClassName is the name of the class err matches ("ErrNotFound"), as the
// sentinel is spelled in Go; "" for nil, a context error, or an error of no
// class.
func ClassName(err error) string {
	if err == nil {
		return ""
	}
	for _, c := range classes {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	return ""
}

// ClassNamed is the sentinel ClassName calls name, or nil when there is
// none.
func ClassNamed(name string) error {
	for _, c := range classes {
		if c.name == name {
			return c.err
		}
	}
	return nil
}
