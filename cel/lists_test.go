package cel

import "testing"

// TestWrappers checks that the allocation-free list and map wrappers give
// cel-go's own answers, on the fast paths and the delegated ones.
func TestWrappers(t *testing.T) {
	env := newTestEnv(t)
	in := testInput()
	in.Query.Tables = []string{"public.accounts", "public.users", "audit.log"}
	in.Key.Labels = map[string]string{"team": "payments", "tier": "gold", "empty": ""}
	in.NamedArgs = map[string]any{"id": int64(7), "name": "bob"}
	in.Args = []any{int64(100), "acct-7", []byte("raw"), 2.5, true, nil, testNow, int64(1 << 40), 7, uint64(3), []string{"a", "b"}}
	cases := []string{
		// lists of strings
		`query.tables.size() == 3 && size(query.tables) == 3`,
		`query.tables[0] == "public.accounts" && query.tables[2] == "audit.log"`,
		`"public.users" in query.tables && !("nope" in query.tables)`,
		`query.tables == ["public.accounts", "public.users", "audit.log"]`,
		`["public.accounts", "public.users", "audit.log"] == query.tables`,
		`query.tables != ["public.accounts"]`,
		`query.tables + ["x"] == ["public.accounts", "public.users", "audit.log", "x"]`,
		`["x"] + query.tables == ["x", "public.accounts", "public.users", "audit.log"]`,
		`query.tables.exists(t, t.startsWith("audit."))`,
		`query.tables.all(t, t.contains("."))`,
		`query.tables.exists_one(t, t == "public.users")`,
		`query.tables.filter(t, t.startsWith("public.")).size() == 2`,
		`query.tables.map(t, t.size()) == [15, 12, 9]`,
		`query.tables.exists(i, t, i == 2 && t == "audit.log")`,
		`query.tables.all(t, query.tables.exists(u, u == t))`,
		`sets.contains(query.tables, ["audit.log"])`,
		`query.tables.sort()[0] == "audit.log"`,
		`query.tables.join("|") == "public.accounts|public.users|audit.log"`,
		`dyn(query.tables)[1] == "public.users"`,
		// maps of strings
		`key.labels.team == "payments" && key.labels["tier"] == "gold" && key.labels.empty == ""`,
		`"team" in key.labels && !("owner" in key.labels)`,
		`key.labels.size() == 3`,
		`key.labels == {"team": "payments", "tier": "gold", "empty": ""}`,
		`key.labels.exists(k, k == "tier" && key.labels[k] == "gold")`,
		`key.labels.all(k, k.size() > 0)`,
		`key.labels.exists(k, v, k == "team" && v == "payments")`,
		`has(key.labels.team) && !has(key.labels.owner)`,
		`key.labels.team + "/" + key.labels.tier + "/" + key.labels.team == "payments/gold/payments"`,
		// args
		`args.size() == 11 && args[0] == 100 && args[1] == "acct-7" && args[2] == b"raw"`,
		`args[3] == 2.5 && args[4] && args[5] == null && args[6] == now`,
		`args[7] == 1099511627776 && args[8] == 7 && args[9] == 3u && args[10] == ["a", "b"]`,
		`"acct-7" in args && 100 in args`,
		`args.exists(a, type(a) == string && a.startsWith("acct-"))`,
		`args.filter(a, type(a) == int).size() == 3`,
		`args.exists(i, a, i == 1 && a == "acct-7")`,
		`string(args[1]) + "!" == "acct-7!"`,
		// named args
		`named_args.id == 7 && named_args["name"] == "bob" && named_args.size() == 2`,
		`"id" in named_args && !("other" in named_args)`,
		`named_args == {"id": dyn(7), "name": dyn("bob")}`,
		`named_args.exists(k, k == "name" && named_args[k] == "bob")`,
		`named_args.exists(k, v, k == "id" && v == 7)`,
		`has(named_args.id) && !has(named_args.other)`,
	}
	for _, rule := range cases {
		t.Run(rule, func(t *testing.T) {
			p := mustCompile(t, env, rule)
			for i := 0; i < 2; i++ { // the second run reuses a pooled activation
				if !mustEval(t, p, in) {
					t.Fatalf("run %d: false, want true", i)
				}
			}
		})
	}
	for _, rule := range []string{
		`query.tables[3] == ""`,
		`query.tables[-1] == ""`,
		`key.labels.owner == ""`,
		`key.labels["owner"] == ""`,
		`args[11] == 1`,
		`args[-1] == 1`,
		`named_args.other == 1`,
	} {
		t.Run("error/"+rule, func(t *testing.T) {
			if ok, err := mustCompile(t, env, rule).Eval(in); err == nil || ok {
				t.Errorf("Eval = %v, %v; want an error", ok, err)
			}
		})
	}
}
