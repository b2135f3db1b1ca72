package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/approvedsql/approvedsql/approval"
)

// keysCommands are the subcommands of "approvalctl keys".
var keysCommands = map[string]command{
	"new-signing-key": {"create a keyring, or add a new signing key to one (rotation)", runKeysNewSigningKey},
	"issue":           {"issue a signed provisioning token", runKeysIssue},
	"inspect":         {"show a token's header and claims; verify it with --keyring", runKeysInspect},
	"public":          {"print a keyring's public keys (for verifying services)", runKeysPublic},
	"revoke":          {"revoke a provisioning key by id, everywhere", runKeysRevoke},
}

func runKeys(e *env) int {
	if len(e.args) == 0 || e.args[0] == "help" || e.args[0] == "-h" || e.args[0] == "--help" {
		keysUsage(e.stdout)
		if len(e.args) == 0 {
			return 1
		}
		return 0
	}
	c, ok := keysCommands[e.args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "approvalctl keys: unknown subcommand %q\n", e.args[0])
		keysUsage(e.stderr)
		return 1
	}
	return c.run(&env{args: e.args[1:], stdin: e.stdin, stdout: e.stdout, stderr: e.stderr})
}

func keysUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: approvalctl keys SUBCOMMAND [flags]\n\nsubcommands:")
	names := make([]string, 0, len(keysCommands))
	for n := range keysCommands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, keysCommands[n].summary)
	}
}

func keysFlagSet(name, usage string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("keys "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, usage); fs.PrintDefaults() }
	return fs
}

// parseKeysFlags parses and reports whether the command should go on,
// with the exit code when not.
func parseKeysFlags(fs *flag.FlagSet, args []string) ([]string, int, bool) {
	pos, err := parseFlagsAnywhere(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, 0, false
		}
		return nil, 1, false
	}
	return pos, 0, true
}

// keyringFormat is "pem" for a .pem file, else "json".
func keyringFormat(path, format string) (string, error) {
	switch format {
	case "json", "pem":
		return format, nil
	case "":
		if strings.EqualFold(filepath.Ext(path), ".pem") {
			return "pem", nil
		}
		return "json", nil
	}
	return "", fmt.Errorf("unknown format %q (json, pem)", format)
}

func exportKeyring(r *approval.Keyring, format string, private bool) ([]byte, error) {
	if format == "pem" {
		return r.ExportPEM(private)
	}
	data, err := r.ExportJSON(private)
	return append(data, '\n'), err
}

const newSigningKeyUsage = `usage: approvalctl keys new-signing-key --keyring FILE [--id KID] [--format json|pem] [--public FILE]

Generate an Ed25519 signing key. When FILE exists the key is added to it and
becomes the signer (rotation: remove the old key once its tokens expired);
otherwise FILE is created (mode 0600). --public also writes the public
keys, for services that only verify.

flags:
`

func runKeysNewSigningKey(e *env) int {
	fs := keysFlagSet("new-signing-key", newSigningKeyUsage, e)
	path := fs.String("keyring", "", "keyring file (required)")
	id := fs.String("id", "", "key id (kid); random when empty")
	format := fs.String("format", "", "json or pem (default: from the file name)")
	public := fs.String("public", "", "also write the public keyring here")
	pos, code, ok := parseKeysFlags(fs, e.args)
	if !ok {
		return code
	}
	if *path == "" || len(pos) != 0 {
		fs.Usage()
		return 1
	}
	f, err := keyringFormat(*path, *format)
	if err != nil {
		return keysFail(e, err)
	}
	var ring *approval.Keyring
	if _, statErr := os.Stat(*path); statErr == nil {
		if ring, err = approval.LoadKeyring(*path); err != nil {
			return keysFail(e, err)
		}
	} else if errors.Is(statErr, os.ErrNotExist) {
		if ring, err = approval.NewKeyring(); err != nil {
			return keysFail(e, err)
		}
	} else {
		return keysFail(e, statErr)
	}
	sk, err := approval.NewSigningKey(*id)
	if err != nil {
		return keysFail(e, err)
	}
	if err := ring.Add(sk); err != nil {
		return keysFail(e, err)
	}
	if err := ring.SetSigner(sk.ID); err != nil {
		return keysFail(e, err)
	}
	data, err := exportKeyring(ring, f, true)
	if err != nil {
		return keysFail(e, err)
	}
	if err := writeFileAtomic(*path, data, 0o600); err != nil {
		return keysFail(e, err)
	}
	if *public != "" {
		pf, err := keyringFormat(*public, *format)
		if err != nil {
			return keysFail(e, err)
		}
		pub, err := exportKeyring(ring, pf, false)
		if err != nil {
			return keysFail(e, err)
		}
		if err := writeFileAtomic(*public, pub, 0o644); err != nil {
			return keysFail(e, err)
		}
	}
	return writeOrFail(e, map[string]any{"kid": sk.ID, "keyring": *path, "signer": ring.Signer(), "keys": ring.KeyIDs()})
}

// writeFileAtomic writes through a temporary file and a rename, so a
// keyring is never half written.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".approvalctl-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

