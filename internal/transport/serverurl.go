package transport

import "github.com/mfakit/mfakit/mfaclient"

// ServerURL puts a self-hosted provider's server URL (Rocket.Chat,
// Mattermost: there is no default host) into s. It is required, and
// WithBaseURL, if also given, must agree with it; otherwise the error is
// mfaclient.ErrInvalidInput.
func ServerURL(provider, serverURL string, s mfaclient.Settings) (mfaclient.Settings, error) {
	switch {
	case serverURL == "":
		return s, InvalidInput(provider, "New", "server URL is required")
	case s.BaseURLSet && s.BaseURL != serverURL:
		return s, InvalidInput(provider, "New", "WithBaseURL disagrees with the server URL; give it once")
	}
	s.BaseURL = serverURL
	return s, nil
}
