// Package benchmarks measures mfakit against hand-written net/http code and
// against go-retryablehttp with its defaults, each baseline in the same run.
// The benchmarks are in _test.go files and run only with -bench;
// BENCHMARKS.md at the repository root has the commands and the measured
// tables. CountConnections is shared with the transport's connection tests,
// and the bare-429 limiters (FixedWindow, TokenBucket) with the conformance
// suite's pacing tests.
package benchmarks
