package contract

import (
	"maps"

	"github.com/stretchr/testify/assert"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// casdoorAppRole marks the FakeUser that stands for Casdoor's application
// (ID = client ID, Token = client secret): its calls use HTTP Basic.
const casdoorAppRole = "application"

var (
	cdApp who = func(r *fakeRun) mfatest.FakeUser {
		return mfatest.FakeUser{ID: r.cd.App.ClientID, Token: r.cd.App.ClientSecret, Role: casdoorAppRole}
	}
	cdAdmin  who = func(r *fakeRun) mfatest.FakeUser { return r.cd.Admin }
	cdMember who = func(r *fakeRun) mfatest.FakeUser { return r.cd.Member }
)

// Users of the real server's seed (scripts/real/casdoor.sh) that the
// fixtures name, with TOTP and email MFA on as the real-server tests leave
// them.
var (
	cdCarol     = byID(mfatest.CasdoorOrganization + "/carol")
	cdDave      = byID(mfatest.CasdoorOrganization + "/dave")
	cdOther who = func(r *fakeRun) mfatest.FakeUser { return r.cd.Other }
)

// seeded adds the real seed's user name with TOTP on.
func seeded(name string) func(*fakeRun) {
	return func(r *fakeRun) {
		r.cd.AddUser(mfatest.FakeUser{ID: mfatest.CasdoorOrganization + "/" + name, Role: "user", MFAEnabled: true, PrimaryMethod: ""}, "")
	}
}

// withEmailMFA turns email MFA on for u, with the seed's address.
func withEmailMFA(u who) func(*fakeRun) {
	return func(r *fakeRun) {
		id := u(r).ID
		r.cd.EnableEmailMFA(id, id[len(mfatest.CasdoorOrganization)+1:]+"@mfakit.test")
	}
}

// casdoorAs calls with the given credentials after steps.
func casdoorAs(creds func(r *fakeRun) Credentials, steps ...func(*fakeRun)) func(*fakeRun) Credentials {
	return func(r *fakeRun) Credentials {
		for _, s := range steps {
			s(r)
		}
		return creds(r)
	}
}

// casdoorReset checks that u's every MFA method is off after one reset.
func casdoorReset(u who) func(*fakeRun) {
	return func(r *fakeRun) {
		wasReset(u)(r)
		assert.False(r.t, r.cd.EmailMFA(u(r).ID), "email MFA of %s", u(r).ID)
	}
}

// casdoorFakeCases are Casdoor's entries of fakeCases.
var casdoorFakeCases = map[string]fakeCase{
	"casdoor/reset-200.json":       {arrange: then(cdApp, seeded("carol"), withEmailMFA(cdCarol)), after: casdoorReset(cdCarol)},
	"casdoor/reset-again-200.json": {arrange: then(cdApp, seeded("carol"), mfaOff(cdCarol)), after: mfaState(cdCarol, false, 1)},
	"casdoor/reset-org-admin-200.json": {
		arrange: then(cdAdmin, seeded("dave"), withEmailMFA(cdDave)), after: casdoorReset(cdDave),
	},
	"casdoor/reset-self-200.json": {
		arrange: then(cdMember, edit(cdMember, func(u *mfatest.FakeUser) { u.PrimaryMethod = "email" }), withEmailMFA(cdMember)),
		after:   casdoorReset(cdMember),
	},
	"casdoor/reset-forbidden-member.json":          {arrange: then(cdMember, seeded("carol")), after: notReset(cdCarol)},
	"casdoor/reset-forbidden-other-org-admin.json": {arrange: then(cdOther, seeded("carol")), after: notReset(cdCarol)},
	"casdoor/reset-forbidden-wrong-access-secret.json": {
		arrange: casdoorAs(func(r *fakeRun) Credentials {
			return casdoorKeyCreds(r.cd.AccessKey(r.cd.Admin.ID), "not-the-access-secret")
		}, seeded("carol")),
		after: notReset(cdCarol),
	},
	"casdoor/reset-forbidden-unknown-access-key.json": {
		arrange: casdoorAs(func(*fakeRun) Credentials {
			return casdoorKeyCreds("no-such-access-key", "no-such-access-secret")
		}, seeded("carol")),
		after: notReset(cdCarol),
	},
	"casdoor/reset-wrong-client-secret.json": {
		arrange: casdoorAs(func(r *fakeRun) Credentials { return casdoorAppCreds(r.cd.App.ClientID, "not-the-client-secret") }),
		after:   notReset(cdMember),
	},
	"casdoor/reset-unknown-client-id.json": {
		arrange: casdoorAs(func(r *fakeRun) Credentials { return casdoorAppCreds("no-such-client-id", r.cd.App.ClientSecret) }),
		after:   notReset(cdMember),
	},
	"casdoor/reset-unknown-user-404.json":         {arrange: caller(cdApp)},
	"casdoor/reset-unknown-organization-404.json": {arrange: caller(cdApp)},
	"casdoor/preferred-email-200.json": {
		arrange: then(cdApp, withEmailMFA(cdMember)), after: primaryIs(cdMember, "email"),
	},
	"casdoor/preferred-totp-200.json": {
		arrange: then(cdApp, withEmailMFA(cdMember), edit(cdMember, func(u *mfatest.FakeUser) { u.PrimaryMethod = "email" })),
		after:   primaryIs(cdMember, "app"),
	},
	"casdoor/preferred-org-admin-200.json": {
		arrange: then(cdAdmin, withEmailMFA(cdMember)), after: primaryIs(cdMember, "email"),
	},
	"casdoor/preferred-self-200.json": {
		arrange: then(cdMember, withEmailMFA(cdMember)), after: primaryIs(cdMember, "email"),
	},
	"casdoor/preferred-unknown-user-404.json": {arrange: caller(cdApp)},
	"casdoor/preferred-sms-200.json": {
		arrange: then(cdApp, withEmailMFA(cdMember)), after: primaryIs(cdMember, "sms"),
	},
	"casdoor/preferred-passkey-unsupported.json": {arrange: caller(cdApp)},
	"casdoor/proxy-502-html.json":                {arrange: asGiven(cdApp)},
	"casdoor/unavailable-503-empty.json":         {arrange: asGiven(cdApp)},
	"casdoor/reset-error-other-message.json":     {arrange: asGiven(cdApp), after: notReset(cdMember)},
}

// smsFakeCases: the providers without an SMS method answer MethodSMS with
// ErrUnsupported and send nothing.
var smsFakeCases = map[string]fakeCase{
	"flashback/primary-sms-unsupported.json":  {arrange: caller(fbMember)},
	"entryguard/primary-sms-unsupported.json": {arrange: caller(egAdmin)},
	"rocketchat/primary-sms-unsupported.json": {arrange: caller(rcAdmin)},
}

// casdoorNotModelled are Casdoor's entries of notModelled.
var casdoorNotModelled = map[string]string{
	"casdoor/ok-200-html.json":       notSuccessShape,
	"casdoor/ok-200-other-json.json": notSuccessShape,
	"casdoor/reset-ok-method-still-enabled.json": "the fake's delete-mfa always turns every method off, " +
		"as Casdoor's does; the fixture holds the client to a success that is whole",
}

func init() {
	maps.Copy(fakeCases, casdoorFakeCases)
	maps.Copy(fakeCases, smsFakeCases)
	maps.Copy(notModelled, casdoorNotModelled)
}
