package sqlnorm

// NormalizeGeneral is Normalize with the renderer's fast paths turned off:
// the general code renders every token.
func NormalizeGeneral(opts Options, sql string) (*Statement, error) {
	st, err := normalizeWith(&opts, sql, true)
	if err != nil {
		return nil, err
	}
	return st, nil
}
