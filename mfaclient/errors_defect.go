package mfaclient

import "errors"

// ErrClientDefect: the provider rejected the shape of the request mfakit
// built (Rocket.Chat's 400 invalid-params: its body schema refused a key or
// a type). The caller's input was accepted by mfakit's own checks, so
// changing it will not help and repeating will not either: it is a defect in
// mfakit, or a server version mfakit does not know. Report it with the
// error's Body and the server version.
var ErrClientDefect = errors.New("client defect: the provider rejected the request mfakit built")
