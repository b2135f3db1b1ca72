package driver

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"

	sqldriver "database/sql/driver"

	"github.com/approvedsql/approvedsql/approval"
)

// Wrap returns a driver that asks gate about every statement before base
// runs it. The wrapped driver implements driver.DriverContext exactly when
// base does. A nil gate is allowed only with [WithGateFunc]; otherwise every
// statement is denied with [approval.ErrNoPolicy]. An invalid option makes
// every Open fail with the option's error.
func Wrap(base sqldriver.Driver, gate *approval.Gate, opts ...Option) sqldriver.Driver {
	return wrapDriver(base, newConfig(gateRef{gate: gate}, opts))
}

// wrapDecider is Wrap with any decider (tests).
func wrapDecider(base sqldriver.Driver, d decider, opts ...Option) sqldriver.Driver {
	return wrapDriver(base, newConfig(gateRef{d: d}, opts))
}

func wrapDriver(base sqldriver.Driver, cfg *config) sqldriver.Driver {
	d := &drv{base: base, cfg: cfg}
	if dc, ok := base.(sqldriver.DriverContext); ok {
		return &drvCtx{drv: d, baseCtx: dc}
	}
	return d
}

// drv is a wrapped driver without DriverContext.
type drv struct {
	base sqldriver.Driver
	cfg  *config
}

// Open opens a connection of the base driver, checks it and wraps it.
func (d *drv) Open(name string) (sqldriver.Conn, error) {
	if d.cfg.err != nil {
		return nil, d.cfg.err
	}
	ci, err := d.base.Open(name)
	if err != nil {
		return nil, err
	}
	return d.cfg.adopt(context.Background(), ci)
}

// adopt runs the connect check on a new inner connection and wraps it.
func (cfg *config) adopt(ctx context.Context, ci sqldriver.Conn) (sqldriver.Conn, error) {
	var p *approval.Policy
	if cfg.connectCheck != nil {
		if cfg.recheckAfterWrites {
			p = cfg.gate.policy() // read before the check: a newer one makes ready check again
		}
		if err := cfg.connectCheck(ctx, ci); err != nil {
			ci.Close()
			return nil, err
		}
	}
	wc := wrapConn(ci, cfg)
	if c, ok := wc.(interface{ wrapped() *conn }); ok {
		c.wrapped().checked = p
	}
	return wc, nil
}

// drvCtx is a wrapped driver whose base implements DriverContext.
type drvCtx struct {
	*drv
	baseCtx sqldriver.DriverContext
}

var _ sqldriver.DriverContext = (*drvCtx)(nil)

// OpenConnector wraps the base driver's connector; its Driver method
// returns this wrapped driver.
func (d *drvCtx) OpenConnector(name string) (sqldriver.Connector, error) {
	if d.cfg.err != nil {
		return nil, d.cfg.err
	}
	bc, err := d.baseCtx.OpenConnector(name)
	if err != nil {
		return nil, err
	}
	return wrapConnector(bc, d, d.cfg), nil
}

var registerMu sync.Mutex

// Register wraps base with gate and registers it with database/sql under
// name. Unlike sql.Register it returns an error instead of panicking when
// name is taken, and it returns the first invalid option's error.
func Register(name string, base sqldriver.Driver, gate *approval.Gate, opts ...Option) error {
	cfg := newConfig(gateRef{gate: gate}, opts)
	if cfg.err != nil {
		return cfg.err
	}
	return register(name, wrapDriver(base, cfg))
}

func register(name string, d sqldriver.Driver) (err error) {
	if name == "" || d == nil {
		return fmt.Errorf("driver: Register needs a name and a driver")
	}
	registerMu.Lock()
	defer registerMu.Unlock()
	if slices.Contains(sql.Drivers(), name) {
		return fmt.Errorf("driver: a driver named %q is already registered", name)
	}
	defer func() {
		if r := recover(); r != nil { // registered concurrently by someone else
			err = fmt.Errorf("driver: registering %q: %v", name, r)
		}
	}()
	sql.Register(name, d)
	return nil
}
