package cli

import (
	"errors"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// fakes are the three fake providers the demo and serve-fake run.
type fakes struct {
	fb *mfatest.FlashbackFake
	eg *mfatest.EntryGuardFake
	rc *mfatest.RocketChatFake
}

// startFakes starts the fakes on the given addresses (Flashback,
// EntryGuard, Rocket.Chat; "" is a free loopback port), or none of them.
func startFakes(addrs [3]string) (*fakes, error) {
	opt := func(addr string) []mfatest.FakeOption {
		if addr == "" {
			return nil
		}
		return []mfatest.FakeOption{mfatest.WithAddr(addr)}
	}
	f := new(fakes)
	var err1, err2, err3 error
	f.fb, err1 = mfatest.StartFlashback(opt(addrs[0])...)
	if err1 == nil {
		f.eg, err2 = mfatest.StartEntryGuard(opt(addrs[1])...)
	}
	if err1 == nil && err2 == nil {
		f.rc, err3 = mfatest.StartRocketChat(opt(addrs[2])...)
	}
	if err := errors.Join(err1, err2, err3); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Close stops every fake that was started.
func (f *fakes) Close() {
	if f.fb != nil {
		f.fb.Close()
	}
	if f.eg != nil {
		f.eg.Close()
	}
	if f.rc != nil {
		f.rc.Close()
	}
}
