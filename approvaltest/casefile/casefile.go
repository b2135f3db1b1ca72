package casefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/approvedsql/approvedsql/approval"
)

// DefaultTime is the time of a case that gives none (and whose file's
// defaults give none): Monday 5 January 2026, 10:00 UTC.
var DefaultTime = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

// maxFileBytes bounds the size of a cases file.
const maxFileBytes = 4 << 20

// File is a parsed cases file.
type File struct {
	Name     string // as given to Parse (usually the path)
	Defaults Defaults
	Cases    []*Case
}

// Defaults are applied to every case that does not set the field itself.
type Defaults struct {
	Time   *time.Time `yaml:"time"`
	Key    *Key       `yaml:"key"`
	Source *Source    `yaml:"source"`
}

// Case is one call and the decision it must get.
type Case struct {
	Name      string         `yaml:"name"`
	SQL       string         `yaml:"sql"`
	Args      []any          `yaml:"args"`
	NamedArgs map[string]any `yaml:"named_args"`
	Key       *Key           `yaml:"key"`
	Anonymous bool           `yaml:"anonymous"`
	Source    *Source        `yaml:"source"`
	Time      *time.Time     `yaml:"time"`
	Tx        Tx             `yaml:"tx"`
	Phase     string         `yaml:"phase"` // execute (default) or prepare
	Usage     *Usage         `yaml:"usage"`
	Expect    string         `yaml:"expect"` // allow, deny, review
	Rule      string         `yaml:"rule"`   // optional
	Cause     string         `yaml:"cause"`  // optional, see Causes

	// Line is the case's line in the file (1-based).
	Line int `yaml:"-"`
}

// Key is the provisioning key of a case, named as in the rule vocabulary.
type Key struct {
	ID        string            `yaml:"id"`
	Subject   string            `yaml:"subject"`
	Role      string            `yaml:"role"`
	Scopes    []string          `yaml:"scopes"`
	Labels    map[string]string `yaml:"labels"`
	Session   string            `yaml:"session"`
	IssuedAt  *time.Time        `yaml:"issued_at"`
	NotBefore *time.Time        `yaml:"not_before"`
	ExpiresAt *time.Time        `yaml:"expires_at"`
	// Revoked makes the Approvals stand-in report the key revoked.
	Revoked bool `yaml:"revoked"`
}

// Source is where a case's call comes from.
type Source struct {
	App     string            `yaml:"app"`
	Service string            `yaml:"service"`
	Address string            `yaml:"address"`
	Route   string            `yaml:"route"`
	Labels  map[string]string `yaml:"labels"`
}

// Tx is the transaction state of a case's call.
type Tx struct {
	Active   bool `yaml:"active"`
	ReadOnly bool `yaml:"read_only"`
}

// Usage are the sliding-window counts the rules see (usage.*), this call
// included. Unset counts are 1: the call itself.
type Usage struct {
	KeyCalls1m         *int64 `yaml:"key_calls_1m"`
	KeyCalls1h         *int64 `yaml:"key_calls_1h"`
	FingerprintCalls1m *int64 `yaml:"fingerprint_calls_1m"`
}

// Load reads and parses a cases file.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// Parse parses a cases file; name is used in errors. Unknown fields,
// a case without name, sql or a valid expect, duplicate names, an unknown
// phase or cause, and non-scalar arguments are errors.
func Parse(data []byte, name string) (*File, error) {
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("%s: cases file larger than %d bytes", name, maxFileBytes)
	}
	var raw struct {
		Defaults Defaults `yaml:"defaults"`
		Cases    []*Case  `yaml:"cases"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty cases file", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(raw.Cases) == 0 {
		return nil, fmt.Errorf("%s: no cases", name)
	}
	// A second pass over the nodes gives each case its line.
	var lines struct {
		Cases []yaml.Node `yaml:"cases"`
	}
	if err := yaml.Unmarshal(data, &lines); err != nil || len(lines.Cases) != len(raw.Cases) {
		return nil, fmt.Errorf("%s: cannot locate the cases", name)
	}
	f := &File{Name: name, Defaults: raw.Defaults}
	seen := map[string]int{}
	for i, c := range raw.Cases {
		if c == nil {
			return nil, fmt.Errorf("%s:%d: case %d is empty", name, lines.Cases[i].Line, i+1)
		}
		c.Line = lines.Cases[i].Line
		if err := c.check(); err != nil {
			return nil, fmt.Errorf("%s:%d: case %q: %w", name, c.Line, c.Name, err)
		}
		if l, dup := seen[c.Name]; dup {
			return nil, fmt.Errorf("%s:%d: case %q: name already used at line %d", name, c.Line, c.Name, l)
		}
		seen[c.Name] = c.Line
		f.Cases = append(f.Cases, c)
	}
	return f, nil
}

func (c *Case) check() error {
	if c.Name == "" {
		return errors.New("name is required")
	}
	if c.SQL == "" {
		return errors.New("sql is required")
	}
	if _, err := parseEffect(c.Expect); err != nil {
		return err
	}
	switch c.Phase {
	case "", "execute", "prepare":
	default:
		return fmt.Errorf("unknown phase %q (execute, prepare)", c.Phase)
	}
	if c.Cause != "" {
		if _, ok := Causes[c.Cause]; !ok {
			return fmt.Errorf("unknown cause %q (see the casefile package documentation)", c.Cause)
		}
	}
	if c.Anonymous && c.Key != nil {
		return errors.New("a case cannot be anonymous and have a key")
	}
	for i, a := range c.Args {
		v, err := argValue(a)
		if err != nil {
			return fmt.Errorf("args[%d]: %w", i, err)
		}
		c.Args[i] = v
	}
	for k, a := range c.NamedArgs {
		v, err := argValue(a)
		if err != nil {
			return fmt.Errorf("named_args[%s]: %w", k, err)
		}
		c.NamedArgs[k] = v
	}
	return nil
}

// argValue converts a decoded YAML scalar into the value a driver would
// pass (driver.Value kinds).
func argValue(a any) (any, error) {
	switch v := a.(type) {
	case nil, string, bool, float64, int64, time.Time, []byte:
		return v, nil
	case int:
		return int64(v), nil
	case uint64:
		if v > math.MaxInt64 {
			return nil, fmt.Errorf("integer %d overflows int64", v)
		}
		return int64(v), nil
	default:
		return nil, fmt.Errorf("%T is not a scalar argument", a)
	}
}

func parseEffect(s string) (approval.Effect, error) {
	switch s {
	case "allow":
		return approval.Allow, nil
	case "deny":
		return approval.Deny, nil
	case "review":
		return approval.Review, nil
	case "":
		return approval.Deny, errors.New("expect is required (allow, deny or review)")
	default:
		return approval.Deny, fmt.Errorf("expect must be allow, deny or review, not %q", s)
	}
}
