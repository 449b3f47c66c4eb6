package mfatest

// An Exchange is one request and its answer inside a fixture whose call
// sends several requests (Kratos's ResetMFA reads the identity, then deletes
// each second factor).
type Exchange struct {
	Request  Request  `json:"request"`
	Response Response `json:"response"`
}

// Steps returns one fixture per request f's call sends, in order: one for
// each of f.Before, then f itself. Each has the call, source and expect of
// f and one request and response; a fixture without Before is its own only
// step. The replay server serves the steps in order, and CheckRequest
// checks each.
func (f *Fixture) Steps() []*Fixture {
	out := make([]*Fixture, 0, len(f.Before)+1)
	for _, ex := range f.Before {
		g := *f
		g.Before = nil
		g.Request, g.Response = ex.Request, ex.Response
		out = append(out, &g)
	}
	last := *f
	last.Before = nil
	return append(out, &last)
}
