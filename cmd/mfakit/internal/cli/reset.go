package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mfakit/mfakit/internal/registry"
	"github.com/mfakit/mfakit/mfaclient/bulk"
)

// resetFlags are reset's own flags.
type resetFlags struct {
	commonFlags
	from, people, resume  string
	concurrency, max      int
	brake                 int
	dryRun, yes, progress bool
}

// item is one task with where its user came from, for error messages.
type item struct {
	bulk.Task
	where func() string
}

// defaultMax is --max: a bigger run must be asked for.
const defaultMax = 100

func (a *app) reset(ctx context.Context, args []string) int {
	names := registry.Names()
	c := newCommand("reset", "reset --provider "+strings.Join(names, "|")+" [flags] USER...\n       mfakit reset --people FILE [flags] [PERSON...]")
	var f resetFlags
	f.register(c.fs, strings.Join(names, ", ")+" (or use --people)")
	c.fs.StringVar(&f.from, "from", "", "read users from `FILE`, one per line (- for stdin); blank lines and # comments are skipped")
	c.fs.StringVar(&f.people, "people", "", "reset people everywhere: `FILE` maps each person to their ID on each provider (CSV with the header person,"+strings.Join(names, ",")+", or JSON lines); an empty cell is no account there. Arguments name the people to reset (default: all)")
	c.fs.IntVar(&f.concurrency, "concurrency", bulk.DefaultConcurrency, "users reset at once per provider (`N`); they share one client, so a rate-limit wait pauses all")
	c.fs.StringVar(&f.resume, "resume", "", "results `FILE` of earlier runs (JSON lines this command wrote): skip users done there, append this run's results")
	c.fs.BoolVar(&f.dryRun, "dry-run", false, "check everything and print the plan (providers, counts, first IDs); send nothing")
	c.fs.IntVar(&f.max, "max", defaultMax, "refuse a run of more than `N` users (after --resume); raise it for a bigger run")
	c.fs.BoolVar(&f.yes, "yes", false, "do not ask for confirmation on a terminal")
	c.fs.BoolVar(&f.progress, "progress", true, "show progress on stderr: a bar on a terminal, else a line every 10s")
	c.fs.IntVar(&f.brake, "brake", bulk.DefaultBrake, "stop a provider after `N` failures in a row that say nothing about the users (ErrUnexpectedResponse, ErrNetwork, ErrServer); exit 3")
	positional, err := c.parse(a, args)
	if err != nil {
		return parseExit(err)
	}
	if err := f.check(); err != nil {
		return a.usageError("reset: %v", err)
	}
	switch {
	case f.concurrency < 1:
		return a.usageError("reset: --concurrency must be at least 1")
	case f.max < 1:
		return a.usageError("reset: --max must be at least 1")
	case f.brake < 1:
		return a.usageError("reset: --brake must be at least 1")
	case f.people != "" && (f.provider != "" || f.from != ""):
		return a.usageError("reset: --people takes no --provider or --from: the file names the providers")
	case f.resume != "" && f.resume == f.from:
		return a.usageError("reset: --resume %s is the --from file; --resume takes the results file an earlier run wrote", f.resume)
	}

	// 1. Every input, read and checked before anything else. A provider's
	// own ID rules are checked after --max: a 10 MB garbage file is refused
	// for its size at once, not after 136,000 checks.
	var items []item
	var rows []*registry.Provider
	readStdin := false
	if f.people != "" {
		pf, err := readPeople(f.people)
		var ie *inputError
		if errors.As(err, &ie) {
			ie.bad.report(a.stderr)
			return a.usageError("reset: %s in --people %s; nothing was sent", plural(ie.bad.n, "bad line"), f.people)
		}
		if err != nil {
			return a.usageError("reset: %v", err)
		}
		people, err := pf.selectPeople(positional)
		if err != nil {
			return a.usageError("reset: %v", err)
		}
		for _, row := range pf.providers {
			n := len(items)
			for _, p := range people {
				if id, ok := p.ids[row.Name]; ok {
					where := p.where + ": " + row.Name
					items = append(items, item{bulk.Task{Provider: row.Name, User: id, Person: p.name}, func() string { return where }})
				}
			}
			if len(items) > n {
				rows = append(rows, row)
			}
		}
	} else {
		row, err := f.lookup(registry.All())
		if err != nil {
			return a.usageError("reset: %v", err)
		}
		var users []entry
		users, readStdin, err = readUsers(positional, f.from, a.stdin)
		if err != nil {
			return a.usageError("reset: %v", err)
		}
		for _, u := range users {
			items = append(items, item{bulk.Task{Provider: row.Name, User: u.id}, u.where})
		}
		rows = []*registry.Provider{row}
	}
	if len(items) == 0 {
		if f.people != "" {
			return a.usageError("reset: the people named have no ID on any provider")
		}
		return a.usageError("reset: no users given (arguments, --from FILE, or - for stdin)")
	}

	// What is left to do.
	done := map[doneKey]bool{}
	if f.resume != "" {
		var err error
		if done, err = readResume(f.resume, a.stderr); err != nil {
			return a.usageError("reset: %v", err)
		}
	}
	todo := make([]bulk.Task, 0, len(items))
	skipped := make(map[string]int)
	all := make(map[string]int)
	var bad badInput
	checks := make(map[string]func(string) error)
	for _, it := range items {
		all[it.Provider]++
		if done[doneKey{it.Provider, it.User}] {
			skipped[it.Provider]++
			continue
		}
		todo = append(todo, it.Task)
	}
	if len(todo) > f.max {
		return a.usageError("reset: %s to reset is more than --max %d; check the input, and raise --max to run them all (nothing was sent)", plural(len(todo), "user"), f.max)
	}
	for _, it := range items {
		check := checks[it.Provider]
		if check == nil {
			row, _ := registry.Lookup(it.Provider)
			check = idChecker(row)
			checks[it.Provider] = check
		}
		if done[doneKey{it.Provider, it.User}] {
			continue
		}
		if err := check(it.User); err != nil {
			bad.add("%s: %q: %s", it.where(), printableID(it.User), invalidReason(err))
		}
	}
	if bad.n > 0 {
		bad.report(a.stderr)
		return a.usageError("reset: %s refused; nothing was sent", plural(bad.n, "user ID"))
	}

	// 2. The configuration: every missing variable at once.
	values, err := envValues(rows, a.env)
	if err != nil {
		return a.usageError("reset: %v", err)
	}
	cfg := a.clientConfig(&f.commonFlags, !readStdin, f.concurrency, secrets(values))
	providers := make(map[string]*provider, len(rows))
	for _, row := range rows {
		p, err := newProvider(row, values[row.Name], cfg)
		if err != nil {
			return a.usageError("reset: %v", err)
		}
		providers[row.Name] = p
	}

	// 3. Never the caller's own account by mistake.
	for _, t := range todo {
		p := providers[t.Provider]
		if p.caller == "" || t.User != p.caller {
			continue
		}
		why := ""
		if p.row.SelfResetEndsSession {
			why = "; resetting it would end this run's session"
		}
		return a.usageError("reset: %s is the caller (%s)%s: to reset your own MFA deliberately, use reset-own --provider %s", printableID(t.User), p.callerFrom, why, p.name)
	}

	plan := planLines(rows, todo, skipped)
	if f.dryRun {
		for _, l := range plan {
			fmt.Fprintf(a.stdout, "plan: %s\n", l)
		}
		fmt.Fprintln(a.stdout, "plan: --dry-run: nothing was sent")
		return exitOK
	}
	if len(todo) > 1 && !f.yes && a.tty.stdin && a.tty.stderr {
		if code, ok := a.confirm(plan, readStdin); !ok {
			return code
		}
	}

	// 5. The run.
	var rf *resumeFile
	if f.resume != "" {
		if rf, err = openResume(f.resume); err != nil {
			return a.usageError("reset: %v", err)
		}
		defer rf.Close()
	}
	bar := newProgress(a.stderr, a.tty.stderr, f.progress, a.progressEvery, len(todo), func() bool {
		for _, p := range providers {
			if time.Now().Before(p.limitedUntil()) {
				return true
			}
		}
		return false
	})
	out := printer{w: a.stdout, json: f.output == "json"}
	if a.tty.stdout {
		out.before = bar.clear
	}
	exit := exitOK
	classes := make(map[string]map[string]bool)
	start := time.Now()
	runner := &bulk.Runner{
		Concurrency: f.concurrency,
		Grace:       a.grace,
		Brake:       f.brake,
		Do: func(ctx context.Context, t bulk.Task) error {
			return providers[t.Provider].reset.ResetMFA(ctx, t.User)
		},
		Record: func(br bulk.Result) error {
			r := fromBulk(br, opReset, providers[br.Provider].caller)
			// The resume file first: a user shown as done is a user recorded.
			if rf != nil {
				if err := rf.record(r); err != nil {
					return err
				}
			}
			if err := out.print(r); err != nil {
				return err
			}
			bar.add()
			if r.Outcome != outcomeInterrupted {
				exit = worse(exit, r.exitCode())
			}
			if classes[r.Provider] == nil {
				classes[r.Provider] = map[string]bool{}
			}
			classes[r.Provider][r.ErrorClass] = true
			return nil
		},
		OnInterrupt: func(inFlight int) {
			bar.clear()
			fmt.Fprintf(a.stderr, "mfakit: interrupted: starting nothing new; %s in flight, given up to %s to finish (Ctrl-C again to stop at once)\n",
				plural(inFlight, "call"), a.grace)
		},
	}
	rep := runner.Run(ctx, todo)
	bar.close()

	took := time.Since(start).Round(time.Millisecond)
	for _, row := range rows {
		pr := providerReport(rep, row.Name)
		fmt.Fprintf(a.stderr, "mfakit: reset on %s: %s: %d succeeded, %d already off, %d failed, %d interrupted, %d skipped (done before), %d not started (%s)\n",
			row.Name, plural(all[row.Name], "user"), pr.Succeeded, pr.AlreadyOff, pr.Failed, pr.Interrupted, skipped[row.Name], pr.NotStarted, took)
		if s := pr.Stopped; s != nil {
			if s.Brake > 0 {
				exit = worse(exit, exitFailed)
				where := "is the URL right"
				if env := urlEnv(row); env != "" {
					where = "is " + env + " right"
				}
				fmt.Fprintf(a.stderr, "mfakit: stopped %s: %d failures in a row that say nothing about the users (the last: %s): %s? is %s up?\n",
					row.Name, s.Brake, errorClass(s.Err), where, row.Title)
			} else if pr.Tasks > 1 {
				fmt.Fprintf(a.stderr, "mfakit: stopped early: %s from %s: no later user can succeed\n", errorClass(s.Err), row.Name)
			}
		}
		a.hints(&f.commonFlags, row, classes[row.Name])
	}
	if rep.RecordErr != nil {
		exit = worse(exit, exitFailed)
		fmt.Fprintf(a.stderr, "mfakit: stopped: %v\n", rep.RecordErr)
	}
	if rep.Interrupted {
		exit = exitInterrupted
		hint := "run again with --resume FILE to record progress and skip finished users"
		if rf != nil {
			hint = "run the same command again to finish (--resume " + f.resume + " skips the users that are done)"
		}
		fmt.Fprintf(a.stderr, "mfakit: interrupted; %s\n", hint)
	}
	return exit
}

