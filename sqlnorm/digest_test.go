package sqlnorm_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// Fingerprints are stable across releases: a change to the lexer, the
// analyser or the renderer (an optimisation above all) must not change any
// output for any input unless FingerprintVersion changes with it.
// TestCorpusOutputDigests pins every output — canonical text, fingerprint,
// facts, or the rejection's kind, offset and reason — for every corpus
// input under every dialect and setting combination, as one SHA-256 per
// corpus file and mode in testdata/output_digests.txt. A mismatch names the
// file and mode whose outputs changed.
//
// After an intended change of outputs (with a new FingerprintVersion),
// regenerate the file with
//
//	go test ./sqlnorm/ -run TestCorpusOutputDigests -update-output-digests

var updateOutputDigests = flag.Bool("update-output-digests", false, "rewrite testdata/output_digests.txt")

const outputDigestsFile = "testdata/output_digests.txt"

// digestGroups returns the corpus inputs grouped by source file.
func digestGroups(tb testing.TB) map[string][]string {
	tb.Helper()
	groups := map[string][]string{}
	addQ := func(qs []corpusQuery) {
		for _, q := range qs {
			g := q.name
			if i := strings.LastIndexByte(g, ':'); i >= 0 && strings.HasPrefix(g, "pg_regress/") {
				g = g[:i]
			} else if strings.HasPrefix(g, "go_sqllexer/") {
				g = filepath.ToSlash(filepath.Dir(g))
			} else if strings.HasPrefix(g, "desync/") {
				g = "desync"
			}
			groups[g] = append(groups[g], q.sql)
		}
	}
	addQ(loadGoSQLLexer(tb, "postgresql", sqlnorm.Options{Dialect: sqlnorm.Postgres}))
	addQ(loadGoSQLLexer(tb, "mysql", sqlnorm.Options{Dialect: sqlnorm.MySQL}))
	addQ(loadPGRegress(tb))
	addQ(loadDesyncCases(tb))
	for _, p := range loadLibinjection(tb) {
		g := p.name[:strings.LastIndexByte(p.name, ':')]
		groups[g] = append(groups[g], libinjectionTemplate(p.payload))
	}
	return groups
}

// writeOutput appends a complete, unambiguous record of Normalize's answer.
func writeOutput(b *bytes.Buffer, st *sqlnorm.Statement, err error) {
	if err != nil {
		var e *sqlnorm.Error
		if !errors.As(err, &e) {
			fmt.Fprintf(b, "E?%q\n", err.Error())
			return
		}
		fmt.Fprintf(b, "E%d@%d:%q\n", e.Kind, e.Offset, e.Reason)
		return
	}
	fmt.Fprintf(b, "S%q %q %q %q %q %t %t %d", st.Dialect, st.Text, st.Fingerprint, st.Command, st.Object,
		st.ReadOnly, st.HasWhere, st.Params)
	for _, l := range [...][]string{st.Tables, st.Functions, st.Literals} {
		b.WriteString(" [" + strconv.Itoa(len(l)))
		for _, x := range l {
			b.WriteString(" " + strconv.Quote(x))
		}
		b.WriteString("]")
	}
	b.WriteByte('\n')
}

func computeOutputDigests(tb testing.TB) map[string]string {
	tb.Helper()
	out := map[string]string{}
	var b bytes.Buffer
	for g, inputs := range digestGroups(tb) {
		for m, o := range fuzzModes {
			b.Reset()
			for _, sql := range inputs {
				st, err := sqlnorm.Normalize(o, sql)
				writeOutput(&b, st, err)
			}
			sum := sha256.Sum256(b.Bytes())
			out[g+" mode"+strconv.Itoa(m)] = fmt.Sprintf("%d %s", len(inputs), hex.EncodeToString(sum[:16]))
		}
	}
	return out
}

func TestCorpusOutputDigests(t *testing.T) {
	got := computeOutputDigests(t)
	if *updateOutputDigests {
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b bytes.Buffer
		b.WriteString("# SHA-256 (first 16 bytes) of every Normalize output per corpus file and fuzz mode;\n")
		b.WriteString("# see digest_test.go. Format: group mode inputs digest\n")
		for _, k := range keys {
			b.WriteString(k + " " + got[k] + "\n")
		}
		if err := os.WriteFile(outputDigestsFile, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d digests to %s", len(keys), outputDigestsFile)
		return
	}
	f, err := os.Open(outputDigestsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) != 4 {
			t.Fatalf("%s: malformed line %q", outputDigestsFile, line)
		}
		want[fs[0]+" "+fs[1]] = fs[2] + " " + fs[3]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatalf("%s holds no digests", outputDigestsFile)
	}
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s: no longer in the corpora", k)
		case g != w:
			t.Errorf("%s: outputs changed (inputs and digest %s, pinned %s)", k, g, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: not pinned in %s", k, outputDigestsFile)
		}
	}
}
