package transport

// The success fast path. Most answers a client sees are its provider's
// documented success, and most providers send that success as the same
// bytes every time (Flashback's {"success":true,"message":"MFA reset
// successfully"}, Rocket.Chat's {"success":true}, Mattermost's
// {"status":"OK"}). A 200 whose body is byte for byte one of those is
// recognised by comparing bytes, before any redaction, strict key scan or
// JSON decode. Anything else, however close (other spacing, other key
// order, a BOM, a trailing newline), goes through the classifier as
// before: the fast path can only say "success" where the strict decoder
// says it too.

// successBodies keeps those of bodies that classify itself reads as the
// documented success of a 200 whatever the operation, so a body declared
// by mistake (a typo, a body the classifier refuses) is never taken for
// one: it only misses the fast path.
func successBodies(classify Classifier, bodies []string) []string {
	var kept []string
	for _, b := range bodies {
		if classify == nil || b == "" {
			continue
		}
		if classify(&Answer{StatusCode: 200, Body: []byte(b)}).Class == nil {
			kept = append(kept, b)
		}
	}
	return kept
}

// isDocumentedSuccess reports whether an answer read whole is byte for
// byte a declared success. A request with its own classifier (one that
// decodes the success into the call's variables) never takes the fast
// path, nor does a call with its own secrets (its redacted body could
// differ from what was declared).
func (c *Client) isDocumentedSuccess(req *Request, status int, body []byte) bool {
	if status != 200 || req.Classify != nil || len(req.Secrets) > 0 {
		return false
	}
	for _, s := range c.successBodies {
		if string(body) == s {
			return true
		}
	}
	return false
}

// SuccessBodies reports the declared success bodies the client kept (for
// a provider's test that its declarations are all read as success).
func (c *Client) SuccessBodies() []string { return c.successBodies }
