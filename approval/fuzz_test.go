package approval

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParsePolicy: the loader never panics; what it accepts is fully
// compiled and loads again to the same version; what it refuses is
// explained with positioned PolicyErrors.
func FuzzParsePolicy(f *testing.F) {
	files, _ := filepath.Glob("testdata/load_errors/*.yaml")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(semanticsPolicy))
	f.Add([]byte(allowAll))
	f.Add([]byte("version: x\ndialect: sqlite\nmode: learn\ndefault: review\nanonymous: true\nlimits: {max_args: 3}\nrules: []\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy(data, "f.yaml")
		if err != nil {
			var pe PolicyErrors
			if !errors.As(err, &pe) || len(pe) == 0 {
				t.Fatalf("error %T is not PolicyErrors: %v", err, err)
			}
			for _, e := range pe {
				if e == nil || e.Msg == "" || e.File != "f.yaml" {
					t.Fatalf("bad PolicyError %#v", e)
				}
			}
			return
		}
		if p.Version() == "" || p.Dialect() == "" {
			t.Fatalf("accepted policy without version or dialect")
		}
		for _, r := range p.rules {
			if r.prog == nil || r.Name == "" {
				t.Fatalf("rule %+v not compiled", r)
			}
		}
		p2, err := ParsePolicy(data, "f.yaml")
		if err != nil || p2.Version() != p.Version() {
			t.Fatalf("second load differs: %v", err)
		}
	})
}

// FuzzVerifyToken: verification never panics, accepts only tokens the
// keyring issued, and never quotes the token in an error.
func FuzzVerifyToken(f *testing.F) {
	r := mustKeyring(f)
	issued := map[string]bool{}
	for _, spec := range []TokenSpec{
		{ID: "a", Role: "app", TTL: time.Hour},
		{ID: "b", Role: "dba", Scopes: []string{"x"}, Labels: map[string]string{"t": "1"}, Session: "s", TTL: time.Minute},
	} {
		tok := mustIssue(f, r, spec)
		issued[tok] = true
		f.Add(tok)
		parts := strings.Split(tok, ".")
		f.Add(parts[0] + "." + parts[1] + ".")
		f.Add(parts[0] + ".e30." + parts[2])
		f.Add(tok + "A")
	}
	f.Add("")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.e30.AAAA")
	f.Fuzz(func(t *testing.T, tok string) {
		k, err := r.Verify(context.Background(), tok)
		if err == nil {
			if !issued[tok] {
				t.Fatalf("verified a token the keyring did not issue: %q (key %+v)", tok, k)
			}
			return
		}
		if !errors.Is(err, ErrMalformedToken) && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrUnknownKeyID) {
			t.Fatalf("unclassified error: %v", err)
		}
		if len(tok) >= 16 && strings.Contains(err.Error(), tok) {
			t.Fatalf("error quotes the token: %v", err)
		}
	})
}
