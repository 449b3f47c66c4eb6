package transport

import "github.com/mfakit/mfakit/mfaclient"

// ServerSettings resolves opts for a self-hosted provider, whose New takes
// the server's URL: the URL is required, and WithBaseURL, if also given
// (even as ""), must agree with it. Its errors are mfaclient.ErrInvalidInput.
func ServerSettings(provider, serverURL string, opts []mfaclient.Option) (mfaclient.Settings, error) {
	s := mfaclient.ApplyOptions(opts...)
	switch {
	case serverURL == "":
		return s, InvalidInput(provider, "New", "server URL is required")
	case s.BaseURLSet && s.BaseURL != serverURL:
		return s, InvalidInput(provider, "New", "WithBaseURL disagrees with the server URL; give it once")
	}
	s.BaseURL = serverURL
	return s, nil
}
