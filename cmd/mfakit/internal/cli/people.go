package cli

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/mfakit/mfakit/internal/registry"
)

// person is one row of a --people file: their ID on each provider where
// they have an account.
type person struct {
	name  string
	where string            // "people.csv:3"
	ids   map[string]string // provider name -> user ID
}

// peopleFile is a --people file: the providers it names, in its column
// order, and its people in file order.
type peopleFile struct {
	providers []*registry.Provider
	people    []person
}

// readPeople reads a --people file: CSV with a header row
// ("person,flashback,entryguard,...") or JSON lines
// ({"person":"alice","flashback":"usr-1",...}). An empty cell or a missing
// key is no account on that provider. Every problem is reported with its
// line, at once.
func readPeople(path string) (*peopleFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading --people file: %w", err)
	}
	var pf *peopleFile
	var bad badInput
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		pf = peopleJSON(path, data, &bad)
	} else {
		pf = peopleCSV(path, data, &bad)
	}
	seen := make(map[string]string)
	for _, p := range pf.people {
		switch {
		case p.name == "":
			bad.add("%s: the person's name is empty", p.where)
		case seen[p.name] != "":
			bad.add("%s: %q is already on %s", p.where, p.name, seen[p.name])
		default:
			seen[p.name] = p.where
		}
	}
	if bad.n > 0 {
		return nil, &inputError{bad}
	}
	if len(pf.people) == 0 {
		return nil, fmt.Errorf("--people file %s names nobody", path)
	}
	return pf, nil
}

// inputError is a list of bad input lines.
type inputError struct{ bad badInput }

func (e *inputError) Error() string { return fmt.Sprintf("%d bad input lines", e.bad.n) }

func peopleCSV(path string, data []byte, bad *badInput) *peopleFile {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	pf := new(peopleFile)
	header, err := r.Read()
	if err != nil {
		bad.add("%s:1: no header row (person,%s): %v", path, strings.Join(registry.Names(), ","), err)
		return pf
	}
	if len(header) < 2 || strings.TrimSpace(header[0]) != "person" {
		bad.add("%s:1: the header must be person,<provider>,... (one of %s)", path, strings.Join(registry.Names(), ", "))
		return pf
	}
	for _, h := range header[1:] {
		row, err := registry.Lookup(strings.TrimSpace(h))
		if err != nil {
			bad.add("%s:1: column %q is not a provider (one of %s)", path, h, strings.Join(registry.Names(), ", "))
			continue
		}
		if slices.Contains(pf.providers, row) {
			bad.add("%s:1: column %q appears twice", path, h)
			continue
		}
		pf.providers = append(pf.providers, row)
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			bad.add("%s:%d: %v", path, line, err)
			if pe == nil || !errors.Is(pe.Err, csv.ErrFieldCount) {
				break
			}
			continue
		}
		p := person{name: strings.TrimSpace(rec[0]), where: fmt.Sprintf("%s:%d", path, line), ids: map[string]string{}}
		for i, row := range pf.providers {
			if id := strings.TrimSpace(rec[i+1]); id != "" {
				p.ids[row.Name] = id
			}
		}
		pf.people = append(pf.people, p)
	}
	return pf
}

func peopleJSON(path string, data []byte, bad *badInput) *peopleFile {
	pf := new(peopleFile)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxLine)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		where := fmt.Sprintf("%s:%d", path, n)
		var obj map[string]string
		if err := json.Unmarshal(line, &obj); err != nil {
			bad.add("%s: not a JSON object of strings: %v", where, err)
			continue
		}
		p := person{name: strings.TrimSpace(obj["person"]), where: where, ids: map[string]string{}}
		for k, v := range obj {
			if k == "person" {
				continue
			}
			row, err := registry.Lookup(k)
			if err != nil {
				bad.add("%s: key %q is not a provider (one of %s)", where, k, strings.Join(registry.Names(), ", "))
				continue
			}
			if !slices.Contains(pf.providers, row) {
				pf.providers = append(pf.providers, row)
			}
			if id := strings.TrimSpace(v); id != "" {
				p.ids[k] = id
			}
		}
		pf.people = append(pf.people, p)
	}
	if err := sc.Err(); err != nil {
		bad.add("%s: %v", path, err)
	}
	// Providers in the registry's order, whatever the keys' order.
	slices.SortFunc(pf.providers, func(x, y *registry.Provider) int {
		return slices.Index(registry.Names(), x.Name) - slices.Index(registry.Names(), y.Name)
	})
	return pf
}

// selectPeople returns the named people (all when names is empty), or an error
// naming every name the file lacks.
func (pf *peopleFile) selectPeople(names []string) ([]person, error) {
	if len(names) == 0 {
		return pf.people, nil
	}
	by := make(map[string]person, len(pf.people))
	for _, p := range pf.people {
		by[p.name] = p
	}
	var out []person
	var unknown []string
	seen := map[string]bool{}
	for _, n := range names {
		p, ok := by[n]
		switch {
		case !ok:
			unknown = append(unknown, fmt.Sprintf("%q", n))
		case !seen[n]:
			seen[n] = true
			out = append(out, p)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("not in the --people file: %s", strings.Join(unknown, ", "))
	}
	return out, nil
}