const issueUsage = `usage: approvalctl keys issue --keyring FILE --ttl 8h [--role R] [--scope S]... [--label K=V]...
                           [--session S] [--subject S] [--id ID] [--not-before RFC3339]

Print a provisioning token signed by the keyring's signer. Every token
expires: --ttl is required to be positive.

flags:
`

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runKeysIssue(e *env) int {
	fs := keysFlagSet("issue", issueUsage, e)
	path := fs.String("keyring", "", "keyring file with a signing key (required)")
	ttl := fs.Duration("ttl", 8*time.Hour, "lifetime of the key")
	role := fs.String("role", "", "role")
	session := fs.String("session", "", "session id")
	subject := fs.String("subject", "", "who holds the key")
	id := fs.String("id", "", "key id (jti), used for revocation; random when empty")
	notBefore := fs.String("not-before", "", "start of validity (RFC 3339)")
	var scopes, labels stringList
	fs.Var(&scopes, "scope", "scope (repeatable)")
	fs.Var(&labels, "label", "label KEY=VALUE (repeatable)")
	pos, code, ok := parseKeysFlags(fs, e.args)
	if !ok {
		return code
	}
	if *path == "" || len(pos) != 0 {
		fs.Usage()
		return 1
	}
	ring, err := approval.LoadKeyring(*path)
	if err != nil {
		return keysFail(e, err)
	}
	spec := approval.TokenSpec{ID: *id, Subject: *subject, Role: *role, Scopes: scopes, Session: *session, TTL: *ttl}
	if len(labels) > 0 {
		spec.Labels = make(map[string]string, len(labels))
		for _, l := range labels {
			k, v, found := strings.Cut(l, "=")
			if !found || k == "" {
				return keysFail(e, fmt.Errorf("--label %q: want KEY=VALUE", l))
			}
			spec.Labels[k] = v
		}
	}
	if *notBefore != "" {
		if spec.NotBefore, err = time.Parse(time.RFC3339, *notBefore); err != nil {
			return keysFail(e, fmt.Errorf("--not-before: %v", err))
		}
	}
	tok, err := ring.Issue(spec)
	if err != nil {
		return keysFail(e, err)
	}
	fmt.Fprintln(e.stdout, tok)
	return 0
}

const inspectUsage = `usage: approvalctl keys inspect [--keyring FILE] TOKEN|-

Show a token's header and claims (read from stdin with "-"). Without
--keyring nothing is verified. With it, the signature is verified and the
key judged against the current time. The token itself is never printed,
only its hash. Exit status 0 when decoded (and, with --keyring, valid).

flags:
`

type inspectOutput struct {
	Token    string         `json:"token"` // hash only
	Header   map[string]any `json:"header,omitempty"`
	Claims   map[string]any `json:"claims,omitempty"`
	Verified bool           `json:"verified"`
	Status   string         `json:"status"` // decoded, valid, expired, not-yet-valid, invalid, malformed
	Error    string         `json:"error,omitempty"`
}

func runKeysInspect(e *env) int {
	fs := keysFlagSet("inspect", inspectUsage, e)
	path := fs.String("keyring", "", "keyring to verify with")
	pos, code, ok := parseKeysFlags(fs, e.args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return 1
	}
	tok := pos[0]
	if tok == "-" {
		data, err := io.ReadAll(io.LimitReader(e.stdin, 1<<20))
		if err != nil {
			return keysFail(e, err)
		}
		tok = strings.TrimSpace(string(data))
	}
	out := inspectOutput{Token: approval.TokenHash(tok), Status: "decoded"}
	claims := jwt.MapClaims{}
	t, _, err := jwt.NewParser().ParseUnverified(tok, claims)
	if err != nil {
		out.Status, out.Error = "malformed", "not a well-formed JWT"
		_ = writeJSON(e.stdout, out)
		return 1
	}
	out.Header, out.Claims = t.Header, claims
	if *path == "" {
		return writeOrFail(e, out)
	}
	ring, err := approval.LoadKeyring(*path)
	if err != nil {
		return keysFail(e, err)
	}
	k, err := ring.Verify(context.Background(), tok)
	if err != nil {
		out.Status, out.Error = "invalid", err.Error()
		_ = writeJSON(e.stdout, out)
		return 1
	}
	out.Verified = true
	switch err := k.ValidAt(time.Now(), 0); {
	case errors.Is(err, approval.ErrKeyExpired):
		out.Status = "expired"
	case errors.Is(err, approval.ErrKeyNotYetValid):
		out.Status = "not-yet-valid"
	default:
		out.Status = "valid"
	}
	if code := writeOrFail(e, out); code != 0 {
		return code
	}
	if out.Status != "valid" {
		return 1
	}
	return 0
}

const publicUsage = `usage: approvalctl keys public --keyring FILE [--format json|pem]

Print the keyring's public keys, for services that verify tokens.

flags:
`

func runKeysPublic(e *env) int {
	fs := keysFlagSet("public", publicUsage, e)
	path := fs.String("keyring", "", "keyring file (required)")
	format := fs.String("format", "json", "json or pem")
	pos, code, ok := parseKeysFlags(fs, e.args)
	if !ok {
		return code
	}
	if *path == "" || len(pos) != 0 {
		fs.Usage()
		return 1
	}
	ring, err := approval.LoadKeyring(*path)
	if err != nil {
		return keysFail(e, err)
	}
	f, err := keyringFormat("", *format)
	if err != nil {
		return keysFail(e, err)
	}
	data, err := exportKeyring(ring, f, false)
	if err != nil {
		return keysFail(e, err)
	}
	_, err = e.stdout.Write(data)
	if err != nil {
		return keysFail(e, err)
	}
	return 0
}

func keysFail(e *env, err error) int {
	fmt.Fprintln(e.stderr, "approvalctl keys:", err)
	return 1
}

func writeOrFail(e *env, v any) int {
	if err := writeJSON(e.stdout, v); err != nil {
		return keysFail(e, err)
	}
	return 0
}
