package testpg

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // admin connections
)

// Environment variables read by this package.
const (
	EnvDSN     = "APPROVEDSQL_TEST_POSTGRES"
	EnvRequire = "APPROVEDSQL_REQUIRE_POSTGRES"
)

// DSN returns the server DSN, or skips (fails, when required) the test.
func DSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		if os.Getenv(EnvRequire) == "1" {
			tb.Fatalf("%s is not set and %s=1: PostgreSQL tests must run", EnvDSN, EnvRequire)
		}
		tb.Skipf("%s is not set: skipping PostgreSQL test (set it to a postgres:// URL to run)", EnvDSN)
	}
	return dsn
}

var validPrefix = regexp.MustCompile(`^[a-z][a-z0-9_]{0,30}$`)

// NewDatabase creates a database named prefix_<random> on the server,
// registers its removal with tb.Cleanup and returns a DSN for it. prefix
// must be a lower-case identifier (the package name, say).
func NewDatabase(tb testing.TB, prefix string) string {
	tb.Helper()
	if !validPrefix.MatchString(prefix) {
		tb.Fatalf("testpg: bad prefix %q", prefix)
	}
	dsn := DSN(tb)
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("testpg: %s must be a postgres:// URL", EnvDSN)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	name := prefix + "_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		tb.Fatalf("testpg: creating database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("testpg: dropping database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// Quote quotes an identifier for the tests' own SQL.
func Quote(ident string) string {
	return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"`
}

// String describes the server for logs, without credentials.
func String(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres (unparsable DSN)"
	}
	return fmt.Sprintf("postgres://%s%s", u.Host, u.Path)
}
