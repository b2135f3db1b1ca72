package pgxscan

import "testing"

func TestMisreads(t *testing.T) {
	cases := []struct {
		query string
		want  bool
	}{
		{"SELECT * FROM t WHERE id = $1 AND name = 'some' AND b = E'it\\'s'", false},
		{`SELECT $1, $$ $2 $$, $tag$ x$1 $tag$, "a$b" /* x$1 /* e'\' */ */ -- x$1`, false},
		{"SELECT 'name''x', 1e5, $1", false},
		{"SELECT x.e'a', $1", false},
		{`SELECT name'\' || ' $1 --'`, true},
		{`SELECT 1 AS x$a$, $a$ $1 $a$`, true},
		{`SELECT 1 AS x$1`, true},
		{`SELECT 1 AS é$1`, true},
		{`SELECT 'x$1', "y$1", $1`, false},
		{"SELECT $1 -- e'\n, name'\\'", true},
		{"SELECT $1 /* unterminated", false},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			if got := Misreads(tc.query); got != tc.want {
				t.Errorf("Misreads = %v, want %v", got, tc.want)
			}
		})
	}
}
