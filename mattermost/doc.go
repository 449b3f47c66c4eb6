// Package mattermost is the mfakit client for Mattermost's
// PUT /api/v4/users/{user_id}/mfa with {"activate": false}: it turns off
// another user's MFA (with the edit_other_users permission, which system
// admins hold) or the caller's own. Mattermost has one MFA method, TOTP, and
// no preferred-method endpoint.
//
// Mattermost is self-hosted: New takes the server's URL. It authenticates
// with a Bearer token, a session token (the "Token" header of
// POST /api/v4/users/login) or a personal access token.
//
// API docs: https://api.mattermost.com/#tag/users/operation/UpdateUserMfa
// Source (v6.7.2): https://github.com/mattermost/mattermost-server/blob/v6.7.2/api4/user.go (updateUserMfa)
package mattermost
