package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/approvaltest/casefile"
)

// TestREADMEPolicy keeps the policy shown in the README loadable and true to
// what the README says about it.
func TestREADMEPolicy(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(readme), "## A policy")
	require.True(t, ok, "README has no '## A policy' section")
	_, block, ok := strings.Cut(after, "```yaml\n")
	require.True(t, ok, "no yaml block in the README's policy section")
	block, _, ok = strings.Cut(block, "```")
	require.True(t, ok)

	p, err := approval.ParsePolicy([]byte(block), "README.md")
	require.NoError(t, err)
	f, err := casefile.Load("testdata/readme_cases.yaml")
	require.NoError(t, err)
	rep, err := casefile.Run(context.Background(), p, f)
	require.NoError(t, err)
	for _, r := range rep.Results {
		if !r.Passed() {
			t.Error("\n" + r.String())
		}
	}
}

// yamlBlocks returns the ```yaml blocks of a Markdown file.
func yamlBlocks(tb testing.TB, path string) []string {
	tb.Helper()
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	var out []string
	rest := string(data)
	for {
		_, after, ok := strings.Cut(rest, "```yaml\n")
		if !ok {
			return out
		}
		block, tail, ok := strings.Cut(after, "```")
		require.True(tb, ok, "unterminated yaml block in %s", path)
		out = append(out, block)
		rest = tail
	}
}

// TestDocsPolicyLanguage keeps the YAML of docs/policy-language.md true: the
// full policy loads, the patterns load and decide as their cases say, the
// cases example parses.
func TestDocsPolicyLanguage(t *testing.T) {
	blocks := yamlBlocks(t, "../../docs/policy-language.md")
	require.Len(t, blocks, 3, "the page's yaml blocks: a policy, patterns, cases")

	_, err := approval.ParsePolicy([]byte(blocks[0]), "policy-language.md#file")
	require.NoError(t, err)

	patterns, err := approval.ParsePolicy([]byte("version: \"docs\"\ndialect: postgres\n"+
		strings.ReplaceAll(blocks[1], `"v1:…"`, `"v1:0"`)), "policy-language.md#patterns")
	require.NoError(t, err)
	f, err := casefile.Load("testdata/docs_patterns_cases.yaml")
	require.NoError(t, err)
	rep, err := casefile.Run(context.Background(), patterns, f)
	require.NoError(t, err)
	for _, r := range rep.Results {
		if !r.Passed() {
			t.Error("\n" + r.String())
		}
	}

	_, err = casefile.Parse([]byte(blocks[2]), "policy-language.md#cases")
	require.NoError(t, err)
}
