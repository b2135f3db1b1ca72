package sqlnorm

// tokKind is the lexical class of a token.
type tokKind uint8

const (
	tWord   tokKind = iota + 1 // unquoted identifier or keyword
	tQIdent                    // quoted identifier
	tString                    // string literal (any form)
	tNumber                    // numeric literal
	tParam                     // bind parameter
	tVar                       // MySQL @user or @@system variable
	tOp                        // operator
	tLParen                    // tLParen, tRParen, tLBrack and tRBrack are consecutive (matchParens)
	tRParen
	tLBrack
	tRBrack
	tComma
	tDot
	tSemi
	tCast // PostgreSQL ::
)

// Literal and identifier flavours (token.sub), used to decode values.
const (
	subNone     uint8 = iota
	subPGStd          // '...' without backslash escapes (also N'...')
	subPGEsc          // E'...' or '...' with standard_conforming_strings off
	subPGUni          // U&'...' / U&"..." (optionally UESCAPE)
	subBits           // B'...' / X'...' (value kept as written)
	subDollar         // $tag$...$tag$
	subMyStr          // MySQL '...' or "..." (backslash escapes unless NO_BACKSLASH_ESCAPES)
	subSQLite         // SQLite '...'
	subDQ             // "..." identifier with "" doubling
	subBacktick       // `...` identifier with `` doubling
	subBracket        // [...] identifier (SQLite)
)

// token flags set by the analyser.
const (
	fTable       uint16 = 1 << iota // part of a table name
	fAlias                          // a table alias
	fFunc                           // a function name (last part)
	fFuncQual                       // qualifier of a function name
	fIdent                          // an identifier in a keyword-looking spelling (render folded)
	fCaseKeep                       // MySQL: case-sensitive name (db, table, alias)
	fNoFuncParen                    // this ( does not open a function's argument list
	fFromClose                      // this ) closes a subquery in a FROM list
	fStmtStart                      // a statement starts at this word (after a WITH list, DO INSTEAD, PREPARE ... AS)
	fKeepArgs                       // this ( opens the arguments of a call whose literals stay (set_config)
)

type token struct {
	start, end int32
	kind       tokKind
	sub        uint8
	esc        byte // UESCAPE character for subPGUni (0: backslash)
	kw         uint16
	flags      uint16
	pnum       int32 // parameter number ($n, ?NNN), 0 if none
}
