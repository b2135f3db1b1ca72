package pgsession

import (
	"strings"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver"
)

// Check compares the values the server reports with what the lexer
// assumes; nonStandard is the lexer's NonStandardStrings option. It returns
// a *driver.SessionError or nil.
func Check(scs, encoding string, nonStandard bool) error {
	want := "on"
	if nonStandard {
		want = "off"
	}
	if !strings.EqualFold(strings.TrimSpace(scs), want) {
		return &driver.SessionError{Setting: "standard_conforming_strings", Value: scs, Want: want}
	}
	switch strings.ToUpper(strings.TrimSpace(encoding)) {
	case "UTF8", "UTF-8", "UNICODE":
		return nil
	}
	return &driver.SessionError{Setting: "client_encoding", Value: encoding, Want: "UTF8"}
}

// NonStandard reports the NonStandardStrings lexer option of the policy in
// force in g (false when it cannot be told: the server default).
func NonStandard(g *approval.Gate, err error) bool {
	if g == nil || err != nil {
		return false
	}
	p := g.Policy()
	if p == nil {
		return false
	}
	return p.Options().NonStandardStrings
}
