package driver

import (
	"context"
	"io"

	sqldriver "database/sql/driver"

	"github.com/approvedsql/approvedsql/approval"
)

// NewConnector returns a connector, for sql.OpenDB, whose connections ask
// gate about every statement before base's connections run it. It
// implements io.Closer exactly when base does; its Driver method returns
// base's driver wrapped with the same gate and options. An invalid option
// makes every Connect fail with the option's error.
func NewConnector(base sqldriver.Connector, gate *approval.Gate, opts ...Option) sqldriver.Connector {
	cfg := newConfig(gateRef{gate: gate}, opts)
	return wrapConnector(base, nil, cfg)
}

func newConnectorDecider(base sqldriver.Connector, d decider, opts ...Option) sqldriver.Connector {
	return wrapConnector(base, nil, newConfig(gateRef{d: d}, opts))
}

// wrapConnector wraps base; drv is the wrapped driver to report, or nil to
// wrap base.Driver() lazily.
func wrapConnector(base sqldriver.Connector, d sqldriver.Driver, cfg *config) sqldriver.Connector {
	c := &connector{base: base, cfg: cfg, drv: d}
	if cl, ok := base.(io.Closer); ok {
		return &closingConnector{connector: c, closer: cl}
	}
	return c
}

type connector struct {
	base sqldriver.Connector
	cfg  *config
	drv  sqldriver.Driver
}

// Connect connects through the base connector, checks the new connection
// and wraps it.
func (c *connector) Connect(ctx context.Context) (sqldriver.Conn, error) {
	if c.cfg.err != nil {
		return nil, c.cfg.err
	}
	ci, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return c.cfg.adopt(ctx, ci)
}

// Driver returns the base connector's driver, wrapped.
func (c *connector) Driver() sqldriver.Driver {
	if c.drv != nil {
		return c.drv
	}
	return wrapDriver(c.base.Driver(), c.cfg)
}

// closingConnector forwards io.Closer (database/sql closes it in DB.Close).
type closingConnector struct {
	*connector
	closer io.Closer
}

var _ io.Closer = (*closingConnector)(nil)

// Close closes the base connector.
func (c *closingConnector) Close() error { return c.closer.Close() }
