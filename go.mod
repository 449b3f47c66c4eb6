module github.com/mfakit/mfakit

go 1.25
