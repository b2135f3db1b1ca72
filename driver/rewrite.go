package driver

import (
	"context"

	sqldriver "database/sql/driver"
)

// Call is one call as the Gate judges it and the inner driver runs it.
type Call struct {
	// Query is the text to decide and to run.
	Query string
	// Args are the user's arguments: decided and passed on.
	Args []sqldriver.NamedValue
	// Options are driver options carried as arguments (pgx's
	// QueryExecMode): passed to the inner driver before Args, never shown
	// to the Gate as arguments.
	Options []sqldriver.NamedValue
}

// Rewriter separates driver options from user arguments, or rewrites a
// call into the exact text and arguments the inner driver will run (pgx's
// NamedArgs), so that what is decided is what runs. A Rewriter must refuse
// (return an error) anything whose effect on the executed text it cannot
// reproduce. The error is returned to the caller as the cause of a denial.
type Rewriter interface {
	Rewrite(ctx context.Context, query string, args []sqldriver.NamedValue) (Call, error)
}

// RewriterFunc adapts a function to [Rewriter].
type RewriterFunc func(ctx context.Context, query string, args []sqldriver.NamedValue) (Call, error)

// Rewrite calls f.
func (f RewriterFunc) Rewrite(ctx context.Context, query string, args []sqldriver.NamedValue) (Call, error) {
	return f(ctx, query, args)
}

// rewrite applies the configured Rewriter, if any, into call (zero).
func (c *config) rewrite(ctx context.Context, query string, args []sqldriver.NamedValue, call *Call) error {
	if c.rewriter == nil {
		call.Query, call.Args = query, args
		return nil
	}
	var err error
	*call, err = c.rewriter.Rewrite(ctx, query, args)
	if err != nil {
		*call = Call{}
		return refusal("driver.rewrite", err.Error(), joinRewrite(err))
	}
	return nil
}

func joinRewrite(err error) error {
	if unsafeCause(err) {
		return ErrRewrite
	}
	return &rewriteError{err}
}

type rewriteError struct{ err error }

func (e *rewriteError) Error() string        { return e.err.Error() }
func (e *rewriteError) Unwrap() []error      { return []error{ErrRewrite, e.err} }
func (e *rewriteError) Is(target error) bool { return target == ErrRewrite }

// driverArgs returns the arguments for the inner driver: options first.
func (c *Call) driverArgs() []sqldriver.NamedValue {
	if len(c.Options) == 0 {
		return c.Args
	}
	out := make([]sqldriver.NamedValue, 0, len(c.Options)+len(c.Args))
	out = append(out, c.Options...)
	for _, a := range c.Args {
		a.Ordinal = len(out) + 1
		out = append(out, a)
	}
	return out
}
