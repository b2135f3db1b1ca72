package pgsession

import (
	"errors"
	"testing"

	"github.com/approvedsql/approvedsql/driver"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		scs, enc    string
		nonStandard bool
		bad         string // setting refused, "" for none
	}{
		{"on", "UTF8", false, ""},
		{"off", "UTF8", false, "standard_conforming_strings"},
		{"off", "UTF8", true, ""},
		{"on", "UTF8", true, "standard_conforming_strings"},
		{"", "UTF8", false, "standard_conforming_strings"},
		{"on", "LATIN1", false, "client_encoding"},
		{"on", "SQL_ASCII", false, "client_encoding"},
		{"on", "", false, "client_encoding"},
		{"on", "utf8", false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.scs+"/"+tc.enc, func(t *testing.T) {
			err := Check(tc.scs, tc.enc, tc.nonStandard)
			if tc.bad == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var se *driver.SessionError
			if !errors.As(err, &se) || se.Setting != tc.bad || !errors.Is(err, driver.ErrSessionChanged) {
				t.Fatalf("err = %v, want a SessionError for %s", err, tc.bad)
			}
		})
	}
}
