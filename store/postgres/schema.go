package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// migrations are applied in order; migration i brings the schema to
// version i+1. Never edit one that has shipped: append a new one.
var migrations = []string{
	// 1: grants, pending requests, revocations, change notification.
	`CREATE TABLE approvedsql_grants (
		id          text PRIMARY KEY,
		fingerprint text NOT NULL,
		text        text NOT NULL DEFAULT '',
		scope_kind  text NOT NULL CHECK (scope_kind IN ('key', 'role', 'session')),
		scope_value text NOT NULL CHECK (scope_value <> ''),
		valid_from  timestamptz NOT NULL,
		valid_until timestamptz NOT NULL,
		condition   text NOT NULL DEFAULT '',
		max_uses    bigint NOT NULL DEFAULT 0 CHECK (max_uses >= 0),
		uses        bigint NOT NULL DEFAULT 0,
		approved_by text NOT NULL DEFAULT '',
		reason      text NOT NULL DEFAULT '',
		request_id  text NOT NULL DEFAULT '',
		created     timestamptz NOT NULL,
		revoked_at  timestamptz,
		CHECK (valid_until > valid_from)
	);
	CREATE INDEX approvedsql_grants_fingerprint ON approvedsql_grants (fingerprint);
	CREATE TABLE approvedsql_pending (
		id          text PRIMARY KEY,
		fingerprint text NOT NULL,
		text        text NOT NULL DEFAULT '',
		args        jsonb NOT NULL DEFAULT '[]',
		key_id      text NOT NULL DEFAULT '',
		role        text NOT NULL DEFAULT '',
		session     text NOT NULL DEFAULT '',
		source      jsonb NOT NULL DEFAULT '{}',
		first_seen  timestamptz NOT NULL,
		last_seen   timestamptz NOT NULL,
		count       bigint NOT NULL,
		learned     boolean NOT NULL DEFAULT false
	);
	CREATE TABLE approvedsql_revocations (
		key_id text PRIMARY KEY,
		at     timestamptz NOT NULL,
		by     text NOT NULL DEFAULT '',
		reason text NOT NULL DEFAULT ''
	);
	CREATE FUNCTION approvedsql_notify() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		PERFORM pg_notify('approvedsql_changes', TG_TABLE_NAME);
		RETURN NULL;
	END $$;
	CREATE TRIGGER approvedsql_grants_insdel AFTER INSERT OR DELETE ON approvedsql_grants
		FOR EACH ROW EXECUTE FUNCTION approvedsql_notify();
	-- a use that does not use a grant up changes nothing other instances act on
	CREATE TRIGGER approvedsql_grants_upd AFTER UPDATE ON approvedsql_grants
		FOR EACH ROW WHEN (OLD.uses IS NOT DISTINCT FROM NEW.uses OR (NEW.max_uses > 0 AND NEW.uses >= NEW.max_uses))
		EXECUTE FUNCTION approvedsql_notify();
	CREATE TRIGGER approvedsql_revocations_chg AFTER INSERT OR UPDATE OR DELETE ON approvedsql_revocations
		FOR EACH ROW EXECUTE FUNCTION approvedsql_notify();`,
	// 2: the audit table.
	`CREATE TABLE approvedsql_audit (
		id             bigserial PRIMARY KEY,
		instance       text NOT NULL,
		time           timestamptz NOT NULL,
		decision       text NOT NULL,
		rule           text NOT NULL DEFAULT '',
		reason         text NOT NULL DEFAULT '',
		fingerprint    text NOT NULL DEFAULT '',
		text           text NOT NULL DEFAULT '',
		key_id         text NOT NULL DEFAULT '',
		role           text NOT NULL DEFAULT '',
		session        text NOT NULL DEFAULT '',
		source         jsonb NOT NULL DEFAULT '{}',
		args           jsonb NOT NULL DEFAULT '[]',
		policy_version text NOT NULL DEFAULT '',
		latency_ns     bigint NOT NULL DEFAULT 0,
		rows_affected  bigint NOT NULL DEFAULT -1,
		error_class    text NOT NULL DEFAULT '',
		prev           text NOT NULL,
		hash           text NOT NULL UNIQUE
	);
	CREATE INDEX approvedsql_audit_instance ON approvedsql_audit (instance, id);`,
}

// SchemaVersion is the schema version this package creates and expects.
var SchemaVersion = len(migrations)

// migrateLockID is the advisory lock serialising migrations.
const migrateLockID = 0x617070726f766564 // "approved"

// migrate brings the schema to SchemaVersion. A database with a newer
// schema than this package knows is refused.
func migrate(ctx context.Context, c *pgx.Conn) error {
	tx, err := c.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLockID)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS approvedsql_schema_version (
		version    integer PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	var cur int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM approvedsql_schema_version`).Scan(&cur); err != nil {
		return err
	}
	if cur > SchemaVersion {
		return fmt.Errorf("postgres store: schema version %d is newer than this build knows (%d)", cur, SchemaVersion)
	}
	for v := cur + 1; v <= SchemaVersion; v++ {
		if _, err := tx.Exec(ctx, migrations[v-1]); err != nil {
			return fmt.Errorf("postgres store: migration %d: %w", v, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO approvedsql_schema_version (version) VALUES ($1)`, v); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}
