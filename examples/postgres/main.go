package main

import (
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver/postgres"
)

//go:embed policy.yaml
var policyYAML []byte

func main() {
	dsn := os.Getenv("APPROVEDSQL_EXAMPLE_DSN")
	if dsn == "" {
		dsn = os.Getenv("APPROVEDSQL_TEST_POSTGRES")
	}
	if dsn == "" {
		log.Fatal("set APPROVEDSQL_EXAMPLE_DSN to a PostgreSQL URL")
	}
	keys, err := keyring()
	if err != nil {
		log.Fatal(err)
	}
	audit, err := approval.NewAuditTrail(approval.NewSlogSink(slog.New(slog.NewJSONHandler(os.Stderr, nil)), slog.LevelInfo))
	if err != nil {
		log.Fatal(err)
	}
	defer audit.Close()
	svc, err := newService(context.Background(), config{DSN: dsn, Keyring: keys, Auditor: audit})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	addr := "localhost:8080"
	log.Printf("orders API on http://%s", addr)
	log.Fatal(http.ListenAndServe(addr, svc.Handler()))
}

// keyring reads the verifying keyring, or makes a throwaway one and prints a
// token to try the service with.
func keyring() (*approval.Keyring, error) {
	if path := os.Getenv("APPROVEDSQL_EXAMPLE_KEYRING"); path != "" {
		return approval.LoadKeyring(path)
	}
	kr, err := approval.NewKeyring()
	if err != nil {
		return nil, err
	}
	sk, err := approval.NewSigningKey("example")
	if err != nil {
		return nil, err
	}
	if err := kr.Add(sk); err != nil {
		return nil, err
	}
	tok, err := kr.Issue(approval.TokenSpec{Subject: "try-me", Role: "app", Labels: map[string]string{"tenant": "acme"}, TTL: time.Hour})
	if err != nil {
		return nil, err
	}
	fmt.Printf("TOKEN=%s\n", tok)
	return kr, nil
}

// config is what the service needs.
type config struct {
	DSN     string
	Keyring *approval.Keyring // verifies bearer tokens
	Clock   approval.Clock    // default: time.Now
	Auditor approval.Auditor  // default: none
}

// service is the orders API.
type service struct {
	db *sql.DB
}

// newService builds the Gate, opens the database through "approved-postgres"
// and creates the table (with an in-process migrator key).
func newService(ctx context.Context, cfg config) (*service, error) {
	pol, err := approval.ParsePolicy(policyYAML, "policy.yaml")
	if err != nil {
		return nil, err
	}
	opts := []approval.Option{approval.WithKeyring(cfg.Keyring)}
	if cfg.Clock != nil {
		opts = append(opts, approval.WithClock(cfg.Clock))
	}
	if cfg.Auditor != nil {
		opts = append(opts, approval.WithAuditor(cfg.Auditor))
	}
	gate, err := approval.NewGate(pol, opts...)
	if err != nil {
		return nil, err
	}
	postgres.SetGate(gate)
	db, err := sql.Open(postgres.DriverName, cfg.DSN)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if cfg.Clock != nil {
		now = cfg.Clock.Now()
	}
	migrator := approval.WithKey(ctx, approval.Key{
		ID: "orders-api-migrator", Subject: "orders-api", Role: "migrator",
		IssuedAt: now, ExpiresAt: now.Add(time.Minute),
	})
	if _, err := db.ExecContext(migrator, `CREATE TABLE IF NOT EXISTS orders (
		id bigserial PRIMARY KEY,
		tenant text NOT NULL,
		customer text NOT NULL,
		total bigint NOT NULL)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the orders table: %w", err)
	}
	return &service{db: db}, nil
}

// Close closes the database and unsets the driver's Gate.
func (s *service) Close() error {
	postgres.SetGate(nil)
	return s.db.Close()
}

// Handler returns the API: GET, POST and DELETE /orders, behind the key
// middleware.
func (s *service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders", s.listOrders)
	mux.HandleFunc("POST /orders", s.createOrder)
	mux.HandleFunc("DELETE /orders", s.deleteOrders)
	return withKey(mux)
}

// withKey puts the bearer token and the request's source in the context.
// It does not verify the token: the Gate does, on every statement (and
// caches the verification for the token's lifetime).
func withKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "bearer token required"})
			return
		}
		ctx := approval.WithToken(r.Context(), tok)
		ctx = approval.WithSource(ctx, approval.Source{
			App: "orders-api", Address: r.RemoteAddr, Route: r.Method + " " + r.URL.Path,
		})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type order struct {
	ID       int64  `json:"id"`
	Customer string `json:"customer"`
	Total    int64  `json:"total"`
}

// tenant is the tenant the request asks for. The handlers do not check it
// against the caller's key: the policy's tenant-scoped rule does, so a request
// for another tenant's orders is refused before PostgreSQL sees it.
func tenant(r *http.Request) string { return r.URL.Query().Get("tenant") }

func (s *service) listOrders(w http.ResponseWriter, r *http.Request) {
	rows, err := s.db.QueryContext(r.Context(),
		"SELECT id, customer, total FROM orders WHERE tenant = $1 ORDER BY id", tenant(r))
	if err != nil {
		writeError(w, err)
		return
	}
	defer rows.Close()
	out := []order{}
	for rows.Next() {
		var o order
		if err := rows.Scan(&o.ID, &o.Customer, &o.Total); err != nil {
			writeError(w, err)
			return
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *service) createOrder(w http.ResponseWriter, r *http.Request) {
	var o order
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&o); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	err := s.db.QueryRowContext(r.Context(),
		"INSERT INTO orders (tenant, customer, total) VALUES ($1, $2, $3) RETURNING id",
		tenant(r), o.Customer, o.Total).Scan(&o.ID)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, o)
}

// deleteOrders is a bug waiting to happen: it forgets its WHERE clause.
// The policy refuses it before PostgreSQL sees it.
func (s *service) deleteOrders(w http.ResponseWriter, r *http.Request) {
	res, err := s.db.ExecContext(r.Context(), "DELETE FROM orders")
	if err != nil {
		writeError(w, err)
		return
	}
	n, _ := res.RowsAffected()
	writeJSON(w, http.StatusOK, map[string]int64{"deleted": n})
}

// writeError maps the Gate's errors to HTTP: key problems are 401, denials
// and reviews 403 (with the rule), anything else 500.
func writeError(w http.ResponseWriter, err error) {
	var de *approval.DeniedError
	switch {
	case errors.Is(err, approval.ErrNoKey), errors.Is(err, approval.ErrKeyExpired),
		errors.Is(err, approval.ErrKeyNotYetValid), errors.Is(err, approval.ErrKeyRevoked),
		errors.Is(err, approval.ErrBadSignature), errors.Is(err, approval.ErrUnknownKeyID),
		errors.Is(err, approval.ErrMalformedToken):
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": err.Error()})
	case errors.As(err, &de):
		body := map[string]string{"error": err.Error(), "rule": de.Rule}
		if de.RequestID != "" {
			body["request_id"] = de.RequestID
		}
		writeJSON(w, http.StatusForbidden, body)
	default:
		log.Printf("orders API: %v", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
