package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the test's own, ungated connection
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/approvaltest"
	"github.com/approvedsql/approvedsql/internal/testpg"
)

func TestOrdersAPI(t *testing.T) {
	dsn := testpg.NewDatabase(t, "examples_postgres")
	clock := approvaltest.NewClock(time.Now().UTC().Truncate(time.Second))
	keys := approvaltest.NewKeyring(t, clock)
	rec := &approvaltest.Recorder{}
	svc, err := newService(context.Background(), config{DSN: dsn, Keyring: keys, Clock: clock, Auditor: rec})
	require.NoError(t, err)
	t.Cleanup(func() { svc.Close() })
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)

	// An ungated connection, to look at the table behind the service's back.
	raw, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { raw.Close() })
	count := func() int {
		var n int
		require.NoError(t, raw.QueryRow("SELECT count(*) FROM orders").Scan(&n))
		return n
	}

	issue := func(role, tenant string, ttl time.Duration) string {
		tok, err := keys.Issue(approval.TokenSpec{Subject: "test", Role: role, Labels: map[string]string{"tenant": tenant}, TTL: ttl})
		require.NoError(t, err)
		return tok
	}
	acme := issue("app", "acme", time.Hour)
	short := issue("app", "acme", time.Minute)
	forged := approvaltest.Token(t, approvaltest.NewKeyring(t, clock), "app", time.Hour)

	do := func(method, path, token, body string) (int, map[string]any, string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		var m map[string]any
		_ = json.Unmarshal(b, &m) // lists are not objects; the raw body is returned too
		return resp.StatusCode, m, string(b)
	}

	steps := []struct {
		name, method, path, token, body string
		code                            int
		rule                            string // for 403
		bodyHas                         string
		rows                            int // orders in the table afterwards
	}{
		{name: "create", method: "POST", path: "/orders?tenant=acme", token: acme,
			body: `{"customer":"ada","total":1999}`, code: 201, bodyHas: `"customer":"ada"`, rows: 1},
		{name: "create another", method: "POST", path: "/orders?tenant=acme", token: acme,
			body: `{"customer":"grace","total":4500}`, code: 201, rows: 2},
		{name: "list own tenant", method: "GET", path: "/orders?tenant=acme", token: acme,
			code: 200, bodyHas: `"customer":"grace","total":4500`, rows: 2},
		{name: "another tenant", method: "GET", path: "/orders?tenant=globex", token: acme,
			code: 403, rule: "tenant-scoped", rows: 2},
		{name: "insert for another tenant", method: "POST", path: "/orders?tenant=globex", token: acme,
			body: `{"customer":"eve","total":1}`, code: 403, rule: "tenant-scoped", rows: 2},
		{name: "delete without where never runs", method: "DELETE", path: "/orders", token: acme,
			code: 403, rule: "no-unbounded-writes", rows: 2},
		{name: "no token", method: "GET", path: "/orders?tenant=acme", code: 401, rows: 2},
		{name: "forged token", method: "GET", path: "/orders?tenant=acme", token: forged,
			code: 401, bodyHas: "signature", rows: 2},
		{name: "garbage token", method: "GET", path: "/orders?tenant=acme", token: "not-a-jwt",
			code: 401, bodyHas: "malformed", rows: 2},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			code, m, body := do(s.method, s.path, s.token, s.body)
			assert.Equal(t, s.code, code, body)
			if s.rule != "" {
				assert.Equal(t, s.rule, m["rule"], body)
			}
			if s.bodyHas != "" {
				assert.Contains(t, body, s.bodyHas)
			}
			assert.Equal(t, s.rows, count())
		})
	}

	t.Run("expired token", func(t *testing.T) {
		code, _, body := do("GET", "/orders?tenant=acme", short, "")
		require.Equal(t, 200, code, body)
		clock.Advance(2 * time.Minute)
		code, _, body = do("GET", "/orders?tenant=acme", short, "")
		assert.Equal(t, 401, code, body)
		assert.Contains(t, body, "expired")
	})

	t.Run("every decision audited", func(t *testing.T) {
		got := rec.Decisions()
		assert.Contains(t, got, "allow")
		assert.Contains(t, got, "deny")
		for _, r := range rec.Records() {
			if r.Decision == "deny" && r.Rule == "no-unbounded-writes" {
				assert.Equal(t, "DELETE FROM orders", r.Text)
				assert.Equal(t, "orders-api", r.Source.App)
				assert.Equal(t, "DELETE /orders", r.Source.Route)
				return
			}
		}
		t.Errorf("no audit record of the denied DELETE in %v", got)
	})
}
