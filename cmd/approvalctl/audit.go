package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/store/postgres"
)

// exit codes of "audit verify"
const (
	auditIntact   = 0
	auditTampered = 3
)

func runAudit(e *env) int {
	if len(e.args) == 0 {
		fmt.Fprintln(e.stderr, "usage: approvalctl audit tail|verify ...")
		return 2
	}
	sub := *e
	sub.args = e.args[1:]
	switch e.args[0] {
	case "tail":
		return runAuditTail(&sub)
	case "verify":
		return runAuditVerify(&sub)
	}
	fmt.Fprintf(e.stderr, "approvalctl audit: unknown subcommand %q (want tail or verify)\n", e.args[0])
	return 2
}

func runAuditTail(e *env) int {
	fs := flag.NewFlagSet("audit tail", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	file := fs.String("file", "", "audit file (JSON Lines)")
	store := fs.String("store", "", "PostgreSQL DSN: read the approvedsql_audit table instead")
	n := fs.Int("n", 20, "number of records")
	asJSON := fs.Bool("json", false, "print JSON Lines instead of a table")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: approvalctl audit tail (--file FILE | --store DSN | FILE) [-n 20] [--json]")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return 2
	}
	if len(pos) == 1 && *file == "" {
		*file = pos[0]
	} else if len(pos) > 0 {
		fs.Usage()
		return 2
	}
	if *n <= 0 {
		return cmdFail(e, "audit tail", errors.New("-n must be positive"))
	}
	var recs []approval.Record
	switch {
	case *file != "" && *store == "":
		recs, err = tailFile(*file, *n)
	case *store != "" && *file == "":
		if !isPostgresDSN(*store) {
			return cmdFail(e, "audit tail", errors.New("--store must be a PostgreSQL DSN (for a file use --file)"))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		var st *postgres.Store
		if st, err = postgres.Open(ctx, *store); err == nil {
			recs, err = st.TailAudit(ctx, *n)
			st.Close()
		}
	default:
		fs.Usage()
		return 2
	}
	if err != nil {
		return cmdFail(e, "audit tail", err)
	}
	if *asJSON {
		for i := range recs {
			e.stdout.Write(approval.EncodeAuditRecord(&recs[i]))
		}
		return 0
	}
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "TIME\tDECISION\tRULE\tKEY\tROLE\tLATENCY\tSTATEMENT\tREASON")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", fmtTime(r.Time), cell(r.Decision, 14), cell(r.Rule, 24),
			cell(r.KeyID, 20), cell(r.Role, 12), r.Latency, cell(r.Text, 60), cell(r.Reason, 50))
	}
	tw.Flush()
	return 0
}

// tailFile returns the last n records of an audit file.
func tailFile(path string, n int) ([]approval.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ring := make([][]byte, 0, n)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := bytes.Clone(sc.Bytes())
		if len(ring) == n {
			ring = append(ring[1:], line)
		} else {
			ring = append(ring, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	out := make([]approval.Record, 0, len(ring))
	for _, l := range ring {
		r, err := approval.DecodeAuditRecord(l)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, nil
}

func runAuditVerify(e *env) int {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	rotated := fs.Bool("rotated", false, "verify FILE together with its rotated files FILE.1, FILE.2, … as one chain")
	store := fs.String("store", "", "PostgreSQL DSN: verify the chains in the approvedsql_audit table instead")
	instance := fs.String("instance", "", "with --store: only this instance's chain (default: every chain)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: approvalctl audit verify [--rotated] FILE... | --store DSN [--instance NAME]\n\nCheck the hash chain of audit files (given oldest first) or of the audit table.\nExit 0 intact, 3 tampered (with the file and line), 1 error.")
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, e.args)
	if err != nil {
		return 2
	}
	if *store != "" {
		if len(files) != 0 || *rotated || !isPostgresDSN(*store) {
			fs.Usage()
			return 2
		}
		return verifyAuditTable(e, *store, *instance)
	}
	if len(files) == 0 || (*rotated && len(files) != 1) || *instance != "" {
		fs.Usage()
		return 2
	}
	if *rotated {
		files = approval.AuditFiles(files[0])
		if len(files) == 0 {
			return cmdFail(e, "audit verify", fmt.Errorf("no audit files at %s", fs.Arg(0)))
		}
	}
	n, err := approval.VerifyAuditFiles(files...)
	if errors.Is(err, approval.ErrAuditTampered) {
		fmt.Fprintf(e.stdout, "TAMPERED: %v\n", strings.TrimPrefix(err.Error(), "approval: "))
		return auditTampered
	}
	if err != nil {
		return cmdFail(e, "audit verify", err)
	}
	fmt.Fprintf(e.stdout, "ok: %d record(s) in %d file(s), hash chain intact\n", n, len(files))
	return auditIntact
}

// verifyAuditTable verifies each instance's chain in the audit table; a
// line number is the record's position in its instance's chain.
func verifyAuditTable(e *env, dsn, only string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		return cmdFail(e, "audit verify", err)
	}
	defer st.Close()
	instances := []string{only}
	if only == "" {
		if instances, err = st.AuditInstances(ctx); err != nil {
			return cmdFail(e, "audit verify", err)
		}
	}
	code := auditIntact
	for _, in := range instances {
		// stream the chain through the verifier: the table may be large
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(st.AuditChain(ctx, in, pw)) }()
		cr := &lineCounter{r: pr}
		err := approval.VerifyAuditLog(cr)
		pr.CloseWithError(io.ErrClosedPipe) // stop the reader early on tampering
		n := cr.lines
		switch {
		case errors.Is(err, approval.ErrAuditTampered):
			fmt.Fprintf(e.stdout, "TAMPERED: instance %s: %v\n", in, strings.TrimPrefix(err.Error(), "approval: audit log "))
			code = auditTampered
		case err != nil:
			return cmdFail(e, "audit verify", err)
		case n == 0:
			fmt.Fprintf(e.stdout, "instance %s: no records\n", in)
		default:
			fmt.Fprintf(e.stdout, "ok: instance %s: %d record(s), hash chain intact\n", in, n)
		}
	}
	return code
}

// lineCounter counts the newlines read through it.
type lineCounter struct {
	r     io.Reader
	lines int
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.lines += bytes.Count(p[:n], []byte("\n"))
	return n, err
}
