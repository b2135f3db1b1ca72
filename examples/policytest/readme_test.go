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
