package cel

import (
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// Default input caps; see [Limits].
const (
	DefaultMaxArgs         = 1024
	DefaultMaxArgLength    = 1 << 20 // 1 MiB
	DefaultMaxTextLength   = 1 << 20 // 1 MiB
	DefaultMaxStringLength = 4096
	DefaultMaxListLength   = 1024
	DefaultMaxMapSize      = 64
)

// The names of the caps, as reported in [LimitError.Cap].
const (
	CapArgs         = "max_args"          // len(args) + len(named_args)
	CapArgLength    = "max_arg_length"    // bytes of one string or []byte argument, elements of list arguments
	CapTextLength   = "max_text_length"   // bytes of query.text and of each query.literals element
	CapStringLength = "max_string_length" // bytes of every other string variable, list element, map key or value
	CapListLength   = "max_list_length"   // elements of a list variable or of a list argument
	CapMapSize      = "max_map_size"      // entries of key.labels and source.labels
	CapArgType      = "arg_type"          // an argument of a type rules cannot read
)

// Limits caps the size of an [Input]. The static cost of each rule is
// estimated with every input at its cap, so an input over a cap must be
// rejected (by [Limits.Check]) before it is evaluated: the cost bound would
// not hold for it.
type Limits struct {
	// MaxArgs caps the number of arguments, positional plus named.
	// Default DefaultMaxArgs (1024).
	MaxArgs int
	// MaxArgLength caps the bytes of one string or []byte argument (and of
	// each string element of a list argument). Default DefaultMaxArgLength (1 MiB).
	MaxArgLength int
	// MaxTextLength caps the bytes of query.text and of each element of
	// query.literals. Default DefaultMaxTextLength (1 MiB).
	MaxTextLength int
	// MaxStringLength caps the bytes of every other string: query.*,
	// key.*, source.* strings, elements of query.tables, query.functions and
	// key.scopes, label keys and values, named argument names.
	// Default DefaultMaxStringLength (4096).
	MaxStringLength int
	// MaxListLength caps the elements of query.tables, query.functions,
	// query.literals, key.scopes and of a list argument.
	// Default DefaultMaxListLength (1024).
	MaxListLength int
	// MaxMapSize caps the entries of key.labels and source.labels.
	// Default DefaultMaxMapSize (64).
	MaxMapSize int
}

// DefaultLimits returns the default caps.
func DefaultLimits() Limits {
	return Limits{
		MaxArgs:         DefaultMaxArgs,
		MaxArgLength:    DefaultMaxArgLength,
		MaxTextLength:   DefaultMaxTextLength,
		MaxStringLength: DefaultMaxStringLength,
		MaxListLength:   DefaultMaxListLength,
		MaxMapSize:      DefaultMaxMapSize,
	}
}

func (l Limits) validate() error {
	for _, c := range []struct {
		name string
		v    int
	}{
		{CapArgs, l.MaxArgs}, {CapArgLength, l.MaxArgLength}, {CapTextLength, l.MaxTextLength},
		{CapStringLength, l.MaxStringLength}, {CapListLength, l.MaxListLength}, {CapMapSize, l.MaxMapSize},
	} {
		if c.v <= 0 {
			return fmt.Errorf("cel: limit %s must be positive, got %d", c.name, c.v)
		}
	}
	return nil
}

// ErrLimit is matched (with errors.Is) by every [*LimitError].
var ErrLimit = errors.New("cel: input over a cap")

// LimitError reports the first cap an input exceeds.
type LimitError struct {
	Cap   string // one of the Cap… names
	Field string // the variable concerned: "query.tables", "args[3]", "named_args.id", ...
	Limit int    // the cap (0 for CapArgType)
	Got   int    // the size found (0 for CapArgType)
	Type  string // for CapArgType: the Go type of the argument
}

// Error implements error.
func (e *LimitError) Error() string {
	if e.Cap == CapArgType {
		return fmt.Sprintf("cel: %s has type %s, which rules cannot read", e.Field, e.Type)
	}
	return fmt.Sprintf("cel: %s is over the %s cap: %d > %d", e.Field, e.Cap, e.Got, e.Limit)
}

// Unwrap returns ErrLimit.
func (e *LimitError) Unwrap() error { return ErrLimit }

// Check reports the first cap in exceeds as a *LimitError, or nil. It
// also refuses arguments of types that rules cannot read (CapArgType):
// accepted are nil, bool, integers, floats, string, []byte, time.Time and
// slices of these. An Input without a Query is an error (ErrNoStatement).
// Check does not allocate when in is within the caps.
func (l Limits) Check(in *Input) error {
	if in == nil || in.Query == nil {
		return ErrNoStatement
	}
	if l.within(in) {
		return nil
	}
	return l.full(in)
}

// CheckSameStatement is Check for an input whose statement (in.Query, the
// same pointer) already passed Check under these limits: the statement's
// facts are not measured again. Statements are immutable, so the answer
// is Check's.
func (l *Limits) CheckSameStatement(in *Input) error {
	if in == nil || in.Query == nil {
		return ErrNoStatement
	}
	if l.callWithin(in) {
		return nil
	}
	return l.full(in)
}

// full is Check without the quick path: it walks every part of in and
// reports the first cap crossed.
func (l Limits) full(in *Input) error {
	q := in.Query
	if err := l.text("query.text", q.Text); err != nil {
		return err
	}
	for _, f := range [...]struct {
		name string
		v    string
	}{
		{"query.fingerprint", q.Fingerprint}, {"query.command", q.Command}, {"query.object", q.Object},
		{"query.dialect", string(q.Dialect)},
		{"key.id", in.Key.ID}, {"key.subject", in.Key.Subject}, {"key.role", in.Key.Role}, {"key.session", in.Key.Session},
		{"source.app", in.Source.App}, {"source.service", in.Source.Service}, {"source.address", in.Source.Address},
		{"source.route", in.Source.Route},
	} {
		if err := l.str(f.name, f.v); err != nil {
			return err
		}
	}
	for _, f := range [...]struct {
		name string
		v    []string
		text bool
	}{
		{"query.tables", q.Tables, false}, {"query.functions", q.Functions, false},
		{"query.literals", q.Literals, true}, {"key.scopes", in.Key.Scopes, false},
	} {
		if len(f.v) > l.MaxListLength {
			return &LimitError{Cap: CapListLength, Field: f.name, Limit: l.MaxListLength, Got: len(f.v)}
		}
		for _, s := range f.v {
			var err error
			if f.text {
				err = l.text(f.name, s)
			} else {
				err = l.str(f.name, s)
			}
			if err != nil {
				return err
			}
		}
	}
	if err := l.labels("key.labels", in.Key.Labels); err != nil {
		return err
	}
	if err := l.labels("source.labels", in.Source.Labels); err != nil {
		return err
	}
	if n := len(in.Args) + len(in.NamedArgs); n > l.MaxArgs {
		return &LimitError{Cap: CapArgs, Field: "args", Limit: l.MaxArgs, Got: n}
	}
	for i, a := range in.Args {
		if err := l.arg(a, "args", i, ""); err != nil {
			return err
		}
	}
	for name, a := range in.NamedArgs {
		if err := l.str("named_args", name); err != nil {
			return err
		}
		if err := l.arg(a, "named_args", -1, name); err != nil {
			return err
		}
	}
	return nil
}

// within reports whether every part of in is under its cap, for the
// common inputs, without building anything; false sends Check down the
// path that finds the first cap crossed and reports it (it may also find
// none: within gives up on argument types it does not list).
func (l *Limits) within(in *Input) bool {
	return l.statementWithin(in.Query) && l.callWithin(in)
}

// statementWithin is within's part for the statement's facts: the same
// for every call of one statement.
func (l *Limits) statementWithin(q *sqlnorm.Statement) bool {
	ms := l.MaxStringLength
	if len(q.Text) > l.MaxTextLength ||
		len(q.Fingerprint) > ms || len(q.Command) > ms || len(q.Object) > ms || len(q.Dialect) > ms ||
		len(q.Tables) > l.MaxListLength || len(q.Functions) > l.MaxListLength || len(q.Literals) > l.MaxListLength {
		return false
	}
	for _, list := range [...][]string{q.Tables, q.Functions} {
		for _, s := range list {
			if len(s) > ms {
				return false
			}
		}
	}
	for _, s := range q.Literals {
		if len(s) > l.MaxTextLength {
			return false
		}
	}
	return true
}

// callWithin is within's part for the rest: key, source and arguments.
func (l *Limits) callWithin(in *Input) bool {
	k, src := &in.Key, &in.Source
	ms := l.MaxStringLength
	if len(k.ID) > ms || len(k.Subject) > ms || len(k.Role) > ms || len(k.Session) > ms ||
		len(src.App) > ms || len(src.Service) > ms || len(src.Address) > ms || len(src.Route) > ms ||
		len(k.Scopes) > l.MaxListLength ||
		len(k.Labels) > l.MaxMapSize || len(src.Labels) > l.MaxMapSize ||
		len(in.Args)+len(in.NamedArgs) > l.MaxArgs || len(in.NamedArgs) > 0 {
		return false
	}
	for _, s := range k.Scopes {
		if len(s) > ms {
			return false
		}
	}
	for _, m := range [...]map[string]string{k.Labels, src.Labels} {
		if len(m) == 0 {
			continue // ranging over a map costs its iterator's setup even when empty
		}
		for key, v := range m {
			if len(key) > ms || len(v) > ms {
				return false
			}
		}
	}
	for _, a := range in.Args {
		switch v := a.(type) {
		case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
			float32, float64, time.Time: // the scalars arg accepts
		case string:
			if len(v) > l.MaxArgLength {
				return false
			}
		case []byte:
			if len(v) > l.MaxArgLength {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func (l Limits) text(field, s string) error {
	if len(s) > l.MaxTextLength {
		return &LimitError{Cap: CapTextLength, Field: field, Limit: l.MaxTextLength, Got: len(s)}
	}
	return nil
}

func (l Limits) str(field, s string) error {
	if len(s) > l.MaxStringLength {
		return &LimitError{Cap: CapStringLength, Field: field, Limit: l.MaxStringLength, Got: len(s)}
	}
	return nil
}

func (l Limits) labels(field string, m map[string]string) error {
	if len(m) > l.MaxMapSize {
		return &LimitError{Cap: CapMapSize, Field: field, Limit: l.MaxMapSize, Got: len(m)}
	}
	for k, v := range m {
		if err := l.str(field, k); err != nil {
			return err
		}
		if err := l.str(field, v); err != nil {
			return err
		}
	}
	return nil
}

// argField names one argument; it allocates only on the error path.
func argField(kind string, i int, name string) string {
	if i >= 0 {
		return fmt.Sprintf("%s[%d]", kind, i)
	}
	return kind + "." + name
}

func (l Limits) arg(a any, kind string, i int, name string) error {
	switch v := a.(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		float32, float64, time.Time:
		return nil
	case string:
		if len(v) > l.MaxArgLength {
			return &LimitError{Cap: CapArgLength, Field: argField(kind, i, name), Limit: l.MaxArgLength, Got: len(v)}
		}
		return nil
	case []byte:
		if len(v) > l.MaxArgLength {
			return &LimitError{Cap: CapArgLength, Field: argField(kind, i, name), Limit: l.MaxArgLength, Got: len(v)}
		}
		return nil
	}
	rv := reflect.ValueOf(a)
	if rv.Kind() == reflect.Slice {
		if rv.Len() > l.MaxListLength {
			return &LimitError{Cap: CapListLength, Field: argField(kind, i, name), Limit: l.MaxListLength, Got: rv.Len()}
		}
		for j := 0; j < rv.Len(); j++ {
			el := rv.Index(j).Interface()
			if _, nested := el.([]byte); !nested && reflect.TypeOf(el) != nil && reflect.TypeOf(el).Kind() == reflect.Slice {
				return &LimitError{Cap: CapArgType, Field: argField(kind, i, name), Type: fmt.Sprintf("%T", a)}
			}
			if err := l.arg(el, kind, i, name); err != nil {
				return err
			}
		}
		return nil
	}
	return &LimitError{Cap: CapArgType, Field: argField(kind, i, name), Type: fmt.Sprintf("%T", a)}
}
