package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/store/postgres"
)

// storeEnvVar names the store when --store is not given.
const storeEnvVar = "APPROVEDSQL_STORE"

// isPostgresDSN reports whether a --store value names PostgreSQL rather
// than a file.
func isPostgresDSN(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") ||
		strings.Contains(s, "host=") || strings.Contains(s, "dbname=")
}

// openStore opens the store named by a --store value: a PostgreSQL DSN or
// the path of a file store.
func openStore(ctx context.Context, where string) (approval.Store, error) {
	if where == "" {
		where = os.Getenv(storeEnvVar)
	}
	if where == "" {
		return nil, fmt.Errorf("no store: give --store (a PostgreSQL DSN or a file path) or set %s", storeEnvVar)
	}
	if isPostgresDSN(where) {
		return postgres.Open(ctx, where)
	}
	return approval.OpenFileStore(where)
}

// openLedger opens the store and a Ledger over it; done closes both.
func openLedger(where string) (l *approval.Ledger, done func(), err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	st, err := openStore(ctx, where)
	if err != nil {
		return nil, nil, err
	}
	l, err = approval.NewLedger(ctx, st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return l, func() { l.Close(); st.Close() }, nil
}

// storeFlags are the flags every store command has.
type storeFlags struct {
	store string
	json  bool
}

func newStoreFlagSet(name string, e *env) (*flag.FlagSet, *storeFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	sf := &storeFlags{}
	fs.StringVar(&sf.store, "store", "", "PostgreSQL DSN or file store path (default $"+storeEnvVar+")")
	fs.BoolVar(&sf.json, "json", false, "print JSON instead of a table")
	return fs, sf
}

// parseInterleaved parses flags that may come before or after the
// positional arguments ("approve ID --for 1h") and returns the positional
// ones. "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// cmdFail prints an error and returns exit code 1.
func cmdFail(e *env, name string, err error) int {
	fmt.Fprintf(e.stderr, "approvalctl %s: %v\n", name, err)
	return 1
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// cell makes a value safe and short for one table cell: control
// characters become spaces, long values are cut.
func cell(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if max > 0 && utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max-1]) + "…"
	}
	if s == "" {
		return "-"
	}
	return s
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "approvalctl"
}