func providerReport(rep bulk.Report, name string) bulk.ProviderReport {
	for _, p := range rep.Providers {
		if p.Provider == name {
			return p
		}
	}
	return bulk.ProviderReport{Provider: name}
}

// planLines describe a run: per provider, the count and the first IDs.
func planLines(rows []*registry.Provider, todo []bulk.Task, skipped map[string]int) []string {
	const shown = 5
	var out []string
	for _, row := range rows {
		var ids []string
		n := 0
		for _, t := range todo {
			if t.Provider != row.Name {
				continue
			}
			n++
			if len(ids) < shown {
				ids = append(ids, printableID(t.User))
			}
		}
		l := fmt.Sprintf("reset on %s: %s", row.Name, plural(n, "user"))
		if skipped[row.Name] > 0 {
			l += fmt.Sprintf(" (%d skipped, done before)", skipped[row.Name])
		}
		if n > 0 {
			l += ": " + strings.Join(ids, ", ")
			if n > shown {
				l += fmt.Sprintf(", ... (%d more)", n-shown)
			}
		}
		out = append(out, l)
	}
	return out
}

// confirm asks on the terminal before a run of more than one user. It
// reports false, with the exit code, when the run must not go on.
func (a *app) confirm(plan []string, readStdin bool) (int, bool) {
	if readStdin {
		return a.usageError("reset: the user list came from stdin, so mfakit cannot ask for confirmation: pass --yes"), false
	}
	for _, l := range plan {
		fmt.Fprintf(a.stderr, "mfakit: about to %s\n", l)
	}
	fmt.Fprint(a.stderr, "Type yes to reset their MFA: ")
	answer, _ := a.lines().ReadString('\n')
	if strings.TrimSpace(strings.ToLower(answer)) != "yes" {
		fmt.Fprintln(a.stderr, "mfakit: not confirmed; nothing was sent")
		return exitUsage, false
	}
	return exitOK, true
}

// printableID keeps a hostile ID from forging output lines.
func printableID(id string) string {
	if len(id) > 64 {
		id = id[:64] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, id)
}
