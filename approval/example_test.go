package approval_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

const examplePolicy = `
version: "2026-11-28"
dialect: postgres
constants:
  readers: [analyst, support]
rules:
  - name: no-ddl
    effect: deny
    when: query.command in ["DROP", "TRUNCATE", "ALTER"]
  - name: readers
    effect: allow
    when: query.read_only && key.role in readers
`

// selectOrders stands for a statement the driver normalised.
var selectOrders = &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Command: "SELECT", ReadOnly: true,
	Text: "select * from orders where id = $1", Fingerprint: "example", Tables: []string{"orders"}, Params: 1}

func ExampleWithKey() {
	policy, err := approval.ParsePolicy([]byte(examplePolicy), "policy.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	gate, err := approval.NewGate(policy)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := approval.WithKey(context.Background(), approval.Key{
		ID: "key-1", Role: "analyst", ExpiresAt: time.Now().Add(time.Hour),
	})
	d := gate.Decide(ctx, approval.Request{Statement: selectOrders, Args: []approval.Arg{{Ordinal: 1, Value: int64(7)}}})
	fmt.Println(d.Effect, d.Rule, d.KeyID)

	// Without a key the call is refused.
	d = gate.Decide(context.Background(), approval.Request{Statement: selectOrders})
	fmt.Println(d.Effect, errors.Is(d.Err, approval.ErrNoKey))
	// Output:
	// allow readers key-1
	// deny true
}

func ExampleParsePolicy() {
	_, err := approval.ParsePolicy([]byte(`
version: "1"
dialect: postgres
rules:
  - name: readers
    effect: allow
    when: query.read_only && key.rol == "analyst"
`), "policy.yaml")
	var perrs approval.PolicyErrors
	if errors.As(err, &perrs) {
		for _, e := range perrs {
			fmt.Println(e)
		}
	}
	// Output:
	// policy.yaml:7:33: rule "readers": undeclared reference to 'key.rol' (did you mean 'key.role'?)
}

func ExampleKeyring() {
	ring, _ := approval.NewKeyring()
	signing, _ := approval.NewSigningKey("2026-11")
	_ = ring.Add(signing)

	token, err := ring.Issue(approval.TokenSpec{ID: "key-42", Subject: "alice", Role: "analyst", TTL: 8 * time.Hour})
	if err != nil {
		fmt.Println(err)
		return
	}
	key, err := ring.Verify(context.Background(), token)
	fmt.Println(key.ID, key.Role, err)

	_, err = ring.Verify(context.Background(), token+"x")
	fmt.Println(errors.Is(err, approval.ErrBadSignature) || errors.Is(err, approval.ErrMalformedToken))
	// Output:
	// key-42 analyst <nil>
	// true
}

func ExampleGate_Decide_token() {
	ring, _ := approval.NewKeyring()
	signing, _ := approval.NewSigningKey("2026-11")
	_ = ring.Add(signing)
	token, _ := ring.Issue(approval.TokenSpec{ID: "key-7", Role: "support", TTL: time.Hour})

	policy, _ := approval.ParsePolicy([]byte(examplePolicy), "policy.yaml")
	gate, _ := approval.NewGate(policy, approval.WithKeyring(ring))

	ctx := approval.WithToken(context.Background(), token)
	drop := &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Command: "DROP", Object: "TABLE",
		Text: "drop table orders", Fingerprint: "example-drop", Tables: []string{"orders"}}
	d := gate.Decide(ctx, approval.Request{Statement: drop})
	var denied *approval.DeniedError
	if errors.As(d.Err, &denied) {
		fmt.Println(denied.Rule, denied.KeyID, errors.Is(d.Err, approval.ErrDenied))
	}
	// Output:
	// no-ddl key-7 true
}

func ExampleGate_ReloadFile() {
	dir, _ := os.MkdirTemp("", "policy")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "policy.yaml")

	_ = os.WriteFile(path, []byte(examplePolicy), 0o644)
	policy, _ := approval.LoadPolicy(path)
	gate, _ := approval.NewGate(policy)

	// A broken edit: the policy in force stays, and the error says why.
	_ = os.WriteFile(path, []byte("version: \"2\"\ndialect: postgres\nrules:\n  - {name: x, effect: alow, when: 'true'}\n"), 0o644)
	err := gate.ReloadFile(path)
	fmt.Println(strings.TrimPrefix(err.Error(), path), gate.Policy() == policy)

	// A good edit replaces it atomically.
	_ = os.WriteFile(path, []byte(strings.Replace(examplePolicy, `"2026-11-28"`, `"2026-11-29"`, 1)), 0o644)
	err = gate.ReloadFile(path)
	fmt.Println(err, strings.HasPrefix(gate.Policy().Version(), "2026-11-29+"))
	// Output:
	// :4:23: rule "x": effect must be allow, deny or review, not "alow" true
	// <nil> true
}
